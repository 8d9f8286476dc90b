/**
 * GET /v1/metrics over both layers, on chdb for real: speed rows for two hours, batch rows for one
 * of them under its published version (beside a superseded and an unpublished attempt whose numbers
 * must never show), and the layer each point, row and total states.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUBES, type Cube, NONE_VALUE, OTHER_VALUE, SPEED_CUBES, dimensionCap, keyTail } from '../../core/dimensions';
import { DICTIONARY_TABLE, RECONCILE_STATE_TABLE, batchRollupTable, speedInputTable } from '../../core/rollups';
import { DAY_MS, HOUR_MS, MINUTE_MS, floorTo, toIso } from '../../core/time';
import { createChdbStore } from '../../infra/olap/chdb';
import type { OlapStore } from '../../infra/olap/olap';
import { ensureRollupSchema } from '../../infra/olap/schema';
import { createTelemetry } from '../../infra/telemetry';
import { expressApp } from '../app';
import { hourStates } from '../../activities/reconcile/due-hours';
import { MANIFEST_TABLE, ensureManifestSchema } from '../../stream/archive/manifest';
import { createMetricsHandler, metricsRouter } from './metrics';

const dir = mkdtempSync(join(tmpdir(), 'strata-metrics-'));
const tenant = 'layers';
/** Yesterday (UTC) at hh:mm: recent enough for speed rows to be inside their 7-day TTL. */
const day = floorTo(Date.now(), DAY_MS) - DAY_MS;
const T = (hhmm: string) => toIso(day + Number(hhmm.slice(0, 2)) * HOUR_MS + Number(hhmm.slice(3)) * MINUTE_MS);
const at = (iso: string) => Date.parse(iso) / 1000;
/** Yesterday's 10:00 is published at version 2000 (1000 was superseded, 3000 never published); 11:00 is not. */
const PUBLISHED = 2000;

interface Cell { minute: string; event: string; country: string; events: number; revenue?: string; users: string[] }

let olap: OlapStore;
let server: Server;
let base: string;

async function insertSpeed(cells: Cell[]): Promise<void> {
  for (const cube of SPEED_CUBES) {
    await olap.insert(speedInputTable(cube), cells.map((c) => ({
      tenant, minute: at(c.minute),
      ...Object.fromEntries(cube.dimensions.map((d) => [d, d === 'event' ? c.event : d === 'country' ? c.country : NONE_VALUE])),
      events: c.events, sessions: 0, revenue: c.revenue ?? '0', user_ids: c.users,
    })));
  }
}

/** The cells as one cube's rows: one per bucket and combination of its dimensions, as a publish writes. */
function cubeCells(cube: Cube, cells: Cell[]): Cell[] {
  const rows = new Map<string, Cell>();
  for (const c of cells) {
    const key = JSON.stringify([c.minute, ...cube.dimensions.map((d) => (d === 'event' ? c.event : d === 'country' ? c.country : ''))]);
    const row = rows.get(key);
    if (!row) rows.set(key, { ...c });
    else rows.set(key, { ...row, events: row.events + c.events, revenue: String(Number(row.revenue ?? 0) + Number(c.revenue ?? 0)), users: [...row.users, ...c.users] });
  }
  return [...rows.values()];
}

async function insertBatch(version: number, granularity: '1m' | '1h', cells: Cell[]): Promise<void> {
  for (const cube of CUBES) {
    for (const c of cubeCells(cube, cells)) {
      const dims = cube.dimensions.map((d) => (d === 'event' ? ', {event:String}' : d === 'country' ? ', {country:String}' : `, '${NONE_VALUE}'`)).join('');
      await olap.exec(`INSERT INTO ${olap.table(batchRollupTable(cube))}
          (tenant, hour, version, granularity, bucket${keyTail(cube)}, events, sessions, revenue, users_exact, users)
        SELECT {tenant:String}, toStartOfHour(toDateTime({bucket:UInt32}, 'UTC')), {version:UInt64}, {granularity:String},
          toDateTime({bucket:UInt32}, 'UTC')${dims}, {events:Float64}, 0, toDecimal128({revenue:String}, 6),
          length(arrayDistinct({users:Array(String)})), arrayReduce('uniqCombinedState', {users:Array(String)})`,
      { params: { tenant, bucket: at(c.minute), version, granularity, event: c.event, country: c.country, events: c.events, revenue: c.revenue ?? '0', users: c.users } });
    }
  }
}

beforeAll(async () => {
  olap = await createChdbStore({ path: join(dir, 'olap'), database: `metrics_${process.pid}` });
  await ensureRollupSchema(olap);
  // Speed holds duplicates in the published hour (5 page views where 4 happened).
  await insertSpeed([
    { minute: T('10:05'), event: 'page_view', country: 'US', events: 5, users: ['u1', 'u2', 'u3'] },
    { minute: T('10:30'), event: 'purchase', country: 'US', events: 1, revenue: '9.99', users: ['u1'] },
    { minute: T('11:10'), event: 'page_view', country: 'DE', events: 2, users: ['u4', 'u5'] },
    { minute: T('11:20'), event: 'page_view', country: 'US', events: 1, users: ['u1'] },
  ]);
  const exact: Cell[] = [
    { minute: T('10:05'), event: 'page_view', country: 'US', events: 4, users: ['u1', 'u2'] },
    { minute: T('10:30'), event: 'purchase', country: 'US', events: 1, revenue: '9.99', users: ['u1'] },
  ];
  await insertBatch(PUBLISHED, '1m', exact);
  await insertBatch(PUBLISHED, '1h', [
    { minute: T('10:00'), event: 'page_view', country: 'US', events: 4, users: ['u1', 'u2'] },
    { minute: T('10:00'), event: 'purchase', country: 'US', events: 1, revenue: '9.99', users: ['u1'] },
  ]);
  for (const version of [1000, 3000]) {
    const wrong: Cell = { minute: T('10:05'), event: 'page_view', country: 'FR', events: 70, users: ['x1', 'x2', 'x3'] };
    await insertBatch(version, '1m', [wrong]);
    await insertBatch(version, '1h', [{ ...wrong, minute: T('10:00') }]);
  }
  await olap.insert(RECONCILE_STATE_TABLE, [1000, PUBLISHED].map((version) => ({
    tenant, hour: at(T('10:00')), version, files_read: [], events: 5, published_at: T('11:02').replace('T', ' ').replace('Z', ''),
  })));
  // Another tenant's publication of the unpublished hour must not move it to batch.
  await olap.insert(RECONCILE_STATE_TABLE, [{ tenant: 'other', hour: at(T('11:00')), version: 5, files_read: [], events: 0, published_at: T('12:02').replace('T', ' ').replace('Z', '') }]);

  const logger = pino({ level: 'silent' });
  const router = metricsRouter(createMetricsHandler({ olap, telemetry: createTelemetry(), logger, openLoopback: true, now: () => Date.parse(T('24:00')) }));
  server = createServer(expressApp(logger, [router])).listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.close();
  await olap?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get<T>(query: string): Promise<T> {
  const res = await fetch(`${base}/v1/metrics?${query}`, { headers: { 'strata-tenant': tenant } });
  const body = (await res.json()) as T;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

interface Point { t: string; value: number; layer: string }
const window = `from=${T('10:00')}&to=${T('12:00')}`;

describe('GET /v1/metrics across the batch and speed layers', () => {
  it('reads a published hour from its published batch version and the other hour from speed', async () => {
    const reply = await get<{ points: Point[] }>(`name=page_views&granularity=1h&${window}`);
    expect(reply.points).toEqual([
      { t: T('10:00'), value: 4, layer: 'batch' },
      { t: T('11:00'), value: 3, layer: 'speed' },
    ]);
  });

  it('gives minute points, zero-filled ones included, the layer of their hour', async () => {
    const reply = await get<{ points: Point[] }>(`name=page_views&granularity=1m&${window}`);
    expect(reply.points).toHaveLength(120);
    const byT = new Map(reply.points.map((p) => [p.t, p]));
    expect(byT.get(T('10:00'))).toEqual({ t: T('10:00'), value: 0, layer: 'batch' });
    expect(byT.get(T('10:05'))).toEqual({ t: T('10:05'), value: 4, layer: 'batch' });
    expect(byT.get(T('11:10'))).toEqual({ t: T('11:10'), value: 2, layer: 'speed' });
    expect(byT.get(T('11:59'))).toEqual({ t: T('11:59'), value: 0, layer: 'speed' });
    expect(reply.points.reduce((sum, p) => sum + p.value, 0)).toBe(7);
  });

  it('marks a total over both kinds of hour mixed, merging user states across layers', async () => {
    const reply = await get<{ metrics: Record<string, { value: number; layer: string }> }>(`name=page_views,unique_users,revenue&granularity=all&${window}`);
    expect(reply.metrics.page_views).toMatchObject({ value: 7, layer: 'mixed' });
    expect(reply.metrics.unique_users).toMatchObject({ value: 4, layer: 'mixed' });
    expect(reply.metrics.revenue).toMatchObject({ value: 9.99, layer: 'mixed' });
  });

  it('marks totals inside one kind of hour with that layer, hour-aligned or not', async () => {
    const batchHour = await get<{ value: number; layer: string }>(`name=page_views&granularity=all&from=${T('10:00')}&to=${T('11:00')}`);
    expect(batchHour).toMatchObject({ value: 4, layer: 'batch' });
    const users = await get<{ value: number; layer: string }>(`name=unique_users&granularity=all&from=${T('10:04')}&to=${T('10:31')}`);
    expect(users).toMatchObject({ value: 2, layer: 'batch' });
    const speedHour = await get<{ value: number; layer: string }>(`name=unique_users&granularity=all&from=${T('11:00')}&to=${T('12:00')}`);
    expect(speedHour).toMatchObject({ value: 3, layer: 'speed' });
  });

  it('marks breakdown rows over both kinds of hour mixed, and never shows an unpublished version', async () => {
    expect(await get(`name=page_views&group_by=country&${window}`)).toEqual([
      { country: 'US', value: 5, layer: 'mixed' },
      { country: 'DE', value: 2, layer: 'mixed' },
    ]);
    expect(await get(`name=page_views&group_by=country&from=${T('10:00')}&to=${T('11:00')}`)).toEqual([
      { country: 'US', value: 4, layer: 'batch' },
    ]);
  });

  it('marks a day that holds both kinds of hour mixed', async () => {
    const reply = await get<{ points: Point[] }>(`name=page_views&granularity=1d&from=${T('00:00')}&to=${T('24:00')}`);
    expect(reply.points).toEqual([{ t: T('00:00'), value: 7, layer: 'mixed' }]);
  });
});

describe('GET /v1/metrics over a reconciled, a dirty and an unreconciled hour', () => {
  it('reads the dirty hour from its published version until it is reconciled again, and says which hours are dirty', async () => {
    // 09:00 is published and clean; 10:00 is published, then a late file lands (dirty); 11:00 never published.
    await insertSpeed([{ minute: T('09:15'), event: 'page_view', country: 'US', events: 9, users: ['u9'] }]);
    await insertBatch(PUBLISHED, '1m', [{ minute: T('09:15'), event: 'page_view', country: 'US', events: 8, users: ['u9'] }]);
    await insertBatch(PUBLISHED, '1h', [{ minute: T('09:00'), event: 'page_view', country: 'US', events: 8, users: ['u9'] }]);
    await olap.insert(RECONCILE_STATE_TABLE, [{ tenant, hour: at(T('09:00')), version: PUBLISHED, files_read: ['a.parquet'], events: 8, published_at: T('10:02').replace('T', ' ').replace('Z', '') }]);
    await ensureManifestSchema(olap);
    const file = (hour: string, name: string) => ({ tenant, hour: at(T(hour)), file: name, seq: Date.now() * 1000, partition: 0, first_offset: 0, last_offset: 0, events: 1, bytes: 1, replaces: [] });
    await olap.insert(MANIFEST_TABLE, [file('09:00', 'a.parquet'), file('10:00', 'late.parquet')]);
    await insertSpeed([{ minute: T('10:45'), event: 'page_view', country: 'US', events: 1, users: ['u7'] }]); // the late event, in speed only

    expect(await hourStates(olap, tenant)).toMatchObject({ dirty: [Date.parse(T('10:00'))] });
    const reply = await get<{ points: Point[] }>(`name=page_views&granularity=1h&from=${T('09:00')}&to=${T('12:00')}`);
    expect(reply.points).toEqual([
      { t: T('09:00'), value: 8, layer: 'batch' },
      { t: T('10:00'), value: 4, layer: 'batch' },
      { t: T('11:00'), value: 3, layer: 'speed' },
    ]);
  });
});

describe('GET /v1/metrics with filters on values past the dictionary cap', () => {
  it('matches (other) and says so in Strata-Warning, only for values the full dictionary never admitted', async () => {
    const capped = 'capped';
    const countries = Array.from({ length: dimensionCap('country') }, (_, i) => `C${i}`);
    await olap.insert(DICTIONARY_TABLE, countries.map((value) => ({ tenant: capped, dimension: 'country', value, admitted_at: T('09:00').replace('T', ' ').replace('Z', '') })));
    for (const cube of SPEED_CUBES) {
      await olap.insert(speedInputTable(cube), ['C1', OTHER_VALUE].map((country, i) => ({
        tenant: capped, minute: at(T('11:10')),
        ...Object.fromEntries(cube.dimensions.map((d) => [d, d === 'event' ? 'page_view' : d === 'country' ? country : NONE_VALUE])),
        events: i + 2, sessions: 0, revenue: '0', user_ids: [],
      })));
    }
    const ask = (filter: string) => fetch(`${base}/v1/metrics?name=page_views&granularity=all&${window}&${filter}`, { headers: { 'strata-tenant': capped } });
    const atlantis = await ask('country=Atlantis');
    expect(await atlantis.json()).toMatchObject({ value: 3 });
    expect(atlantis.headers.get('strata-warning')).toContain('country:Atlantis');
    const known = await ask('filter=country:C1');
    expect(await known.json()).toMatchObject({ value: 2 });
    expect(known.headers.get('strata-warning')).toBeNull();
    // A tenant whose dictionary has room: an unknown value matches nothing, without a warning.
    const roomy = await fetch(`${base}/v1/metrics?name=page_views&granularity=all&${window}&country=Atlantis`, { headers: { 'strata-tenant': tenant } });
    expect(await roomy.json()).toMatchObject({ value: 0 });
    expect(roomy.headers.get('strata-warning')).toBeNull();
  });
});

describe('GET /v1/metrics with hostile parameters', () => {
  it('answers 4xx or matches nothing, never another tenant\'s rows, never 5xx', async () => {
    const total = (await get<{ value: number }>(`name=page_views&granularity=all&${window}`)).value;
    const hostile = [
      `name=page_views&granularity=all&${window}&country=US') OR 1=1 --`,
      `name=page_views&granularity=all&${window}&filter=country:US'||'`,
      `name=page_views&granularity=all&${window}&filter=country:\\' OR tenant != '`,
      `name=page_views&granularity=all&${window}&group_by=country) UNION ALL SELECT 1 --`,
      `name=page_views&${window}&group_by=tenant`,
      `name=page_views) FROM system.tables --&${window}`,
      `name=page_views&granularity=all&${window}&tenant=other`,
      `name=page_views&granularity=all&${window}&limit=1;DROP`,
      `name=page_views&granularity=1h&from=${T('10:00')}'&to=${T('12:00')}`,
    ];
    for (const query of hostile) {
      const res = await fetch(`${base}/v1/metrics?${query.replace(/[ ';|()]/g, encodeURIComponent)}`, { headers: { 'strata-tenant': tenant } });
      expect(res.status, query).toBeLessThan(500);
      if (res.status === 200) expect(((await res.json()) as { value?: number }).value ?? 0, query).toBe(0);
    }
    expect((await get<{ value: number }>(`name=page_views&granularity=all&${window}`)).value).toBe(total);
    const other = await fetch(`${base}/v1/metrics?name=page_views&granularity=all&${window}`, { headers: { 'strata-tenant': "layers' OR '1'='1" } });
    expect(other.status).toBe(400);
  });
});

