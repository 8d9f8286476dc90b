/**
 * A reconciliation that fails mid-insert, then is retried, on chdb for real: the half-written
 * attempt is never served, and the retry's numbers are the hour's exact ones, not doubled.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../core/event';
import { readPublishedHours } from '../../core/layers';
import { parseMetricsRequest } from '../../core/metrics-request';
import { planMetrics, planPublishedHours } from '../../core/planner';
import { HOUR_MS } from '../../core/time';
import type { OlapStore } from '../../infra/olap/olap';
import { archiveEvents, useArchiveFixture } from '../../test/support/archive';
import { reconcileHour } from './reconcile-hour';

const fx = useArchiveFixture('publish_retry');
const hour = Date.parse('2026-11-19T07:00:00Z');

/** The OLAP store, except that the `failAt`-th INSERT … SELECT into a batch table throws, as a lost connection would. */
function failingMidInsert(olap: OlapStore, failAt: number): OlapStore {
  let inserts = 0;
  return new Proxy(olap, {
    get(target, key, receiver) {
      if (key !== 'exec') return Reflect.get(target, key, receiver) as unknown;
      return async (sql: string, options?: Parameters<OlapStore['exec']>[1]) => {
        if (/^\s*INSERT INTO \S*rollup_batch_/.test(sql) && ++inserts === failAt) throw new Error('connection reset mid-insert');
        return target.exec(sql, options);
      };
    },
  });
}

/** What GET /v1/metrics would serve for the hour: events and revenue summed over the published version. */
async function served(olap: OlapStore, tenant: string): Promise<{ events: number; revenue: number }> {
  const request = parseMetricsRequest({ name: 'events,revenue', granularity: 'all', from: new Date(hour).toISOString(), to: new Date(hour + HOUR_MS).toISOString() }, hour + 2 * HOUR_MS);
  const table = (name: string) => olap.table(name);
  const hours = planPublishedHours(request, tenant, table);
  const published = readPublishedHours(await olap.query(hours.sql, { params: hours.params }));
  const total = planMetrics(request, tenant, table, published).total;
  const [row] = await olap.query<{ m0: number; m1: string }>(total?.sql ?? '', { params: total?.params ?? {} });
  return { events: Number(row?.m0), revenue: Number(row?.m1) };
}

describe('a reconciliation retried after failing mid-insert', () => {
  it('never serves the failed attempt, and the retry doubles nothing', async () => {
    const tenant = `r${Date.now()}`;
    const events: NormalizedEvent[] = Array.from({ length: 200 }, (_, i) => ({
      event_id: `e${i}`, event: 'purchase', timestamp: hour + i * 10_000, tenant, user_id: `u${i % 9}`,
      received_at: hour + HOUR_MS, sample_weight: 1, properties: { country: i % 2 ? 'US' : 'DE', revenue: 1.5 },
    }));
    await archiveEvents(fx, events, 0, 0);
    const deps = { olap: fx.olap, objects: fx.objects, workDir: join(fx.dir, 'work') };
    const first = await reconcileHour(deps, tenant, hour);
    expect(await served(fx.olap, tenant)).toEqual({ events: 200, revenue: 300 });

    // The fourth of the eight inserts fails (four cubes, two granularities): rows of the new version
    // are in the total cube and geo_device's 1m rows.
    await expect(reconcileHour({ ...deps, olap: failingMidInsert(fx.olap, 4) }, tenant, hour)).rejects.toThrow('mid-insert');
    expect(await served(fx.olap, tenant)).toEqual({ events: 200, revenue: 300 });

    const retry = await reconcileHour(deps, tenant, hour);
    expect(retry.version).toBeGreaterThan(first.version);
    expect(await served(fx.olap, tenant)).toEqual({ events: 200, revenue: 300 });
    // The failed attempt's rows are there, unread: three versions hold rows, one is served.
    const versions = await fx.olap.query<{ n: string }>(
      `SELECT toString(uniqExact(version)) AS n FROM ${fx.olap.table('rollup_batch_geo_device')} WHERE tenant = {t:String}`, { params: { t: tenant } });
    expect(versions).toEqual([{ n: '3' }]);
  });
});
