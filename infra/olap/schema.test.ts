/**
 * The rollup schema on chdb for real: a cube added to a store that already holds rollups starts
 * with what the full cube holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUBES } from '../../core/dimensions';
import { batchRollupTable, dayRollupTable, speedInputTable, speedRollupTable } from '../../core/rollups';
import { createChdbStore } from './chdb';
import type { OlapStore } from './olap';
import { ensureRollupSchema } from './schema';

const dir = mkdtempSync(join(tmpdir(), 'strata-schema-'));
let olap: OlapStore;
const cube = CUBES.find((c) => c.name === 'geo_device');
const full = CUBES.find((c) => c.name === 'full');

beforeAll(async () => {
  olap = await createChdbStore({ path: join(dir, 'olap'), database: `schema_${process.pid}` });
  await ensureRollupSchema(olap);
});

afterAll(async () => {
  await olap?.close();
  rmSync(dir, { recursive: true, force: true });
});

const totals = async (table: string, users = 'uniqCombinedMerge(users)') =>
  olap.query<{ country: string; events: number; users: string }>(
    `SELECT country, sum(events) AS events, toString(${users}) AS users FROM ${olap.table(table)} WHERE tenant = 't' GROUP BY country ORDER BY country`);

describe('the rollup schema', () => {
  it('derives a cube added later from the full cube: speed, batch and day rows', async () => {
    if (!cube || !full) throw new Error('no geo_device cube');
    // Yesterday: speed rows expire after 7 days.
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await olap.insert(speedInputTable(full), ['10:01', '10:02', '10:59'].map((hhmm, i) => ({
      tenant: 't', minute: Date.parse(`${day}T${hhmm}:00Z`) / 1000,
      ...Object.fromEntries(full.dimensions.map((d) => [d, d === 'country' ? `C${i % 2}` : d === 'event' ? 'page_view' : `${d}${i}`])),
      events: i + 1, sessions: 1, revenue: '0', user_ids: [`u${i}`, 'u9'],
    })));
    await olap.exec(`INSERT INTO ${olap.table(batchRollupTable(full))} (tenant, hour, version, granularity, bucket, ${full.dimensions.join(', ')}, events, sessions, revenue, users_exact, users, users_set)
      SELECT 't', toDateTime('2026-11-20 10:00:00', 'UTC'), 7, '1h', toDateTime('2026-11-20 10:00:00', 'UTC'), 'page_view', c, '(none)', '/p1', '(none)',
        3, 1, 0, 1, arrayReduce('uniqCombinedState', [u]), arrayReduce('uniqExactState', [u])
      FROM (SELECT arrayJoin([('US', 'u1'), ('DE', 'u1'), ('SE', 'u2')]) AS x, x.1 AS c, x.2 AS u)`);
    await olap.exec(`INSERT INTO ${olap.table(batchRollupTable(full))} (tenant, hour, version, granularity, bucket, ${full.dimensions.join(', ')}, events, sessions, revenue, users_exact, users, users_set)
      SELECT 't', toDateTime('2026-11-20 10:00:00', 'UTC'), 7, '1h', toDateTime('2026-11-20 10:00:00', 'UTC'), 'page_view', 'US', '(none)', '/p2', '(none)',
        3, 1, 0, 1, arrayReduce('uniqCombinedState', ['u1']), arrayReduce('uniqExactState', ['u1'])`);
    await olap.exec(`INSERT INTO ${olap.table(dayRollupTable(full))} (tenant, day, version, ${full.dimensions.join(', ')}, events, sessions, revenue, users_exact, users, users_set)
      SELECT 't', toDateTime('2026-11-20 00:00:00', 'UTC'), 8, 'page_view', 'US', '(none)', '/p1', '(none)', 5, 1, 0, 1,
        arrayReduce('uniqCombinedState', ['u1']), arrayReduce('uniqExactState', ['u1'])`);
    // As if this store predated the cube: its tables and views are gone.
    await olap.exec(`DROP VIEW IF EXISTS ${olap.table(`${speedRollupTable(cube)}_mv_v2`)}`);
    for (const table of [speedRollupTable(cube), speedInputTable(cube), batchRollupTable(cube), dayRollupTable(cube)]) {
      await olap.exec(`DROP TABLE IF EXISTS ${olap.table(table)}`);
    }
    await ensureRollupSchema(olap);

    const speed = await totals(speedRollupTable(full));
    expect(speed.length).toBeGreaterThan(0);
    expect(await totals(speedRollupTable(cube))).toEqual(speed);
    expect(await totals(batchRollupTable(cube), 'uniqExactMerge(users_set)')).toEqual([
      { country: 'DE', events: 3, users: '1' }, { country: 'SE', events: 3, users: '1' }, { country: 'US', events: 6, users: '1' },
    ]);
    // The full cube's two US rows (pages /p1 and /p2, the same user) make one geo_device row, u1 once.
    const exact = await olap.query<{ users_exact: string }>(`SELECT toString(users_exact) AS users_exact FROM ${olap.table(batchRollupTable(cube))} WHERE tenant = 't' AND country = 'US'`);
    expect(exact).toEqual([{ users_exact: '1' }]);
    expect(await totals(dayRollupTable(cube), 'uniqExactMerge(users_set)')).toEqual([{ country: 'US', events: 5, users: '1' }]);
  });

  it('derives a batch-only cube without dimensions too: one row an hour with its exact count, and no speed tables', async () => {
    const total = CUBES.find((c) => c.name === 'total');
    if (!total) throw new Error('no total cube');
    // The rows of the test above are in the full cube; the total cube is made as if new.
    for (const table of [batchRollupTable(total), dayRollupTable(total)]) await olap.exec(`DROP TABLE IF EXISTS ${olap.table(table)}`);
    await ensureRollupSchema(olap);
    const rows = await olap.query<{ events: number; users_exact: string; merged: string }>(
      `SELECT events, toString(users_exact) AS users_exact, toString(uniqExactMerge(users_set)) AS merged FROM ${olap.table(batchRollupTable(total))}
       WHERE tenant = 't' AND granularity = '1h' GROUP BY events, users_exact`);
    // Four full-cube rows (u1 three times, u2 once) make one row: 12 events, 2 users.
    expect(rows).toEqual([{ events: 12, users_exact: '2', merged: '2' }]);
    const speed = await olap.query<{ n: string }>('SELECT toString(count()) AS n FROM system.tables WHERE database = {db:String} AND name LIKE {name:String}', { params: { db: olap.database, name: `${speedRollupTable(total)}%` } });
    expect(speed).toEqual([{ n: '0' }]);
  });
});
