/**
 * reconcileHour against a brute-force computation: archive files written the way the speed layer
 * writes them (with duplicates across files, shuffled, late, fractional revenue), then the exact
 * rollups compared bucket by bucket, on chdb and DuckDB for real.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../core/event';
import { dimensionValue, revenueMicros } from '../../core/rollups';
import { HOUR_MS, MINUTE_MS } from '../../core/time';
import { archiveEvents, useArchiveFixture } from '../../test/support/archive';
import { reconcileHour } from './reconcile-hour';

const fx = useArchiveFixture('reconcile');

const hour = Date.parse('2026-11-20T10:00:00Z');

const archive = (events: NormalizedEvent[], partition: number, first: number) => archiveEvents(fx, events, partition, first);

interface Expected { events: number; sessions: number; revenueMicros: number; users: Set<string> }

/** The truth, computed here without SQL: first copies only, sessions with a 30-minute gap. */
function bruteForce(events: NormalizedEvent[]): Map<string, Expected> {
  const first = new Map<string, NormalizedEvent>();
  for (const e of [...events].sort((a, b) => a.received_at - b.received_at)) if (!first.has(e.event_id)) first.set(e.event_id, e);
  const unique = [...first.values()].sort((a, b) => a.timestamp - b.timestamp || (a.event_id < b.event_id ? -1 : 1));
  const lastSeen = new Map<string, number>();
  const out = new Map<string, Expected>();
  for (const e of unique) {
    const previous = e.user_id === null ? undefined : lastSeen.get(e.user_id);
    const start = e.user_id !== null && (previous === undefined || e.timestamp - previous > 30 * MINUTE_MS);
    if (e.user_id !== null) lastSeen.set(e.user_id, e.timestamp);
    if (e.timestamp < hour || e.timestamp >= hour + HOUR_MS) continue;
    const key = `${Math.floor(e.timestamp / MINUTE_MS) * 60}|${e.event}|${dimensionValue(e, 'country')}`;
    const cell = out.get(key) ?? { events: 0, sessions: 0, revenueMicros: 0, users: new Set<string>() };
    cell.events += e.sample_weight;
    cell.sessions += start ? e.sample_weight : 0;
    cell.revenueMicros += revenueMicros(e) * e.sample_weight;
    if (e.user_id !== null) cell.users.add(e.user_id);
    out.set(key, cell);
  }
  return out;
}

describe('reconcileHour', () => {
  it('publishes exact per-minute rollups: duplicates once, sessions across the hour boundary, revenue to the micro', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({
        minute: fc.integer({ min: -40, max: 59 }), // some in the previous hour: the session lookback
        second: fc.integer({ min: 0, max: 59 }),
        user: fc.option(fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5'), { nil: null }),
        country: fc.constantFrom('US', 'DE'),
        purchase: fc.boolean(),
        cents: fc.integer({ min: 0, max: 1_000_000 }),
      }), { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 0, max: 1000 }),
      async (specs, seed) => {
        const tenant = `t${seed}x${Math.random().toString(36).slice(2, 8)}`;
        const events: NormalizedEvent[] = specs.map((s, i) => ({
          event_id: `e${i}`, event: s.purchase ? 'purchase' : 'page_view',
          timestamp: hour + s.minute * MINUTE_MS + s.second * 1000, tenant, user_id: s.user,
          received_at: hour + HOUR_MS + i, sample_weight: 1,
          properties: { country: s.country, ...(s.purchase ? { revenue: s.cents / 100 + 0.001 } : {}) },
        }));
        // A replay archives some events again, later and in another file.
        const copies = events.filter((_, i) => (i + seed) % 5 === 0).map((e) => ({ ...e, received_at: e.received_at + 10_000 }));
        await archive(events.filter((e) => e.timestamp < hour), 0, 0);
        await archive(events.filter((e) => e.timestamp >= hour).reverse(), 1, 100);
        if (copies.length > 0) await archive(copies, 1, 200);

        const result = await reconcileHour({ olap: fx.olap, objects: fx.objects, workDir: join(fx.dir, 'work') }, tenant, hour);
        const expected = bruteForce([...events, ...copies]);
        expect(result.events).toBe(events.filter((e) => e.timestamp >= hour).length);

        const minuteRows = (version: number) => fx.olap.query<{ m: number; event: string; country: string; events: number; sessions: number; revenue: string; users: string }>(
          `SELECT toUnixTimestamp(bucket) AS m, event, country, sum(events) AS events, sum(sessions) AS sessions, toString(sum(revenue)) AS revenue, toString(sum(users_exact)) AS users
           FROM ${fx.olap.table('rollup_batch_geo_device')}
           WHERE tenant = {t:String} AND version = {v:UInt64} AND granularity = '1m' GROUP BY m, event, country ORDER BY m, event, country`,
          { params: { t: tenant, v: version } });
        const rows = await minuteRows(result.version);
        expect(rows.length).toBe(expected.size);
        for (const row of rows) {
          const cell = expected.get(`${row.m}|${row.event}|${row.country}`);
          expect(cell, `${row.m}|${row.event}|${row.country}`).toBeDefined();
          expect(row.events).toBe(cell!.events);
          expect(row.sessions).toBe(cell!.sessions);
          expect(Number(row.revenue)).toBeCloseTo(cell!.revenueMicros / 1e6, 6);
          expect(Number(row.users)).toBe(cell!.users.size);
        }
        // A rerun reads the one file the hour was compacted into, and serves the very same rows.
        const again = await reconcileHour({ olap: fx.olap, objects: fx.objects, workDir: join(fx.dir, 'work') }, tenant, hour);
        expect(again).toMatchObject({ events: result.events, filesRead: Math.min(result.filesRead, 1), compactedInto: undefined });
        expect(await minuteRows(again.version)).toEqual(rows);
      },
    ), { numRuns: 8 });
  }, 120_000);

  it('publishes a quiet hour as empty, and a rerun under a newer version with the same numbers', async () => {
    const tenant = `q${Date.now()}`;
    const empty = await reconcileHour({ olap: fx.olap, objects: fx.objects, workDir: join(fx.dir, 'work') }, tenant, hour);
    expect(empty).toMatchObject({ events: 0, filesRead: 0 });
    await archive([{ event_id: 'a', event: 'click', timestamp: hour + 5, tenant, user_id: 'u', received_at: hour, sample_weight: 2, properties: {} }], 0, 0);
    const first = await reconcileHour({ olap: fx.olap, objects: fx.objects, workDir: join(fx.dir, 'work') }, tenant, hour);
    const again = await reconcileHour({ olap: fx.olap, objects: fx.objects, workDir: join(fx.dir, 'work') }, tenant, hour);
    expect(again.version).toBeGreaterThan(first.version);
    const totals = await fx.olap.query<{ version: string; events: number }>(
      `SELECT toString(version) AS version, sum(events) AS events FROM ${fx.olap.table('rollup_batch_full')} WHERE tenant = {t:String} AND granularity = '1h' GROUP BY version ORDER BY version`,
      { params: { t: tenant } });
    expect(totals).toEqual([{ version: String(first.version), events: 2 }, { version: String(again.version), events: 2 }]);
  });
});
