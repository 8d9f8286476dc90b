/**
 * The per-client request rate limit (STRATA_RATE_LIMIT_RPS): a token bucket per client that holds
 * one second of requests, so a client may burst to its rate and then keeps to it. Over the limit
 * a request gets 429 with Retry-After. Until API keys exist, a client is its tenant and address.
 * Off when unset, the default of the no-key loopback mode.
 */
import type { RequestHandler } from 'express';
import { StrataError } from '../core/errors';

interface Bucket { tokens: number; at: number }

/** Buckets idle this long are full again; dropping them keeps the map as small as the active clients. */
const IDLE_MS = 60_000;

export function rateLimit(rps: number | undefined, now: () => number = Date.now): RequestHandler {
  if (rps === undefined) return (_req, _res, next) => next();
  const buckets = new Map<string, Bucket>();
  let swept = now();
  return (req, _res, next) => {
    const t = now();
    if (t - swept > IDLE_MS) {
      for (const [client, bucket] of buckets) if (t - bucket.at > IDLE_MS) buckets.delete(client);
      swept = t;
    }
    const client = `${req.headers['strata-tenant'] ?? 'default'}\u0000${req.socket.remoteAddress ?? ''}`;
    const bucket = buckets.get(client) ?? { tokens: rps, at: t };
    bucket.tokens = Math.min(rps, bucket.tokens + ((t - bucket.at) / 1000) * rps);
    bucket.at = t;
    buckets.set(client, bucket);
    if (bucket.tokens < 1) {
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / rps));
      next(new StrataError('STRATA_RATE_LIMITED', `more than ${rps} requests per second from this client; retry after ${retryAfterSeconds} s`, { retryAfterSeconds }));
      return;
    }
    bucket.tokens -= 1;
    next();
  };
}
