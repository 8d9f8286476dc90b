import { describe, expect, it } from 'vitest';
import { type NormalizedEvent, decodeEvents } from '../core/event';
import { compileSampling } from '../core/sampling';
import { prepareBatch } from './ingest-batch';

const receivedAt = Date.parse('2026-11-27T12:00:00Z');
const input = (events: unknown[]) => ({
  body: Buffer.from(JSON.stringify(events)),
  format: { ndjson: false, gzip: false },
  tenant: 't1',
  receivedAt,
  partitions: 4,
});
const appended = (records: { value: Buffer }[]): NormalizedEvent[] => records.flatMap((r) => decodeEvents(r.value) ?? []);
const debug = (n: number) => Array.from({ length: n }, (_, i) => ({ event: 'debug_sql', event_id: `d-${i}`, timestamp: receivedAt }));

describe('prepareBatch with sampling', () => {
  it('counts dropped events in accepted and appends only the kept, weighted 1 / rate', () => {
    const sample = compileSampling({ 'debug_*': 0.1 });
    const events = [...debug(900), { event: 'page_view' }, { event: 'purchase', revenue: 5 }, { nope: 1 }];
    const batch = prepareBatch(input(events), sample);
    expect(batch.accepted).toBe(902);
    expect(batch.errors.map((e) => e.index)).toEqual([902]);
    const kept = appended(batch.records);
    expect(kept.length).toBe(batch.accepted - batch.sampledOut);
    const debugKept = kept.filter((e) => e.event === 'debug_sql');
    // 900 draws at 10%: within 5 standard deviations (9 events each) of 90.
    expect(Math.abs(debugKept.length - 90)).toBeLessThan(5 * 9);
    expect(new Set(debugKept.map((e) => e.sample_weight))).toEqual(new Set([10]));
    expect(kept.filter((e) => e.event !== 'debug_sql').map((e) => [e.event, e.sample_weight]).sort()).toEqual([['page_view', 1], ['purchase', 1]]);
  });

  it('drops the same events when a request is retried', () => {
    const sample = compileSampling({ 'debug_*': 0.3 });
    const ids = (records: { value: Buffer }[]) => appended(records).map((e) => e.event_id).sort();
    expect(ids(prepareBatch(input(debug(500)), sample).records)).toEqual(ids(prepareBatch(input(debug(500)), sample).records));
  });

  it('accepts a request whose every event is dropped, with its count and no records', () => {
    const sample = compileSampling({ 'debug_*': 0.01 });
    // Ids the 1% rule drops, found by the same decision the batch makes.
    const dropped = debug(200).filter((e) => sample?.(e.event, e.event_id, {}) === 0).slice(0, 50);
    expect(dropped).toHaveLength(50);
    const batch = prepareBatch(input(dropped), sample);
    expect(batch).toEqual({ records: [], accepted: 50, sampledOut: 50, errors: [] });
  });

  it('leaves every weight at 1 without rules', () => {
    const batch = prepareBatch(input(debug(100)), compileSampling({}));
    expect(batch.sampledOut).toBe(0);
    expect(appended(batch.records).every((e) => e.sample_weight === 1)).toBe(true);
    expect(appended(batch.records)).toHaveLength(100);
  });
});
