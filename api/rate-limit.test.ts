import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { type RateLimit, createRateLimit } from './rate-limit';

/** Asks the limit about a request from `tenant`, returning its refusal, if any. */
function hit(limit: RateLimit, tenant = 'a') {
  return limit({ headers: { 'strata-tenant': tenant }, socket: { remoteAddress: '10.0.0.1' } } as unknown as IncomingMessage);
}

describe('createRateLimit', () => {
  it('is off when no rate is set', () => {
    const limit = createRateLimit(undefined);
    for (let i = 0; i < 1000; i++) expect(hit(limit)).toBeUndefined();
  });

  it('allows a burst of one second, then 429s with Retry-After until tokens refill, per client', () => {
    let t = 1_000_000;
    const limit = createRateLimit(5, () => t);
    for (let i = 0; i < 5; i++) expect(hit(limit)).toBeUndefined();
    const refused = hit(limit);
    expect(refused?.code).toBe('STRATA_RATE_LIMITED');
    expect(refused?.details).toEqual({ retryAfterSeconds: 1 });
    expect(hit(limit, 'b')).toBeUndefined();
    t += 200; // one token back at 5 per second
    expect(hit(limit)).toBeUndefined();
    expect(hit(limit)?.code).toBe('STRATA_RATE_LIMITED');
  });
});
