import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_DIMENSIONS, SPEED_CUBES as CUBES } from '../core/dimensions';
import type { NormalizedEvent } from '../core/event';
import { dimensionValue } from '../core/rollups';
import { createBucketFold, type SpeedDeltaRow } from './buckets';

const base = Date.parse('2026-11-27T00:00:00Z');
const valuesOf = (e: NormalizedEvent) => BUILT_IN_DIMENSIONS.map((d) => dimensionValue(e, d));

function event(i: number, minuteOffset: number, user: string | null, country: string, revenue?: number): NormalizedEvent {
  return {
    event_id: `e${i}`, event: revenue === undefined ? 'page_view' : 'purchase', timestamp: base + minuteOffset * 60_000 + (i % 60) * 1000,
    tenant: 't', user_id: user, received_at: base, sample_weight: 1,
    properties: { country, ...(revenue === undefined ? {} : { revenue }) },
  };
}

describe('bucket fold', () => {
  it('matches a brute-force computation for shuffled, duplicated and late streams', () => {
    const arbEvent = fc.record({
      minute: fc.integer({ min: -3000, max: 5 }),
      user: fc.option(fc.constantFrom('u1', 'u2', 'u3', 'u4'), { nil: null }),
      country: fc.constantFrom('US', 'DE', 'FR'),
      revenue: fc.option(fc.integer({ min: 0, max: 10_000_000 }).map((c) => c / 100), { nil: undefined }),
    });
    fc.assert(fc.property(fc.array(arbEvent, { maxLength: 200 }), fc.integer(), (specs, seed) => {
      const events = specs.map((s, i) => event(i, s.minute, s.user, s.country, s.revenue));
      const stream = [...events, ...events.filter((_, i) => (i + seed) % 7 === 0)]; // duplicates
      stream.sort((a, b) => ((a.event_id.length * 31 + seed) % 5) - ((b.event_id.length * 17) % 5)); // reorder
      const fold = createBucketFold(CUBES);
      stream.forEach((e, i) => fold.add(e, valuesOf(e), valuesOf(e), i % 3 === 0));
      const geo = CUBES.find((c) => c.name === 'geo_device');
      const rows = fold.drain().get(geo!) ?? [];

      const expected = new Map<string, { events: number; sessions: number; cents: number; users: Set<string> }>();
      for (const [i, e] of stream.entries()) {
        const key = `${Math.floor(e.timestamp / 60_000) * 60}|${e.event}|${String(e.properties.country)}`;
        const cell = expected.get(key) ?? { events: 0, sessions: 0, cents: 0, users: new Set<string>() };
        cell.events += 1;
        cell.sessions += i % 3 === 0 ? 1 : 0;
        cell.cents += Math.round(Number(e.properties.revenue ?? 0) * 100);
        if (e.user_id) cell.users.add(e.user_id);
        expected.set(key, cell);
      }
      expect(rows.length).toBe(expected.size);
      for (const row of rows as SpeedDeltaRow[]) {
        const cell = expected.get(`${row.minute}|${row.event}|${row.country}`);
        expect(cell).toBeDefined();
        expect(row.events).toBe(cell!.events);
        expect(row.sessions).toBe(cell!.sessions);
        expect(row.revenue).toBe((cell!.cents / 100).toFixed(6));
        expect(new Set(row.user_ids)).toEqual(cell!.users);
        expect(row.device).toBe('(none)');
      }
    }));
  });

  it('starts afresh after a drain', () => {
    const fold = createBucketFold(CUBES);
    const e = event(1, 0, 'u', 'US');
    fold.add(e, valuesOf(e), valuesOf(e), true);
    expect(fold.pending).toBe(1);
    fold.drain();
    expect(fold.pending).toBe(0);
    expect([...fold.drain().values()].flat()).toEqual([]);
  });
});
