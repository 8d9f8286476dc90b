/**
 * The speed layer on the embedded adapters (the local log and chdb), with a fault injected into
 * the store's inserts: nothing acknowledged may be lost, and a failed flush must not let a later
 * commit skip past the events it held.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEvents, normalizeEvent } from '../core/event';
import type { EventLog } from '../infra/eventlog/eventlog';
import { createLocalLog } from '../infra/eventlog/local-log';
import { createFsObjectStore } from '../infra/objectstore/fs';
import type { ObjectStore } from '../infra/objectstore/objectstore';
import { createChdbStore } from '../infra/olap/chdb';
import type { OlapStore } from '../infra/olap/olap';
import { ensureRollupSchema } from '../infra/olap/schema';
import { archivedEventIds, queryArchive } from '../test/support/archive';
import { listArchiveFiles } from './archive/manifest';
import { type SpeedLayerOptions, startSpeedLayer } from './speed-layer';

const dir = mkdtempSync(join(tmpdir(), 'strata-speed-'));
let olap: OlapStore;
let objects: ObjectStore;
const logger = pino({ level: 'silent' });
const scratch = { tmpDir: join(dir, 'tmp') };

beforeAll(async () => {
  olap = await createChdbStore({ path: join(dir, 'olap'), database: `speed_${process.pid}` });
  await ensureRollupSchema(olap);
  objects = createFsObjectStore({ root: join(dir, 'objects') });
});
afterAll(async () => {
  await olap?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The real store, whose inserts fail while `failing` is set. */
function faulty(store: OlapStore): OlapStore & { failing: boolean; failures: number } {
  const wrapper = Object.create(store) as OlapStore & { failing: boolean; failures: number };
  wrapper.failing = false;
  wrapper.failures = 0;
  wrapper.insertRows = async (table, body, format) => {
    if (wrapper.failing) {
      wrapper.failures++;
      throw new Error('injected insert failure');
    }
    return store.insertRows(table, body, format);
  };
  return wrapper;
}

async function countEvents(tenant: string): Promise<number> {
  const rows = await olap.query<{ n: number }>(`SELECT sum(events) AS n FROM ${olap.table('rollup_speed_geo_device')} WHERE tenant = {t:String}`, { params: { t: tenant } });
  return Number(rows[0]?.n ?? 0);
}

async function distinctUsers(tenant: string): Promise<number> {
  const rows = await olap.query<{ n: number }>(`SELECT uniqCombinedMerge(users) AS n FROM ${olap.table('rollup_speed_geo_device')} WHERE tenant = {t:String}`, { params: { t: tenant } });
  return Number(rows[0]?.n ?? 0);
}

/** Ids of every event the tests appended, per tenant. */
const appended = new Map<string, Set<string>>();

function batch(tenant: string, n: number, from: number) {
  const events = Array.from({ length: n }, (_, i) => {
    const r = normalizeEvent({ event: 'page_view', user_id: `u${from + i}` }, { tenant, receivedAt: Date.now() });
    if (!r.ok) throw new Error(r.message);
    return r.event;
  });
  const ids = appended.get(tenant) ?? new Set<string>();
  events.forEach((e) => ids.add(e.event_id));
  appended.set(tenant, ids);
  return [{ key: `${tenant}-${from}`, value: encodeEvents(events) }];
}

function start(options: Omit<SpeedLayerOptions, 'objects' | 'logger' | 'tmpDir'>) {
  return startSpeedLayer({ objects, logger, ...scratch, ...options });
}

describe('speed layer', () => {
  it('loses nothing when a flush fails, even with another flush queued behind it', async () => {
    const tenant = `t${Date.now()}`;
    const log = await createLocalLog({ dir: join(dir, 'log-a'), logger });
    let delivered = 0;
    // The real log, observed: counts what it hands the speed layer.
    const observed = Object.create(log) as EventLog;
    observed.subscribe = (options) => log.subscribe({ ...options, onBatch: async (b) => {
      await options.onBatch(b);
      delivered += b.records.length;
    } });
    const store = faulty(olap);
    const speed = await start({ log: observed, olap: store, flushIntervalMs: 3_600_000 });
    try {
      await log.append(batch(tenant, 10, 0));
      await expect.poll(() => delivered).toBe(1);
      await speed.flush();

      store.failing = true;
      await log.append(batch(tenant, 5, 10));
      await expect.poll(() => delivered).toBe(2);
      const failed = speed.flush();
      await log.append(batch(tenant, 7, 15)); // lands while the failed flush is being recovered
      await expect.poll(() => delivered).toBeGreaterThanOrEqual(3);
      store.failing = false;
      const queued = speed.flush(); // must not commit past the failed flush's events
      await expect(failed).rejects.toThrow(/injected/);
      await queued;

      await expect.poll(async () => {
        await speed.flush();
        return log.lag('speed');
      }, { timeout: 10_000 }).toBe(0);
      // At least once: a replay may count an event twice, but every user must be there.
      expect(await distinctUsers(tenant)).toBe(22);
      expect(await countEvents(tenant)).toBeGreaterThanOrEqual(22);
      // The archive holds every acknowledged event, whatever was replayed.
      expect(await archivedEventIds(objects, `raw/tenant=${tenant}/`)).toEqual(appended.get(tenant));
    } finally {
      await speed.stop();
      await log.close();
    }
  });

  it('resumes after a restart from the last commit, without recounting what was committed', async () => {
    const tenant = `r${Date.now()}`;
    const logDir = join(dir, 'log-b');
    let log = await createLocalLog({ dir: logDir, logger });
    let speed = await start({ log, olap, flushIntervalMs: 50, archiveIntervalMs: 100 });
    await log.append(batch(tenant, 4, 0));
    await expect.poll(() => countEvents(tenant), { timeout: 10_000 }).toBe(4);
    await speed.stop();
    await log.append(batch(tenant, 3, 4)); // written while no consumer runs
    await log.close();

    log = await createLocalLog({ dir: logDir, logger });
    speed = await start({ log, olap, flushIntervalMs: 50, archiveIntervalMs: 100 });
    try {
      await expect.poll(() => countEvents(tenant), { timeout: 10_000 }).toBe(7);
      await expect.poll(async () => (await archivedEventIds(objects, `raw/tenant=${tenant}/`)).size, { timeout: 10_000 }).toBe(7);
      const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
      const files = await listArchiveFiles(olap, tenant, hour);
      expect(files.reduce((n, f) => n + f.events, 0)).toBeGreaterThanOrEqual(7);
      expect(files.every((f) => f.file.startsWith(`raw/tenant=${tenant}/`))).toBe(true);
    } finally {
      await speed.stop();
      await log.close();
    }
  });
});

describe('speed layer decisions', () => {
  it('enriches from profiles, caps by the dictionary, counts sessions, and archives what it decided', async () => {
    const tenant = `d${Date.now()}`;
    const log = await createLocalLog({ dir: join(dir, 'log-c'), logger });
    const lookups: string[][] = [];
    const enrichment = {
      tenants: () => Promise.resolve([tenant]),
      lookup: (_t: string, userIds: string[]) => {
        lookups.push(userIds);
        return Promise.resolve(new Map(userIds.filter((u) => u === 'p1').map((u) => [u, { country: 'NZ', device: 'tv' }])));
      },
    };
    const speed = await start({ log, olap, flushIntervalMs: 3_600_000, enrichment });
    try {
      const now = Date.now();
      const raw = [
        { event: 'page_view', user_id: 'p1', device: 'mobile' }, // country from the profile, device its own
        { event: 'page_view', user_id: 'p2' }, // no profile
        ...Array.from({ length: 1005 }, (_, i) => ({ event: 'click', user_id: 'p3', campaign: `c${i}`, timestamp: now - i })),
      ];
      const events = raw.map((e) => {
        const r = normalizeEvent(e, { tenant, receivedAt: now });
        if (!r.ok) throw new Error(r.message);
        return r.event;
      });
      await log.append([{ key: tenant, value: encodeEvents(events) }]);
      await expect.poll(() => log.lag('speed').then(async (lag) => {
        await speed.flush();
        return lag;
      }), { timeout: 10_000 }).toBe(0);

      const byCountry = await olap.query<{ country: string; device: string; n: number }>(
        `SELECT country, device, sum(events) AS n FROM ${olap.table('rollup_speed_geo_device')} WHERE tenant = {t:String} AND event = 'page_view' GROUP BY country, device ORDER BY country`,
        { params: { t: tenant } });
      expect(byCountry).toEqual([{ country: '(none)', device: '(none)', n: 1 }, { country: 'NZ', device: 'mobile', n: 1 }]);
      expect(lookups.flat().sort()).toEqual(['p1', 'p2', 'p3']);

      const campaigns = await olap.query<{ other: number; named: number; sessions: number }>(
        `SELECT sumIf(events, campaign = '(other)') AS other, sumIf(events, campaign != '(other)') AS named, sum(sessions) AS sessions
         FROM ${olap.table('rollup_speed_full')} WHERE tenant = {t:String} AND event = 'click'`, { params: { t: tenant } });
      expect(campaigns).toEqual([{ other: 5, named: 1000, sessions: 1 }]);

      const archived = await queryArchive<{ country: string; campaign: string; n: number }>(objects, `raw/tenant=${tenant}/`,
        `SELECT dims.country AS country, dims.campaign AS campaign, count(*)::INTEGER AS n FROM archive GROUP BY ALL ORDER BY n DESC, country LIMIT 3`);
      expect(archived[0]).toEqual({ country: '(none)', campaign: '(other)', n: 5 });
      const enriched = await queryArchive<{ country: string; properties: string }>(objects, `raw/tenant=${tenant}/`,
        `SELECT dims.country AS country, properties::VARCHAR AS properties FROM archive WHERE user_id = 'p1'`);
      expect(enriched).toEqual([{ country: 'NZ', properties: '{"device":"mobile"}' }]);

      const admitted = await olap.query<{ n: string }>(`SELECT count() AS n FROM ${olap.table('dimension_dictionary')} WHERE tenant = {t:String} AND dimension = 'campaign'`, { params: { t: tenant } });
      expect(Number(admitted[0]?.n)).toBe(1000);
    } finally {
      await speed.stop();
      await log.close();
    }
  });
});
