import { describe, expect, it } from 'vitest';
import { normalizeEvent } from './event';

const receivedAt = Date.parse('2026-11-27T12:00:00Z');
const ctx = { tenant: 't1', receivedAt };

function ok(raw: unknown) {
  const result = normalizeEvent(raw, ctx);
  if (!result.ok) throw new Error(result.message);
  return result.event;
}

function rejection(raw: unknown): string {
  const result = normalizeEvent(raw, ctx);
  if (result.ok) throw new Error('expected a rejection');
  return result.message;
}

describe('normalizeEvent', () => {
  it('folds top-level extras into properties and stringifies user_id', () => {
    const e = ok({ event: 'page_view', user_id: 123, page: '/home', country: 'US', device: 'mobile' });
    expect(e.user_id).toBe('123');
    expect(e.properties).toEqual({ page: '/home', country: 'US', device: 'mobile' });
    expect(e.timestamp).toBe(receivedAt);
    expect(e.tenant).toBe('t1');
    expect(e.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('ignores server fields sent by the client', () => {
    const e = ok({ event: 'x', tenant: 'evil', received_at: 1, sample_weight: 1000 });
    expect(e.tenant).toBe('t1');
    expect(e.sample_weight).toBe(1);
    expect(e.received_at).toBe(receivedAt);
    expect(e.properties).toEqual({});
  });

  it('drops prototype-polluting keys at every level', () => {
    const raw = JSON.parse('{"event":"x","__proto__":{"a":1},"properties":{"constructor":1,"o":{"prototype":2,"k":3}}}');
    const e = ok(raw);
    expect(e.properties).toEqual({ o: { k: 3 } });
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });

  it('accepts RFC 3339 with a zone and epoch ms, and rejects other times', () => {
    expect(ok({ event: 'x', timestamp: '2026-11-27T10:00:00+01:00' }).timestamp).toBe(Date.parse('2026-11-27T09:00:00Z'));
    expect(ok({ event: 'x', timestamp: receivedAt - 5 }).timestamp).toBe(receivedAt - 5);
    expect(rejection({ event: 'x', timestamp: '2026-11-27 10:00' })).toMatch(/"timestamp" has invalid value/);
  });

  it('rejects times more than a day ahead, or older than the hot window', () => {
    expect(rejection({ event: 'x', timestamp: receivedAt + 25 * 3_600_000 })).toMatch(/future/);
    expect(rejection({ event: 'x', timestamp: receivedAt - 91 * 86_400_000 })).toMatch(/strata import/);
  });

  it('requires a timestamp with a client event_id', () => {
    expect(rejection({ event: 'x', event_id: 'abc' })).toMatch(/"event_id" requires a "timestamp"/);
    expect(ok({ event: 'x', event_id: 'abc', timestamp: receivedAt }).event_id).toBe('abc');
  });

  it('names the field and its problem', () => {
    expect(rejection({ user_id: 1 })).toBe('"event" is required');
    expect(rejection({ event: '' })).toMatch(/^"event" /);
    expect(rejection({ event: 'x'.repeat(201) })).toMatch(/^"event" /);
    expect(rejection({ event: 'x', event_id: 'e'.repeat(65), timestamp: receivedAt })).toMatch(/^"event_id" /);
    expect(rejection([1])).toBe('an event must be a JSON object');
  });

  it('limits nesting to 8 levels', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 8; i++) deep = { d: deep };
    expect(ok({ event: 'x', properties: { a: 1 }, deep: 1 }).properties).toEqual({ a: 1, deep: 1 });
    expect(rejection({ event: 'x', nested: deep })).toMatch(/nests deeper/);
  });
});

describe('the log record format', () => {
  it('round-trips events, each record decoding on its own', async () => {
    const { encodeEvents, decodeEvents } = await import('./event');
    const a = [ok({ event: 'page_view', user_id: 7, page: '/é', nested: { list: [1, 'two', null, true] }, revenue: 12.5 })];
    const b = [ok({ event: 'click', timestamp: receivedAt - 1 }), ok({ event: 'x', user_id: 'u' })];
    const first = encodeEvents(a);
    const second = encodeEvents(b);
    expect(decodeEvents(second)).toEqual(b);
    expect(decodeEvents(first)).toEqual(a);
    expect(decodeEvents(Buffer.from('not a record'))).toBeUndefined();
    expect(decodeEvents(encodeEvents([{ nope: 1 } as never]))).toBeUndefined();
  });
});
