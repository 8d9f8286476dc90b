import { describe, expect, it } from 'vitest';
import { parseMetricsRequest, splitAlternatives } from './metrics-request';

const now = Date.parse('2026-11-27T10:30:15.250Z');
const parse = (params: Record<string, string | string[]>) => parseMetricsRequest(params, now);

describe('metrics request', () => {
  it('floors from and ceils to, so range=7d at 1h is 169 buckets', () => {
    const r = parse({ name: 'page_views', range: '7d' });
    expect(r.granularity).toBe('1h');
    expect(new Date(r.from).toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(new Date(r.to).toISOString()).toBe('2026-11-27T11:00:00.000Z');
    expect((r.to - r.from) / 3_600_000).toBe(169);
  });

  it('defaults the granularity by span: 1m to 2 h, 1h to 7 d, 1d beyond', () => {
    expect(parse({ name: 'events', range: '2h' }).granularity).toBe('1m');
    expect(parse({ name: 'events', range: '121m' }).granularity).toBe('1h');
    expect(parse({ name: 'events', range: '8d' }).granularity).toBe('1d');
  });

  it('covers breakdowns and totals at minute resolution, current minute included', () => {
    const r = parse({ name: 'events', range: '1h', group_by: 'country' });
    expect(r.shape).toBe('breakdown');
    expect(new Date(r.from).toISOString()).toBe('2026-11-27T09:30:00.000Z');
    expect(new Date(r.to).toISOString()).toBe('2026-11-27T10:31:00.000Z');
    expect(parse({ name: 'events', range: '1h', granularity: 'all' }).shape).toBe('total');
    expect(parse({ name: 'events', range: '1h', group_by: 'country', granularity: '1m' }).shape).toBe('series');
  });

  it('takes from/to, defaulting to to now', () => {
    const r = parse({ name: 'events', from: '2026-11-27T08:10:00Z', granularity: '1h' });
    expect(new Date(r.from).toISOString()).toBe('2026-11-27T08:00:00.000Z');
    expect(new Date(r.to).toISOString()).toBe('2026-11-27T11:00:00.000Z');
    expect(() => parse({ name: 'events', from: '2026-11-27T09:00:00Z', to: '2026-11-27T08:00:00Z' })).toThrow(/must be before/);
    // Buckets that start after now are not returned.
    const future = parse({ name: 'events', from: '2026-11-27T08:10:00Z', to: '2026-11-29T00:00:00Z', granularity: '1h' });
    expect(new Date(future.to).toISOString()).toBe('2026-11-27T11:00:00.000Z');
  });

  it('defaults limits to 100 for breakdowns and 10 for grouped series, and bounds points', () => {
    expect(parse({ name: 'events', range: '1d', group_by: 'page' }).limit).toBe(100);
    expect(parse({ name: 'events', range: '1d', group_by: 'page', granularity: '1h' }).limit).toBe(10);
    expect(() => parse({ name: 'events', range: '7d', granularity: '1m' })).toThrow(/10081 points/);
    expect(() => parse({ name: 'events,clicks', range: '7d', group_by: 'page', granularity: '1h', limit: '30' })).toThrow(/coarser granularity/);
    expect(() => parse({ name: 'events', range: '1d', limit: '0' })).toThrow(/"limit" has invalid value "0"/);
  });

  it('merges filter= and direct dimension filters per dimension', () => {
    const r = parse({ name: 'events', range: '1d', filter: ['country:US|DE', 'device:mobile'], country: 'FR' });
    expect([...r.filters]).toEqual([['country', ['US', 'DE', 'FR']], ['device', ['mobile']]]);
  });

  it('splits alternatives on unescaped bars only', () => {
    expect(splitAlternatives('a|b')).toEqual(['a', 'b']);
    expect(splitAlternatives('a\\|b|c\\\\')).toEqual(['a|b', 'c\\']);
    expect(() => splitAlternatives('a\\b')).toThrow(/invalid escape/);
  });
});
