/**
 * The per-client request rate limit (STRATA_RATE_LIMIT_RPS): a token bucket per client that holds
 * one second of requests, so a client may burst to its rate and then keeps to it. Over the limit
 * a request gets 429 with Retry-After. Until API keys exist, a client is its tenant and address.
 * Off when unset, the default of the no-key loopback mode.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { StrataError } from '../core/errors';

/** The refusal for a request over its client's rate, or undefined to serve it. */
export type RateLimit = (req: IncomingMessage) => StrataError | undefined;

interface Bucket { tokens: number; at: number }

/** Buckets idle this long are full again; dropping them keeps the map as small as the active clients. */
const IDLE_MS = 60_000;

export function createRateLimit(rps: number | undefined, now: () => number = Date.now): RateLimit {
  if (rps === undefined) return () => undefined;
  const buckets = new Map<string, Bucket>();
  let swept = now();
  return (req) => {
    const t = now();
    if (t - swept > IDLE_MS) {
      for (const [client, bucket] of buckets) if (t - bucket.at > IDLE_MS) buckets.delete(client);
      swept = t;
    }
    const client = `${String(req.headers['strata-tenant'] ?? 'default')}\u0000${req.socket.remoteAddress ?? ''}`;
    const bucket = buckets.get(client) ?? { tokens: rps, at: t };
    bucket.tokens = Math.min(rps, bucket.tokens + ((t - bucket.at) / 1000) * rps);
    bucket.at = t;
    buckets.set(client, bucket);
    if (bucket.tokens < 1) {
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / rps));
      return new StrataError('STRATA_RATE_LIMITED', `more than ${rps} requests per second from this client; retry after ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
    bucket.tokens -= 1;
    return undefined;
  };
}

/** The limit as express middleware, for the routes the server does not serve before express. */
export function rateLimitMiddleware(limit: RateLimit): RequestHandler {
  return (req, _res, next) => next(limit(req));
}
