import type express from 'express';
import { describe, expect, it } from 'vitest';
import type { StrataError } from '../core/errors';
import { rateLimit } from './rate-limit';

/** Runs the middleware on a fake request from `tenant`, returning the error it passed on, if any. */
function hit(limiter: express.RequestHandler, tenant = 'a'): StrataError | undefined {
  let passed: unknown;
  const req = { headers: { 'strata-tenant': tenant }, socket: { remoteAddress: '10.0.0.1' } } as unknown as express.Request;
  void limiter(req, {} as express.Response, (err?: unknown) => {
    passed = err;
  });
  return passed as StrataError | undefined;
}

describe('rateLimit', () => {
  it('is off when no rate is set', () => {
    const limiter = rateLimit(undefined);
    for (let i = 0; i < 1000; i++) expect(hit(limiter)).toBeUndefined();
  });

  it('allows a burst of one second, then 429s with Retry-After until tokens refill, per client', () => {
    let t = 1_000_000;
    const limiter = rateLimit(5, () => t);
    for (let i = 0; i < 5; i++) expect(hit(limiter)).toBeUndefined();
    const refused = hit(limiter);
    expect(refused?.code).toBe('STRATA_RATE_LIMITED');
    expect(refused?.details).toEqual({ retryAfterSeconds: 1 });
    expect(hit(limiter, 'b')).toBeUndefined();
    t += 200; // one token back at 5 per second
    expect(hit(limiter)).toBeUndefined();
    expect(hit(limiter)?.code).toBe('STRATA_RATE_LIMITED');
  });
});
