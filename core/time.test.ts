import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRfc3339 } from './time';

describe('parseRfc3339', () => {
  it('agrees with Date.parse on the common UTC shapes', () => {
    for (const text of ['2026-11-27T10:00:00Z', '2026-11-27T10:00:00.123Z', '2024-02-29T23:59:59.999Z', '1970-01-01T00:00:00Z']) {
      expect(parseRfc3339(text), text).toBe(Date.parse(text));
    }
  });

  it('takes zones and other fractions on the general path', () => {
    expect(parseRfc3339('2026-11-27T11:00:00+01:00')).toBe(Date.parse('2026-11-27T10:00:00Z'));
    expect(parseRfc3339('2026-11-27T10:00:00.5Z')).toBe(Date.parse('2026-11-27T10:00:00.500Z'));
  });

  it('rejects impossible dates and times without a zone', () => {
    for (const text of ['2026-02-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-27T24:00:00Z', '2026-11-27T10:00:00', '2026-11-2aT10:00:00Z', '']) {
      expect(parseRfc3339(text), text).toBeUndefined();
    }
  });
});

describe('parseRfc3339 against Date.parse', () => {
  it('agrees on every day of a leap year and a common year, at several times', () => {
    for (const year of [2023, 2024, 2100, 2000]) {
      for (let d = Date.UTC(year, 0, 1); d < Date.UTC(year + 1, 0, 1); d += 86_400_000 + 3_723_456) {
        const text = new Date(d).toISOString();
        expect(parseRfc3339(text), text).toBe(d);
        expect(parseRfc3339(text.replace(/\.\d{3}Z$/, 'Z')), text).toBe(Math.floor(d / 1000) * 1000);
      }
    }
    expect(parseRfc3339('2100-02-29T00:00:00Z')).toBeUndefined();
    expect(parseRfc3339('2000-02-29T00:00:00Z')).toBe(Date.parse('2000-02-29T00:00:00Z'));
  });
});

describe('parseRfc3339 on any instant', () => {
  it('agrees with Date.parse for every time from year 100 to 9999', () => {
    const min = Date.parse('0100-01-01T00:00:00.000Z');
    const max = Date.parse('9999-12-31T23:59:59.999Z');
    fc.assert(fc.property(fc.integer({ min, max }), (ms) => {
      const text = new Date(ms).toISOString();
      expect(parseRfc3339(text), text).toBe(ms);
    }), { numRuns: 5_000 });
  });
});
