import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OlapQueryError } from './errors';
import type { OlapStore } from './olap';
import { quoteIdentifier } from './sql';

/**
 * The behaviour every OlapStore adapter must share, registered as a vitest suite and run once per
 * adapter, so the embedded and distributed modes stay equal. `make` must return a store on a
 * database of its own; the suite drops that database at the end. Each test uses its own table.
 */
export function olapContract(name: string, make: () => Promise<OlapStore>): void {
  describe(`OlapStore contract: ${name}`, () => {
    let store: OlapStore;
    const tableName = (label: string) => `t_${label}_${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      store = await make();
    });
    afterAll(async () => {
      if (!store) return;
      await store.exec(`DROP DATABASE IF EXISTS ${quoteIdentifier(store.database)}`);
      await store.close();
    });

    it('creates its database and runs DDL in it', async () => {
      const t = tableName('ddl');
      await store.exec(`CREATE TABLE ${store.table(t)} (id UInt32) ENGINE = MergeTree ORDER BY id`);
      await store.exec(`ALTER TABLE ${store.table(t)} ADD COLUMN note String DEFAULT 'n/a'`);
      const cols = await store.query<{ name: string }>(
        'SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String} ORDER BY position',
        { params: { db: store.database, t } },
      );
      expect(cols.map((c) => c.name)).toEqual(['id', 'note']);
      await store.exec(`DROP TABLE ${store.table(t)}`);
      const left = await store.query('SELECT name FROM system.tables WHERE database = {db:String} AND name = {t:String}', { params: { db: store.database, t } });
      expect(left).toEqual([]);
    });

    it('round-trips rows: text, numbers, 64-bit integers, decimals and UTC times', async () => {
      const t = tableName('rows');
      await store.exec(`CREATE TABLE ${store.table(t)} (
        id UInt32, s String, f Float64, big UInt64, amount Decimal(38, 6), at DateTime64(3, 'UTC'), maybe Nullable(String)
      ) ENGINE = MergeTree ORDER BY id`);
      const tricky = `it's "quoted" \\ back\tslash\nnew line — ünïcødé 🚀 ; DROP TABLE x; --`;
      await store.insert(t, [
        { id: 1, s: tricky, f: 1.5, big: '18446744073709551615', amount: '0.1', at: '2024-05-06T07:08:09.123Z', maybe: null },
        { id: 2, s: '', f: -0.25, big: 42, amount: 0.2, at: '2024-05-06 07:08:10.000', maybe: 'x' },
      ]);
      await store.insert(t, []); // nothing to do, and no error
      const rows = await store.query(`SELECT id, s, f, big, amount, at, maybe FROM ${store.table(t)} ORDER BY id`);
      expect(rows).toEqual([
        { id: 1, s: tricky, f: 1.5, big: '18446744073709551615', amount: 0.1, at: '2024-05-06 07:08:09.123', maybe: null },
        { id: 2, s: '', f: -0.25, big: '42', amount: 0.2, at: '2024-05-06 07:08:10.000', maybe: 'x' },
      ]);
      // Decimal sums are exact in any order; Float64 would give 0.30000000000000004.
      const [sum] = await store.query<{ total: number }>(`SELECT sum(amount) AS total FROM ${store.table(t)}`);
      expect(sum?.total).toBe(0.3);
    });

    it('inserts JSONEachRow and JSONCompactEachRow bytes as they are', async () => {
      const t = tableName('raw');
      await store.exec(`CREATE TABLE ${store.table(t)} (id UInt32, s String, tags Array(String)) ENGINE = MergeTree ORDER BY id`);
      const body = Buffer.from(`${JSON.stringify({ id: 1, s: "it's ünïcødé", tags: ['a', 'b'] })}\n${JSON.stringify({ id: 2, s: '', tags: [] })}\n`);
      await store.insertRows(t, body, 'JSONEachRow');
      await store.insertRows(t, Buffer.alloc(0), 'JSONEachRow'); // nothing to do, and no error
      await store.insertRows(t, Buffer.from(`${JSON.stringify([['x'], 3, 'c'])}\n`), 'JSONCompactEachRow', ['tags', 'id', 's']);
      expect(await store.query(`SELECT id, s, tags FROM ${store.table(t)} ORDER BY id`)).toEqual([
        { id: 1, s: "it's ünïcødé", tags: ['a', 'b'] },
        { id: 2, s: '', tags: [] },
        { id: 3, s: 'c', tags: ['x'] },
      ]);
      await expect(store.insertRows(t, Buffer.from('{"id": "not a number"}\n'), 'JSONEachRow')).rejects.toThrow();
    });

    it('inserts a local Parquet file, columns matched by name', async () => {
      const t = tableName('pq');
      await store.exec(`CREATE TABLE ${store.table(t)} (id UInt32, user_id Nullable(String)) ENGINE = MergeTree ORDER BY id`);
      const dir = mkdtempSync(join(tmpdir(), 'strata-olap-parquet-'));
      const file = join(dir, 'rows.parquet');
      const duck = await DuckDBInstance.create(':memory:');
      try {
        const connection = await duck.connect();
        await connection.run(`COPY (SELECT CASE WHEN i = 2 THEN NULL ELSE 'u' || i END AS user_id, i::UINTEGER AS id FROM range(3) t(i)) TO '${file}' (FORMAT parquet)`);
        connection.closeSync();
        await store.insertParquet(t, file);
      } finally {
        duck.closeSync();
        rmSync(dir, { recursive: true, force: true });
      }
      expect(await store.query(`SELECT id, user_id FROM ${store.table(t)} ORDER BY id`)).toEqual([
        { id: 0, user_id: 'u0' }, { id: 1, user_id: 'u1' }, { id: 2, user_id: null },
      ]);
    });

    it('resolves unqualified table names in its own database', async () => {
      const t = tableName('unq');
      await store.exec(`CREATE TABLE ${store.table(t)} (id UInt8) ENGINE = Memory`);
      await store.insert(t, [{ id: 7 }]);
      expect(await store.query(`SELECT id FROM ${t}`)).toEqual([{ id: 7 }]);
      expect(await store.query('SELECT currentDatabase() AS db')).toEqual([{ db: store.database }]);
    });

    it('binds parameters server-side, so quotes cannot inject', async () => {
      const t = tableName('params');
      await store.exec(`CREATE TABLE ${store.table(t)} (id UInt32, s String) ENGINE = MergeTree ORDER BY id`);
      await store.insert(t, [{ id: 1, s: "o'brien" }, { id: 2, s: 'plain' }, { id: 3, s: 'a\\b' }]);
      const count = async (s: string) =>
        (await store.query<{ n: string }>(`SELECT count() AS n FROM ${store.table(t)} WHERE s = {s:String}`, { params: { s } }))[0]?.n;
      expect(await count("o'brien")).toBe('1');
      expect(await count('a\\b')).toBe('1');
      expect(await count("x' OR 1 = 1 OR s = '")).toBe('0');
      const rows = await store.query<{ id: number }>(
        `SELECT id FROM ${store.table(t)} WHERE id IN {ids:Array(UInt32)} AND s != {none:Nullable(String)} OR s IN {names:Array(String)} ORDER BY id`,
        { params: { ids: [2, 3], none: null, names: ["o'brien"] } },
      );
      // s != NULL is NULL, so only the names match survives.
      expect(rows.map((r) => r.id)).toEqual([1]);
      const [typed] = await store.query('SELECT {n:Int64} AS n, {f:Float64} AS f, {b:Bool} AS b', { params: { n: -5, f: 2.5, b: true } });
      expect(typed).toEqual({ n: '-5', f: 2.5, b: true });
    });

    it('merges uniqCombined states across inserts in an AggregatingMergeTree', async () => {
      const rollup = tableName('agg');
      const input = `${rollup}_in`;
      await store.exec(`CREATE TABLE ${store.table(rollup)} (
        k String, events SimpleAggregateFunction(sum, Float64), users AggregateFunction(uniqCombined, String)
      ) ENGINE = AggregatingMergeTree ORDER BY k`);
      // JSON cannot carry states: rows go through a Null table whose view builds them, as the speed layer does.
      await store.exec(`CREATE TABLE ${store.table(input)} (k String, events Float64, user_ids Array(String)) ENGINE = Null`);
      await store.exec(`CREATE MATERIALIZED VIEW ${store.table(`${rollup}_mv`)} TO ${store.table(rollup)} AS
        SELECT k, events, arrayReduce('uniqCombinedState', user_ids) AS users FROM ${store.table(input)}`);
      await store.insert(input, [{ k: 'a', events: 2, user_ids: ['u1', 'u2'] }, { k: 'b', events: 1, user_ids: ['u9'] }]);
      await store.insert(input, [{ k: 'a', events: 3, user_ids: ['u2', 'u3', 'u3'] }]);
      await store.exec(`INSERT INTO ${store.table(rollup)} SELECT 'a', 1, uniqCombinedState(toString(number % 2 + 3)) FROM numbers(10)`);
      const rows = await store.query(`SELECT k, sum(events) AS events, uniqCombinedMerge(users) AS users
        FROM ${store.table(rollup)} GROUP BY k ORDER BY k`);
      // a: u1 u2 u3 and '3' '4'; the states merge to an exact distinct count at this size.
      expect(rows).toEqual([{ k: 'a', events: 6, users: '5' }, { k: 'b', events: 1, users: '1' }]);
    });

    it('rejects engine errors as OlapQueryError with the ClickHouse code, name and text', async () => {
      const syntax = store.query('SELEC 1');
      await expect(syntax).rejects.toBeInstanceOf(OlapQueryError);
      await expect(syntax).rejects.toMatchObject({ code: 62, type: 'SYNTAX_ERROR', message: expect.stringMatching(/^Code: 62\. DB::Exception: Syntax error/) });
      await expect(store.exec(`SELECT * FROM ${store.table('no_such_table')}`)).rejects.toMatchObject({ code: 60, type: 'UNKNOWN_TABLE' });
      await expect(store.insert('no_such_table', [{ x: 1 }])).rejects.toMatchObject({ code: 60, type: 'UNKNOWN_TABLE' });
    });

    it('ends a slow query at timeoutMs', async () => {
      const t0 = Date.now();
      await expect(store.query('SELECT count() FROM numbers(1e12)', { timeoutMs: 500 })).rejects.toMatchObject({ code: 159, type: 'TIMEOUT_EXCEEDED' });
      expect(Date.now() - t0).toBeLessThan(5_000);
    });

    it('rejects with an AbortError when the signal fires, and keeps working', async () => {
      const already = AbortSignal.abort();
      await expect(store.query('SELECT 1', { signal: already })).rejects.toMatchObject({ name: 'AbortError' });
      const controller = new AbortController();
      const t0 = Date.now();
      const slow = store.query('SELECT count() FROM numbers(1e12)', { signal: controller.signal });
      setTimeout(() => controller.abort(), 200);
      await expect(slow).rejects.toMatchObject({ name: 'AbortError' });
      expect(Date.now() - t0).toBeLessThan(3_000);
      expect(await store.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    });

    it('runs queries side by side rather than one at a time', async () => {
      const t0 = Date.now();
      await Promise.all([store.query('SELECT sleep(1)'), store.query('SELECT sleep(1)')]);
      expect(Date.now() - t0).toBeLessThan(1_900);
    });
  });
}
