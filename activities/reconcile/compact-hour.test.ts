/**
 * Compaction inside reconcileHour, on chdb and DuckDB for real: an hour archived in several files
 * (with a replay's differing copies across them) becomes one file of every event once, the inputs
 * go, and what readers are served does not change. Faults are injected by wrapping the real stores.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { archiveHourPrefix } from '../../core/archive';
import { CUBES, keyTail } from '../../core/dimensions';
import type { NormalizedEvent } from '../../core/event';
import { RECONCILE_STATE_TABLE, batchRollupTable } from '../../core/rollups';
import { HOUR_MS, MINUTE_MS } from '../../core/time';
import { duckString } from '../../infra/duckdb-sql';
import type { ObjectStore } from '../../infra/objectstore/objectstore';
import type { OlapStore } from '../../infra/olap/olap';
import { archiveEvents, queryArchive, useArchiveFixture } from '../../test/support/archive';
import { listArchiveFiles } from '../../stream/archive/manifest';
import { hourStates } from './due-hours';
import { publishedVersion } from './publish-hour';
import { type ReconcileDeps, type ReconcileResult, reconcileHour } from './reconcile-hour';

const fx = useArchiveFixture('compact');

const hour = Date.parse('2026-11-20T10:00:00Z');
let tenants = 0;
const newTenant = () => `c${process.pid}x${tenants++}`;

/** A page view in the hour, received a second after it happened. */
const pageView = (tenant: string, id: string, minute: number, user: string | null): NormalizedEvent => ({
  event_id: id, event: 'page_view', timestamp: hour + minute * MINUTE_MS, tenant, user_id: user,
  received_at: hour + minute * MINUTE_MS + 1000, sample_weight: 1, properties: { country: 'US' },
});

/**
 * One hour in three files, as the speed layer and a replay archive it: 7 distinct events, two of
 * them copied again later with other values (those copies must lose). Sessions: u1 starts two
 * (45 minutes apart), u2 and u3 one each.
 */
function threeFiles(tenant: string): NormalizedEvent[][] {
  const a2 = pageView(tenant, 'a2', 10, 'u1');
  const p1 = { ...pageView(tenant, 'p1', 25, 'u2'), event: 'purchase', properties: { country: 'DE', revenue: 12.5 } };
  return [
    [pageView(tenant, 'a1', 0, 'u1'), a2, pageView(tenant, 'a3', 20, 'u2'), p1],
    [{ ...a2, event: 'click', received_at: a2.received_at + HOUR_MS }, pageView(tenant, 'a4', 55, 'u1'), pageView(tenant, 'a5', 30, null)],
    [{ ...p1, received_at: p1.received_at + HOUR_MS, properties: { country: 'DE', revenue: 99 } }, pageView(tenant, 'a6', 59, 'u3')],
  ];
}

const EXPECTED_TOTALS = [
  { event: 'page_view', events: 6, sessions: 4, revenue: 0, users: 3 },
  { event: 'purchase', events: 1, sessions: 0, revenue: 12.5, users: 1 },
];

async function archiveThreeFiles(tenant: string): Promise<void> {
  const [a = [], b = [], c = []] = threeFiles(tenant);
  await archiveEvents(fx, a, 0, 0);
  await archiveEvents(fx, b, 1, 0);
  await archiveEvents(fx, c, 0, 10);
}

const reconcile = (tenant: string, stores: Partial<ReconcileDeps> = {}) =>
  reconcileHour({ olap: fx.olap, objects: fx.objects, workDir: join(fx.dir, 'work'), ...stores }, tenant, hour);
const stored = (tenant: string) => fx.objects.list(archiveHourPrefix(tenant, hour));
const live = async (tenant: string) => (await listArchiveFiles(fx.olap, tenant, hour)).map((f) => f.file);

/** The hour's 1h totals per event name, as the published version serves them. */
async function totals(tenant: string, version: number) {
  const rows = await fx.olap.query<{ event: string; events: number; sessions: number; revenue: string; users: string }>(
    `SELECT event, sum(events) AS events, sum(sessions) AS sessions, toString(sum(revenue)) AS revenue, toString(sum(users_exact)) AS users
     FROM ${fx.olap.table('rollup_batch_geo_device')} WHERE tenant = {t:String} AND version = {v:UInt64} AND granularity = '1h'
     GROUP BY event ORDER BY event`, { params: { t: tenant, v: version } });
  return rows.map((r) => ({ ...r, revenue: Number(r.revenue), users: Number(r.users) }));
}

/** Every rollup row of a version, of each cube and granularity, without tenant and version. */
async function served(tenant: string, version: number): Promise<unknown[]> {
  const rows: unknown[] = [];
  for (const cube of CUBES) {
    const keys = keyTail(cube);
    rows.push(...await fx.olap.query(
      `SELECT '${cube.name}' AS cube, granularity, toUnixTimestamp(bucket) AS b${keys}, events, sessions, toString(revenue) AS revenue, users_exact
       FROM ${fx.olap.table(batchRollupTable(cube))} WHERE tenant = {t:String} AND version = {v:UInt64}
       ORDER BY granularity, b${keys}`, { params: { t: tenant, v: version } }));
  }
  return rows;
}

/** A stored file's column names and types, and its compression codecs, as DuckDB reads them. */
async function parquetShape(key: string): Promise<{ columns: unknown[]; codecs: unknown[] }> {
  const path = join(fx.dir, 'shape', `${Math.random().toString(36).slice(2)}.parquet`);
  mkdirSync(join(fx.dir, 'shape'), { recursive: true });
  writeFileSync(path, (await fx.objects.get(key)) ?? Buffer.alloc(0));
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    const columns = (await connection.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${duckString(path)}))`)).getRows();
    const codecs = (await connection.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata(${duckString(path)})`)).getRows();
    connection.closeSync();
    return { columns, codecs: codecs.flat() };
  } finally {
    instance.closeSync();
  }
}

describe('compaction in reconcileHour', () => {
  it('compacts the files it read into one of every event once, deletes them, and serves the numbers of the uncompacted hour', async () => {
    const tenant = newTenant();
    await archiveThreeFiles(tenant);
    const inputs = await stored(tenant);
    expect(inputs).toHaveLength(3);
    const speedLayerShape = await parquetShape(inputs[0] ?? '');
    // The same events in a single file: nothing to compact, so this is the hour without compaction.
    const whole = newTenant();
    await archiveEvents(fx, threeFiles(whole).flat(), 0, 0);
    const uncompacted = await reconcile(whole);
    expect(uncompacted.compactedInto).toBeUndefined();

    const result = await reconcile(tenant);
    expect(result).toMatchObject({ events: 7, filesRead: 3, undeleted: [] });
    const compacted = result.compactedInto ?? '';
    expect(compacted).toMatch(new RegExp(`^${archiveHourPrefix(tenant, hour)}compacted-[0-9a-f-]+\\.parquet$`));
    const manifest = await listArchiveFiles(fx.olap, tenant, hour);
    expect(manifest.map((f) => ({ file: f.file, events: f.events, replaces: [...f.replaces].sort() }))).toEqual([{ file: compacted, events: 7, replaces: inputs }]);
    expect(await stored(tenant)).toEqual([compacted]);

    // Readable like any archive file, holding the first copy of each event.
    expect(await parquetShape(compacted)).toEqual({ columns: speedLayerShape.columns, codecs: ['ZSTD'] });
    expect(await queryArchive(fx.objects, compacted, 'SELECT event_id, event, CAST(revenue AS DOUBLE) AS revenue FROM archive ORDER BY event_id')).toEqual([
      { event_id: 'a1', event: 'page_view', revenue: 0 }, { event_id: 'a2', event: 'page_view', revenue: 0 },
      { event_id: 'a3', event: 'page_view', revenue: 0 }, { event_id: 'a4', event: 'page_view', revenue: 0 },
      { event_id: 'a5', event: 'page_view', revenue: 0 }, { event_id: 'a6', event: 'page_view', revenue: 0 },
      { event_id: 'p1', event: 'purchase', revenue: 12.5 },
    ]);

    expect(await totals(tenant, result.version)).toEqual(EXPECTED_TOTALS);
    expect(await served(tenant, result.version)).toEqual(await served(whole, uncompacted.version));
  });

  it('reruns on the compacted file alone: clean, nothing compacted again, the same numbers', async () => {
    const tenant = newTenant();
    await archiveThreeFiles(tenant);
    const first = await reconcile(tenant);
    expect(await hourStates(fx.olap, tenant)).toEqual({ dirty: [], reconciledThrough: hour + HOUR_MS });

    const again = await reconcile(tenant);
    expect(again).toMatchObject({ events: 7, filesRead: 1, compactedInto: undefined, undeleted: [] });
    expect(again.version).toBeGreaterThan(first.version);
    expect(await live(tenant)).toEqual([first.compactedInto]);
    expect(await stored(tenant)).toEqual([first.compactedInto]);
    expect(await served(tenant, again.version)).toEqual(await served(tenant, first.version));
    expect(await hourStates(fx.olap, tenant)).toEqual({ dirty: [], reconciledThrough: hour + HOUR_MS });
  });

  it('a file landing after compaction makes the hour dirty; the next run compacts both into one and absorbs the copies', async () => {
    const tenant = newTenant();
    await archiveThreeFiles(tenant);
    const first = await reconcile(tenant);
    const a1 = pageView(tenant, 'a1', 0, 'u1');
    await archiveEvents(fx, [{ ...a1, received_at: a1.received_at + 2 * HOUR_MS, event: 'click' }, pageView(tenant, 'a7', 40, 'u4')], 2, 0);
    const landed = (await live(tenant)).filter((f) => f !== first.compactedInto);
    expect(landed).toHaveLength(1);
    expect((await hourStates(fx.olap, tenant)).dirty).toEqual([hour]);

    const next = await reconcile(tenant);
    expect(next).toMatchObject({ events: 8, filesRead: 2, undeleted: [] });
    expect(next.compactedInto).not.toBe(first.compactedInto);
    expect(await live(tenant)).toEqual([next.compactedInto]);
    expect(await stored(tenant)).toEqual([next.compactedInto]);
    expect((await listArchiveFiles(fx.olap, tenant, hour))[0]?.replaces.slice().sort()).toEqual([first.compactedInto, ...landed].sort());
    expect(await totals(tenant, next.version)).toEqual([
      { event: 'page_view', events: 7, sessions: 5, revenue: 0, users: 4 },
      { event: 'purchase', events: 1, sessions: 0, revenue: 12.5, users: 1 },
    ]);
    expect(await hourStates(fx.olap, tenant)).toEqual({ dirty: [], reconciledThrough: hour + HOUR_MS });
  });

  it('leaves a file that lands during the run uncompacted, and the hour dirty', async () => {
    const tenant = newTenant();
    await archiveThreeFiles(tenant);
    let landing: Promise<void> | undefined;
    const objects: ObjectStore = {
      ...fx.objects,
      async get(key) {
        // The speed layer archives a file once the run has listed the hour.
        landing ??= archiveEvents(fx, [pageView(tenant, 'a8', 5, 'u5')], 3, 0);
        await landing;
        return fx.objects.get(key);
      },
    };
    const result = await reconcile(tenant, { objects });
    expect(result).toMatchObject({ events: 7, filesRead: 3 });
    const landed = (await live(tenant)).filter((f) => f !== result.compactedInto);
    expect(landed).toHaveLength(1);
    expect(await stored(tenant)).toEqual([result.compactedInto, ...landed].sort());
    expect((await hourStates(fx.olap, tenant)).dirty).toEqual([hour]);

    const next = await reconcile(tenant);
    expect(next).toMatchObject({ events: 8, filesRead: 2 });
    expect(await stored(tenant)).toEqual([next.compactedInto]);
    expect((await hourStates(fx.olap, tenant)).dirty).toEqual([]);
  });

  it('a run that fails before publishing leaves the old version served and the hour dirty; the next run publishes the compacted file', async () => {
    const tenant = newTenant();
    const [a = [], b = [], c = []] = threeFiles(tenant);
    await archiveEvents(fx, a, 0, 0);
    const before = await reconcile(tenant);
    await archiveEvents(fx, b, 1, 0);
    await archiveEvents(fx, c, 0, 10);
    const inputs = await stored(tenant);

    const olap: OlapStore = {
      ...fx.olap,
      async insert(table, rows) {
        if (table === RECONCILE_STATE_TABLE) throw new Error('the worker died before publishing');
        return fx.olap.insert(table, rows);
      },
    };
    await expect(reconcile(tenant, { olap })).rejects.toThrow('the worker died');
    expect(await publishedVersion(fx.olap, tenant, hour)).toBe(before.version);
    const [compacted] = await live(tenant);
    expect(compacted).toMatch(/compacted-/);
    expect(await stored(tenant)).toEqual([...inputs, compacted].sort()); // nothing deleted
    expect(await hourStates(fx.olap, tenant)).toEqual({ dirty: [hour], reconciledThrough: null });
    expect(await queryArchive(fx.objects, compacted!, 'SELECT count(*)::INTEGER AS n FROM archive')).toEqual([{ n: 7 }]);

    const after = await reconcile(tenant);
    expect(after).toMatchObject({ events: 7, filesRead: 1, compactedInto: undefined, undeleted: [] });
    expect(after.version).toBeGreaterThan(before.version);
    expect(await stored(tenant)).toEqual([compacted]);
    expect(await totals(tenant, after.version)).toEqual(EXPECTED_TOTALS);
    expect(await hourStates(fx.olap, tenant)).toEqual({ dirty: [], reconciledThrough: hour + HOUR_MS });
  });

  it('a run of the next hour that finds the files it listed compacted away reads the compacted file for its sessions', async () => {
    const tenant = newTenant();
    await archiveEvents(fx, [pageView(tenant, 'b1', 40, 'u1')], 0, 0);
    await archiveEvents(fx, [pageView(tenant, 'b2', 50, 'u1')], 1, 0);
    await archiveEvents(fx, [pageView(tenant, 'n1', 70, 'u1')], 0, 1); // 20 minutes on: continues u1's session
    let compacting: Promise<ReconcileResult> | undefined;
    const objects: ObjectStore = {
      ...fx.objects,
      async get(key) {
        // This hour is reconciled, compacted and its inputs deleted once the next hour's run has listed them.
        if (key.startsWith(archiveHourPrefix(tenant, hour))) await (compacting ??= reconcile(tenant));
        return fx.objects.get(key);
      },
    };
    const next = await reconcileHour({ olap: fx.olap, objects, workDir: join(fx.dir, 'work') }, tenant, hour + HOUR_MS);
    expect((await compacting)?.compactedInto).toMatch(/compacted-/);
    expect(await stored(tenant)).toHaveLength(1);
    const [sessions] = await fx.olap.query<{ events: number; sessions: number }>(
      `SELECT sum(events) AS events, sum(sessions) AS sessions FROM ${fx.olap.table('rollup_batch_geo_device')}
       WHERE tenant = {t:String} AND version = {v:UInt64} AND granularity = '1h'`, { params: { t: tenant, v: next.version } });
    expect(sessions).toEqual({ events: 1, sessions: 0 });
  });

  it('inputs a failed delete leaves behind are garbage: the hour is clean, and a later run deletes them', async () => {
    const tenant = newTenant();
    await archiveThreeFiles(tenant);
    const inputs = await stored(tenant);
    const objects: ObjectStore = { ...fx.objects, delete: () => Promise.reject(new Error('the store refused')) };

    const result = await reconcile(tenant, { objects });
    expect(result.undeleted).toEqual(inputs);
    expect(await stored(tenant)).toEqual([...inputs, result.compactedInto].sort());
    expect(await live(tenant)).toEqual([result.compactedInto]);
    expect(await hourStates(fx.olap, tenant)).toEqual({ dirty: [], reconciledThrough: hour + HOUR_MS });
    expect(await totals(tenant, result.version)).toEqual(EXPECTED_TOTALS);

    const later = await reconcile(tenant);
    expect(later).toMatchObject({ filesRead: 1, compactedInto: undefined, undeleted: [] });
    expect(await stored(tenant)).toEqual([result.compactedInto]);
    expect(await totals(tenant, later.version)).toEqual(EXPECTED_TOTALS);
  });
});
