/**
 * The rollup schema on chdb for real: hourly speed rows follow the minute rows, and a cube added to
 * a store that already holds rollups starts with what the full cube holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUBES, NONE_VALUE } from '../../core/dimensions';
import { batchRollupTable, dayRollupTable, speedHourlyTable, speedInputTable, speedRollupTable } from '../../core/rollups';
import { createChdbStore } from './chdb';
import type { OlapStore } from './olap';
import { ensureRollupSchema } from './schema';

const dir = mkdtempSync(join(tmpdir(), 'strata-schema-'));
let olap: OlapStore;
const cube = CUBES.find((c) => c.name === 'event_page');
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
  olap.query<{ page: string; events: number; users: string }>(
    `SELECT page, sum(events) AS events, toString(${users}) AS users FROM ${olap.table(table)} WHERE tenant = 't' GROUP BY page ORDER BY page`);

describe('the rollup schema', () => {
  it('keeps hourly speed rows summing to the minute rows', async () => {
    if (!full) throw new Error('no full cube');
    // Yesterday: speed rows expire after 7 days.
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const rows = ['10:01', '10:02', '10:59', '11:00'].map((hhmm, i) => ({
      tenant: 't', minute: Date.parse(`${day}T${hhmm}:00Z`) / 1000,
      ...Object.fromEntries(full.dimensions.map((d) => [d, d === 'page' ? `/p${i % 2}` : d === 'event' ? 'page_view' : NONE_VALUE])),
      events: i + 1, sessions: 1, revenue: '0', user_ids: [`u${i}`, 'u9'],
    }));
    await olap.insert(speedInputTable(full), rows);
    expect(await totals(speedHourlyTable(full))).toEqual(await totals(speedRollupTable(full)));
    const hours = await olap.query<{ n: string }>(`SELECT toString(uniqExact(hour)) AS n FROM ${olap.table(speedHourlyTable(full))} WHERE tenant = 't'`);
    expect(hours).toEqual([{ n: '2' }]);
  });

  it('derives a cube added later from the full cube: speed, hourly speed, batch and day rows', async () => {
    if (!cube || !full) throw new Error('no event_page cube');
    await olap.exec(`INSERT INTO ${olap.table(batchRollupTable(full))} (tenant, hour, version, granularity, bucket, ${full.dimensions.join(', ')}, events, sessions, revenue, users_exact, users, users_set)
      SELECT 't', toDateTime('2026-11-20 10:00:00', 'UTC'), 7, '1h', toDateTime('2026-11-20 10:00:00', 'UTC'), 'page_view', c, '(none)', '/p1', '(none)',
        3, 1, 0, 1, arrayReduce('uniqCombinedState', [u]), arrayReduce('uniqExactState', [u])
      FROM (SELECT arrayJoin([('US', 'u1'), ('DE', 'u1'), ('SE', 'u2')]) AS x, x.1 AS c, x.2 AS u)`);
    await olap.exec(`INSERT INTO ${olap.table(dayRollupTable(full))} (tenant, day, version, ${full.dimensions.join(', ')}, events, sessions, revenue, users_exact, users, users_set)
      SELECT 't', toDateTime('2026-11-20 00:00:00', 'UTC'), 8, 'page_view', 'US', '(none)', '/p1', '(none)', 5, 1, 0, 1,
        arrayReduce('uniqCombinedState', ['u1']), arrayReduce('uniqExactState', ['u1'])`);
    // As if this store predated the cube: its tables and views are gone.
    for (const view of [`${speedRollupTable(cube)}_mv_v2`, `${speedHourlyTable(cube)}_mv`]) await olap.exec(`DROP VIEW IF EXISTS ${olap.table(view)}`);
    for (const table of [speedRollupTable(cube), speedInputTable(cube), speedHourlyTable(cube), batchRollupTable(cube), dayRollupTable(cube)]) {
      await olap.exec(`DROP TABLE IF EXISTS ${olap.table(table)}`);
    }
    await ensureRollupSchema(olap);

    const speed = await totals(speedRollupTable(full));
    expect(speed.length).toBeGreaterThan(0);
    expect(await totals(speedRollupTable(cube))).toEqual(speed);
    expect(await totals(speedHourlyTable(cube))).toEqual(speed);
    expect(await totals(batchRollupTable(cube), 'uniqExactMerge(users_set)')).toEqual([{ page: '/p1', events: 9, users: '2' }]);
    const exact = await olap.query<{ users_exact: string }>(`SELECT toString(users_exact) AS users_exact FROM ${olap.table(batchRollupTable(cube))} WHERE tenant = 't'`);
    expect(exact).toEqual([{ users_exact: '2' }]); // u1 in two countries counts once in the (event, page) row
    expect(await totals(dayRollupTable(cube), 'uniqExactMerge(users_set)')).toEqual([{ page: '/p1', events: 5, users: '1' }]);
  });
});
