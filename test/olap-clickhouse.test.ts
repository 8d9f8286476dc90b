import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClickhouseStore } from '../infra/olap/clickhouse-http';
import { olapContract } from '../infra/olap/contract';
import type { OlapStore } from '../infra/olap/olap';

const url = inject('services').clickhouseUrl;
const uniqueDatabase = () => `strata_test_${randomBytes(4).toString('hex')}`;

olapContract('@clickhouse/client via the stand-in', () => createClickhouseStore({ url, database: uniqueDatabase() }));

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ClickHouse stand-in', () => {
  const database = uniqueDatabase();
  let store: OlapStore;
  let client: ClickHouseClient;
  const running = async (queryId: string) => {
    const rs = await client.query({ query: `KILL QUERY WHERE query_id = '${queryId}' TEST`, format: 'JSONEachRow' });
    return (await rs.json()).length > 0;
  };

  beforeAll(async () => {
    store = await createClickhouseStore({ url, database });
    // Compressed both ways, as a client configured for a remote server would be.
    client = createClient({ url, database, compression: { request: true, response: true }, log: { level: ClickHouseLogLevel.OFF } });
  });
  afterAll(async () => {
    await store?.exec(`DROP DATABASE IF EXISTS ${database}`);
    await Promise.all([store?.close(), client?.close()]);
  });

  it('round-trips a table through the stand-in with the @clickhouse/client adapter', async () => {
    await store.exec(`CREATE TABLE ${store.table('events')} (id UInt32, name String, revenue Decimal(38, 6)) ENGINE = MergeTree ORDER BY id`);
    const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i, name: `e-${i}`, revenue: '0.1' }));
    await store.insert('events', rows);
    const [total] = await store.query(`SELECT count() AS n, sum(revenue) AS revenue, max(name) AS last FROM ${store.table('events')}`);
    expect(total).toEqual({ n: '1000', revenue: 100, last: 'e-999' });
  });

  it('answers /ping and / like ClickHouse', async () => {
    for (const path of ['/ping', '/']) {
      const res = await fetch(`${url}${path}`);
      expect([res.status, await res.text()]).toEqual([200, 'Ok.\n']);
    }
    expect(await client.ping()).toEqual({ success: true });
  });

  it('inserts Parquet bodies by column name, plainly and through input()', async () => {
    const source = await client.exec({ query: "SELECT 'x' AS s, toUInt32(number % 3) AS id, toString(number) AS u FROM numbers(30) FORMAT Parquet" });
    const parquet = Buffer.concat(await source.stream.toArray());
    // The table's columns are in another order than the file's: Parquet maps them by name.
    await client.command({ query: 'CREATE TABLE pq_plain (id UInt32, u String, s String) ENGINE = MergeTree ORDER BY id' });
    await client.insert({ table: 'pq_plain', values: Readable.from([parquet], { objectMode: false }), format: 'Parquet' });
    const plain = await client.query({ query: 'SELECT count() AS n, sum(id) AS ids, uniqExact(u) AS us, any(s) AS s FROM pq_plain', format: 'JSONEachRow' });
    expect(await plain.json()).toEqual([{ n: 30, ids: 30, us: 30, s: 'x' }]);
    // The reconciliation's form: the body feeds input(), and the SELECT builds the merge states.
    await client.command({ query: 'CREATE TABLE pq_agg (id UInt32, users AggregateFunction(uniqCombined, String)) ENGINE = AggregatingMergeTree ORDER BY id' });
    await client.exec({
      query: "INSERT INTO pq_agg (id, users) SELECT id, uniqCombinedState(u) FROM input('s String, id UInt32, u String') GROUP BY id FORMAT Parquet",
      values: Readable.from([parquet], { objectMode: false }),
    });
    const agg = await client.query({ query: 'SELECT id, uniqCombinedMerge(users) AS users FROM pq_agg GROUP BY id ORDER BY id', format: 'JSONEachRow' });
    expect(await agg.json()).toEqual([0, 1, 2].map((id) => ({ id, users: 10 })));
  });

  it('kills a running query by its query_id', async () => {
    const queryId = `kill-${randomBytes(4).toString('hex')}`;
    // Settled into a value at once, so the rejection is never unhandled while the KILL is in flight.
    const outcome = client.query({ query: 'SELECT count() FROM numbers(1e12)', query_id: queryId, format: 'JSONEachRow' }).catch((err: unknown) => err);
    await until('the query to run', () => running(queryId));
    await client.command({ query: `KILL QUERY WHERE query_id = '${queryId}'` });
    expect(await outcome).toMatchObject({ code: '394', type: 'QUERY_WAS_CANCELLED' });
    await until('the engine to stop it', async () => !(await running(queryId)));
  });

  it('cancels the query when the client aborts its request', async () => {
    const queryId = `abort-${randomBytes(4).toString('hex')}`;
    const controller = new AbortController();
    const outcome = client.query({ query: 'SELECT count() FROM numbers(1e12)', query_id: queryId, abort_signal: controller.signal }).catch((err: unknown) => err);
    await until('the query to run', () => running(queryId));
    controller.abort();
    expect(await outcome).toMatchObject({ message: expect.stringMatching(/aborted/) });
    await until('the engine to stop it', async () => !(await running(queryId)));
  });

  it('ends a query at max_execution_time', async () => {
    const res = await fetch(`${url}/?max_execution_time=0.5`, { method: 'POST', body: 'SELECT count() FROM numbers(1e12)' });
    expect(res.status).toBe(408);
    expect(await res.text()).toMatch(/^Code: 159\. DB::Exception: Timeout exceeded.*\(TIMEOUT_EXCEEDED\)\n$/s);
  });

  it('reports errors as ClickHouse does: text, code header and status', async () => {
    const syntax = await fetch(`${url}/`, { method: 'POST', body: 'SELEC 1' });
    expect(syntax.status).toBe(400);
    expect(syntax.headers.get('x-clickhouse-exception-code')).toBe('62');
    expect(await syntax.text()).toMatch(/^Code: 62\. DB::Exception: Syntax error: .*\(SYNTAX_ERROR\)\n$/s);
    const missing = await fetch(`${url}/?database=${database}`, { method: 'POST', body: 'SELECT * FROM nope' });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/\(UNKNOWN_TABLE\)\n$/);
    await expect(client.query({ query: 'SELECT * FROM nope' })).rejects.toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });
    const twice = await fetch(`${url}/`, { method: 'POST', body: 'SELECT 1; SELECT 2' });
    expect([twice.status, await twice.text()]).toEqual([400, 'Code: 62. DB::Exception: Multi-statements are not allowed. (SYNTAX_ERROR)\n']);
  });

  it('takes the query from the URL and the body, with database, params, default_format and settings', async () => {
    const params = new URLSearchParams({
      query: 'SELECT currentDatabase() AS db, {s:String} AS s,',
      database, param_s: "it\\'s", default_format: 'JSONEachRow', max_threads: '1', some_unknown_client_option: '1',
    });
    const res = await fetch(`${url}/?${params}`, { method: 'POST', body: "getSetting('max_threads') AS threads" });
    expect(res.headers.get('x-clickhouse-format')).toBe('JSONEachRow');
    expect(res.headers.get('x-clickhouse-query-id')).toBeTruthy();
    expect(JSON.parse(res.headers.get('x-clickhouse-summary') ?? '{}')).toHaveProperty('read_rows');
    expect(await res.json()).toEqual({ db: database, s: "it's", threads: 1 });
  });
});
