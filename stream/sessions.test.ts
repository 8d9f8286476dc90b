import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SESSION_GAP_MS, createSessionTracker } from './sessions';

describe('session tracker', () => {
  it('in time order, counts exactly the events with no event of the same user in the gap before', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('u1', 'u2', 'u3'), fc.integer({ min: 0, max: 4 * SESSION_GAP_MS }))), (events) => {
      const sorted = [...events].sort((a, b) => a[1] - b[1]);
      const tracker = createSessionTracker();
      const last = new Map<string, number>();
      for (const [user, ts] of sorted) {
        const prev = last.get(user);
        const expected = prev === undefined || ts - prev > SESSION_GAP_MS;
        last.set(user, ts);
        expect(tracker.isStart('t', user, ts)).toBe(expected);
      }
    }));
  });

  it('keeps tenants apart and forgets idle users on a sweep', () => {
    const tracker = createSessionTracker();
    expect(tracker.isStart('a', 'u', 1000)).toBe(true);
    expect(tracker.isStart('b', 'u', 1000)).toBe(true);
    expect(tracker.isStart('a', 'u', 2000)).toBe(false);
    tracker.sweep(5000);
    expect(tracker.size).toBe(0);
    expect(tracker.isStart('a', 'u', 3000)).toBe(true);
  });
});
