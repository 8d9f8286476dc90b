/**
 * reconcileDay on chdb and DuckDB for real: a day of archived events with duplicates, and more
 * distinct users than uniqCombined counts exactly, against counts made here.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../core/event';
import { HOUR_MS } from '../../core/time';
import { archiveEvents, useArchiveFixture } from '../../test/support/archive';
import { reconcileDay } from './reconcile-day';
import { reconcileHour } from './reconcile-hour';

const fx = useArchiveFixture('reconcile_day');
const day = Date.parse('2026-11-18T00:00:00Z');
const COUNTRIES = ['US', 'DE', 'JP'];

describe('reconcileDay', () => {
  it('waits for all 24 hours, then publishes day rows with exact distinct users per dimension', async () => {
    const tenant = `d${Date.now()}`;
    const deps = { olap: fx.olap, objects: fx.objects, workDir: join(fx.dir, 'work') };
    // 12,000 events of 10,000 users: past the ~8K distinct values up to which uniqCombined is exact.
    const events: NormalizedEvent[] = Array.from({ length: 12_000 }, (_, i) => ({
      event_id: `e${i}`, event: i % 7 === 0 ? 'purchase' : 'page_view', timestamp: day + ((i * 7_919) % 86_400) * 1000,
      tenant, user_id: i % 50 === 0 ? null : `u${i % 10_000}`, received_at: day + 86_400_000 + i, sample_weight: 1,
      properties: { country: COUNTRIES[i % 3] as string },
    }));
    const copies = events.filter((_, i) => i % 20 === 0).map((e) => ({ ...e, received_at: e.received_at + 5_000 }));
    await archiveEvents(fx, events, 0, 0);
    await archiveEvents(fx, copies, 1, 0);

    for (let h = 0; h < 23; h++) await reconcileHour(deps, tenant, day + h * HOUR_MS);
    const early = await reconcileDay(deps, tenant, day);
    expect(early).toMatchObject({ published: false, unpublishedHours: ['2026-11-18T23:00:00Z'] });

    await reconcileHour(deps, tenant, day + 23 * HOUR_MS);
    const built = await reconcileDay(deps, tenant, day);
    const allUsers = new Set(events.flatMap((e) => (e.user_id === null ? [] : [e.user_id])));
    expect(built).toMatchObject({ published: true, users: allUsers.size });
    if (!built.published) throw new Error('unreachable');

    const rows = await fx.olap.query<{ country: string; events: number; users: string; merged: string }>(
      `SELECT country, sum(events) AS events, toString(sum(users_exact)) AS users, toString(uniqExactMerge(users_set)) AS merged
       FROM ${fx.olap.table('rollup_day_geo_device')} WHERE tenant = {t:String} AND version = {v:UInt64}
       GROUP BY country ORDER BY country`, { params: { t: tenant, v: built.version } });
    const expected = COUNTRIES.map((country) => {
      const of = events.filter((e) => e.properties.country === country);
      const users = new Set(of.flatMap((e) => (e.user_id === null ? [] : [e.user_id])));
      return { country, events: of.length, users: String(users.size), merged: String(users.size) };
    }).sort((a, b) => a.country.localeCompare(b.country));
    // geo_device rows split by event too, so users_exact adds up per (event, country) row.
    const perEvent = (country: string) => ['page_view', 'purchase'].reduce((n, name) => n + new Set(events
      .filter((e) => e.properties.country === country && e.event === name && e.user_id !== null).map((e) => e.user_id)).size, 0);
    expect(rows).toEqual(expected.map((e) => ({ ...e, users: String(perEvent(e.country)) })));

    const state = await fx.olap.query<{ hv: string[] }>(
      `SELECT arrayMap(v -> toString(v), hour_versions) AS hv FROM ${fx.olap.table('reconcile_day_state')} WHERE tenant = {t:String}`,
      { params: { t: tenant } });
    expect(state).toHaveLength(1);
    expect(state[0]?.hv).toHaveLength(24);
  }, 120_000);
});
