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
