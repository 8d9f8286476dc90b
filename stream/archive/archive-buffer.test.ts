import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../core/event';
import { SEAL_EVERY, createArchiveBuffer } from './archive-buffer';

const hour = Date.parse('2026-11-27T10:00:00Z');
const event = (id: string, tenant: string, timestamp: number): NormalizedEvent => ({
  event_id: id, event: 'page_view', timestamp, tenant, user_id: null, received_at: timestamp, sample_weight: 1, properties: { revenue: 1.5 },
});
const values = ['page_view', 'US', '(none)', '(none)', '(none)'];
const spool = mkdtempSync(join(tmpdir(), 'strata-spool-test-'));
afterAll(() => rmSync(spool, { recursive: true, force: true }));

describe('archive buffer', () => {
  it('groups by tenant, event hour and partition, each named by its partition\'s whole range', () => {
    const buffer = createArchiveBuffer(join(spool, 'a'));
    buffer.noteRecord(0, 7);
    buffer.add(event('a', 't1', hour + 5), 0, 7, values, 1_500_000);
    buffer.add(event('b', 't1', hour - 1), 0, 7, values, 0); // the hour before
    buffer.noteRecord(0, 9);
    buffer.add(event('c', 't2', hour + 9), 0, 9, values, 0);
    buffer.noteRecord(1, 3); // a record with no decodable events still bounds the range
    expect(buffer.pending).toBe(3);
    const chunks = buffer.drain().map(({ path, ...rest }) => ({ ...rest, columns: JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> }));
    expect(chunks.map(({ tenant, hour: h, partition, firstOffset, lastOffset, events }) => ({ tenant, h, partition, firstOffset, lastOffset, events }))).toEqual([
      { tenant: 't1', h: hour, partition: 0, firstOffset: 7, lastOffset: 9, events: 1 },
      { tenant: 't1', h: hour - 3_600_000, partition: 0, firstOffset: 7, lastOffset: 9, events: 1 },
      { tenant: 't2', h: hour, partition: 0, firstOffset: 7, lastOffset: 9, events: 1 },
    ]);
    expect(chunks[0]?.columns).toMatchObject({ event_id: ['a'], revenue: ['1.500000'], offset: [7], dims: [['page_view'], ['US'], ['(none)'], ['(none)'], ['(none)']], properties: [{ revenue: 1.5 }] });
    expect(buffer.pending).toBe(0);
    expect(buffer.drain()).toEqual([]);
  });

  it('spools what was sealed as lines of one chunk\'s file', () => {
    const buffer = createArchiveBuffer(join(spool, 'b'));
    buffer.noteRecord(2, 1);
    buffer.add(event('a', 't', hour), 2, 1, values, 0);
    buffer.seal();
    // Sealed lines are on disk before any drain.
    expect(readFileSync(join(spool, 'b', '0.json'), 'utf8')).toContain('"event_id":["a"]');
    buffer.noteRecord(2, 2);
    buffer.add(event('b', 't', hour), 2, 2, values, 0);
    const [chunk, ...rest] = buffer.drain();
    expect(rest).toEqual([]);
    expect(chunk).toMatchObject({ partition: 2, firstOffset: 1, lastOffset: 2, events: 2 });
    const lines = readFileSync(chunk?.path ?? '', 'utf8').split('\n').map((line) => JSON.parse(line) as { event_id: string[] });
    expect(lines.map((l) => l.event_id)).toEqual([['a'], ['b']]);
    // A drain starts afresh: the next seal opens a new file, leaving the drained one to its writer.
    buffer.add(event('c', 't', hour), 2, 3, values, 0);
    const [next] = buffer.drain();
    expect(next?.path).not.toBe(chunk?.path);
    expect(existsSync(chunk?.path ?? '')).toBe(true);
  });

  it('seals by itself every SEAL_EVERY events, so that their objects die young', () => {
    const buffer = createArchiveBuffer(join(spool, 'c'));
    for (let i = 0; i < SEAL_EVERY - 1; i++) buffer.add(event(`e${i}`, 't', hour), 0, i, values, 0);
    expect(existsSync(join(spool, 'c', '0.json'))).toBe(false);
    buffer.add(event('last', 't', hour), 0, SEAL_EVERY, values, 0);
    expect(readFileSync(join(spool, 'c', '0.json'), 'utf8')).toContain('"last"');
    expect(buffer.drain()[0]?.events).toBe(SEAL_EVERY);
  });
});
