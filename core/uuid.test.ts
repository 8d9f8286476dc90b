import { describe, expect, it } from 'vitest';
import { uuidv7 } from './uuid';

describe('uuidv7', () => {
  it('has the v7 layout, the time in its first 48 bits, and no repeats', () => {
    const now = Date.parse('2026-11-27T12:00:00.123Z');
    const ids = Array.from({ length: 10_000 }, () => uuidv7(now));
    for (const id of ids.slice(0, 100)) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(now);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
