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
import { createChdbStore } from '../infra/olap/chdb';
import type { OlapStore } from '../infra/olap/olap';
import { ensureRollupSchema } from '../infra/olap/schema';
import { startSpeedLayer } from './speed-layer';

const dir = mkdtempSync(join(tmpdir(), 'strata-speed-'));
let olap: OlapStore;
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  olap = await createChdbStore({ path: join(dir, 'olap'), database: `speed_${process.pid}` });
  await ensureRollupSchema(olap);
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
  wrapper.insertJsonEachRow = async (table, body) => {
    if (wrapper.failing) {
      wrapper.failures++;
      throw new Error('injected insert failure');
    }
    return store.insertJsonEachRow(table, body);
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

function batch(tenant: string, n: number, from: number) {
  const events = Array.from({ length: n }, (_, i) => {
    const r = normalizeEvent({ event: 'page_view', user_id: `u${from + i}` }, { tenant, receivedAt: Date.now() });
    if (!r.ok) throw new Error(r.message);
    return r.event;
  });
  return [{ key: `${tenant}-${from}`, value: encodeEvents(events) }];
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
    const speed = await startSpeedLayer({ log: observed, olap: store, logger, flushIntervalMs: 3_600_000 });
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
    } finally {
      await speed.stop();
      await log.close();
    }
  });

  it('resumes after a restart from the last commit, without recounting what was committed', async () => {
    const tenant = `r${Date.now()}`;
    const logDir = join(dir, 'log-b');
    let log = await createLocalLog({ dir: logDir, logger });
    let speed = await startSpeedLayer({ log, olap, logger, flushIntervalMs: 50 });
    await log.append(batch(tenant, 4, 0));
    await expect.poll(() => countEvents(tenant), { timeout: 10_000 }).toBe(4);
    await speed.stop();
    await log.append(batch(tenant, 3, 4)); // written while no consumer runs
    await log.close();

    log = await createLocalLog({ dir: logDir, logger });
    speed = await startSpeedLayer({ log, olap, logger, flushIntervalMs: 50 });
    try {
      await expect.poll(() => countEvents(tenant), { timeout: 10_000 }).toBe(7);
    } finally {
      await speed.stop();
      await log.close();
    }
  });
});
