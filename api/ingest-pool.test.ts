import { afterAll, describe, expect, it } from 'vitest';
import { decodeEvents } from '../core/event';
import { StrataError } from '../core/errors';
import { compileSampling } from '../core/sampling';
import { prepareBatch } from './ingest-batch';
import { startIngestPool } from './ingest-pool';

const pool = startIngestPool(2);
afterAll(() => pool.close());

const input = (body: string) => ({
  body: Buffer.from(body),
  format: { ndjson: false, gzip: false },
  tenant: 't1',
  receivedAt: Date.parse('2026-11-27T12:00:00Z'),
  partitions: 4,
});

describe('ingest pool', () => {
  it('prepares the same records on its threads as inline', async () => {
    const body = JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ event: 'page_view', user_id: i, page: `/p${i % 3}` })).concat([{ nope: 1 } as never]));
    const threaded = await pool.prepare(input(body));
    const inline = prepareBatch(input(body));
    expect(threaded.accepted).toBe(50);
    expect(threaded.errors).toEqual(inline.errors);
    expect(threaded.records.map((r) => r.key)).toEqual(inline.records.map((r) => r.key));
    const strip = (values: Buffer[]) => values.flatMap((v) => decodeEvents(v) ?? []).map(({ event_id: _id, ...rest }) => rest);
    expect(strip(threaded.records.map((r) => r.value))).toEqual(strip(inline.records.map((r) => r.value)));
  });

  it('rejects a bad body with the coded error the handler maps', async () => {
    const err = await pool.prepare(input('{"event":')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StrataError);
    expect((err as StrataError).code).toBe('STRATA_INVALID_JSON');
    const none = await pool.prepare(input('[{"x":1}]')).catch((e: unknown) => e);
    expect((none as StrataError).details?.errors).toHaveLength(1);
  });

  it('samples on its threads by the rules it was started with', async () => {
    const sampling = { 'debug_*': 0.2 };
    const sampled = startIngestPool(1, { sampling });
    try {
      const body = JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ event: 'debug_x', event_id: `d${i}`, timestamp: Date.parse('2026-11-27T11:00:00Z') })));
      const threaded = await sampled.prepare(input(body));
      const inline = prepareBatch(input(body), compileSampling(sampling));
      expect(threaded.accepted).toBe(300);
      expect(threaded.sampledOut).toBe(inline.sampledOut);
      expect(threaded.sampledOut).toBeGreaterThan(0);
      const kept = (values: Buffer[]) => values.flatMap((v) => decodeEvents(v) ?? []).map((e) => [e.event_id, e.sample_weight]);
      expect(kept(threaded.records.map((r) => r.value))).toEqual(kept(inline.records.map((r) => r.value)));
    } finally {
      await sampled.close();
    }
  });

  it('refuses bad sampling rules when it starts, not on its threads', () => {
    expect(() => startIngestPool(1, { sampling: { 'a*b': 0.5 } })).toThrow(/sampling pattern "a\*b" is invalid/);
  });

  it('serves many requests at once', async () => {
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => pool.prepare(input(JSON.stringify([{ event: `e${i}` }])))));
    expect(replies.map((r) => r.accepted)).toEqual(Array.from({ length: 40 }, () => 1));
  });
});
