/**
 * The query cache of GET /v1/metrics. Keys carry the data generations (infra/cache/generations.ts)
 * that the value was computed at, so a cached value is never staler than its data; the TTL only
 * bounds memory. One computation per key at a time: in this process through a map of running
 * computations, across processes through a short lock in the cache store.
 */
import { createHash } from 'node:crypto';
import type { Cache } from '../infra/cache/cache';
import { type Generations, readGenerations } from '../infra/cache/generations';

/** hit: from the store or a computation already running; miss: computed here; bypass: no cache. */
export type CacheResult = 'hit' | 'miss' | 'bypass';

export interface Cached {
  value: string;
  result: CacheResult;
}

export interface MetricsCacheOptions {
  /** A guarded cache (infra/cache/guard.ts): each call fails fast when the store is down. */
  cache: Cache;
  /** @default 60_000 */
  ttlMs?: number;
  /** The TTL varies by up to this much either way, so entries stored together do not expire together. @default 10_000 */
  jitterMs?: number;
  /** How long a key locked by another process is waited for before it is computed here. @default 2_000 */
  waitMs?: number;
  /** How long the lock lives if its holder never releases it (it died). @default 5_000 */
  lockTtlMs?: number;
  /** In [0, 1), for the jitter. @default Math.random */
  random?: () => number;
  /** Entries also kept in this process, in front of the store. @default 1000 */
  nearEntries?: number;
  /** @default Date.now */
  now?: () => number;
}

export interface MetricsCache {
  /** The tenant's data generations, or undefined when the store cannot be read: then skip the cache. */
  generations(tenant: string): Promise<Generations | undefined>;
  /**
   * The value for a key, from the store, from a computation of the same key already running, or
   * from `compute` (then stored). `parts` is JSON and must include every generation the value
   * depends on. If the store fails midway, the value is computed and not stored (bypass).
   */
  through(parts: readonly unknown[], compute: () => Promise<string>): Promise<Cached>;
  /**
   * through, then `parse` of the value, kept beside it in this process: a hit does not parse the
   * same text again (the layers of a window are read by every request for it).
   */
  parsedThrough<T>(parts: readonly unknown[], compute: () => Promise<string>, parse: (text: string) => T): Promise<{ value: T; result: CacheResult }>;
}

/** Between polls for a value another process is computing: short at first, as most keys are quick. */
const POLL_MS = { first: 5, max: 50 };

export function createMetricsCache(options: MetricsCacheOptions): MetricsCache {
  const { cache } = options;
  const ttlMs = options.ttlMs ?? 60_000;
  const jitterMs = options.jitterMs ?? 10_000;
  const waitMs = options.waitMs ?? 2_000;
  const lockTtlMs = options.lockTtlMs ?? 5_000;
  const random = options.random ?? Math.random;
  const running = new Map<string, Promise<Cached>>();
  // In front of the store, in this process: keys carry their generations, so an entry here is as
  // fresh as the store's, and a hit costs no round trip (three, on Redis: generations, layers, answer).
  const near = new Map<string, Near>();
  const nearEntries = options.nearEntries ?? 1000;
  const now = options.now ?? Date.now;
  const remember = (key: string, value: string): Near => {
    const entry: Near = { value, expires: now() + jitteredTtl(ttlMs, jitterMs, random), parsed: undefined };
    near.delete(key);
    near.set(key, entry);
    if (near.size > nearEntries) near.delete(near.keys().next().value as string);
    return entry;
  };
  const nearHit = (key: string): Near | undefined => {
    const entry = near.get(key);
    if (entry === undefined || entry.expires > now()) return entry;
    near.delete(key);
    return undefined;
  };

  const store = async (key: string, value: string): Promise<Cached> => {
    await cache.set(key, value, jitteredTtl(ttlMs, jitterMs, random)).catch(() => undefined);
    return { value, result: 'miss' };
  };
  const bypass = async (compute: () => Promise<string>): Promise<Cached> => ({ value: await compute(), result: 'bypass' });

  /** The value another process stores within waitMs, or undefined; FAILED when the store fails. */
  const waitForValue = async (key: string): Promise<string | undefined | typeof FAILED> => {
    const deadline = Date.now() + waitMs;
    for (let pause = POLL_MS.first; Date.now() < deadline; pause = Math.min(pause * 2, POLL_MS.max)) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(0, deadline - Date.now()))));
      const value = await attempt(() => cache.get(key));
      if (value !== undefined) return value;
    }
    return undefined;
  };

  const load = async (key: string, compute: () => Promise<string>): Promise<Cached> => {
    const stored = await attempt(() => cache.get(key));
    if (stored === FAILED) return bypass(compute);
    if (stored !== undefined) return { value: stored, result: 'hit' };
    const locked = await attempt(() => cache.tryLock(key, lockTtlMs));
    if (locked === FAILED) return bypass(compute);
    if (!locked) {
      const waited = await waitForValue(key);
      if (waited === FAILED) return bypass(compute);
      if (waited !== undefined) return { value: waited, result: 'hit' };
      return store(key, await compute()); // the holder is slow or gone
    }
    try {
      // The previous holder may have stored the value and let go between our get and our lock.
      const again = await attempt(() => cache.get(key));
      if (typeof again === 'string') return { value: again, result: 'hit' };
      return await store(key, await compute());
    } finally {
      cache.unlock(key).catch(() => undefined); // it expires by itself if this fails
    }
  };

  /**
   * The value for a key (its parts as JSON), and its entry in this process unless the store could
   * not be used. Only the store sees the key hashed: a near hit does not hash at all.
   */
  const lookup = async (key: string, compute: () => Promise<string>): Promise<{ cached: Cached; entry: Near | undefined }> => {
    const close = nearHit(key);
    if (close) return { cached: { value: close.value, result: 'hit' }, entry: close };
    let mine = running.get(key);
    const joined = mine !== undefined;
    if (!mine) {
      mine = load(storeKey(key), compute);
      running.set(key, mine);
    }
    try {
      const { value, result } = await mine;
      const cached: Cached = { value, result: joined && result !== 'bypass' ? 'hit' : result };
      return { cached, entry: result === 'bypass' ? undefined : (nearHit(key) ?? remember(key, value)) };
    } finally {
      if (!joined) running.delete(key);
    }
  };

  return {
    async generations(tenant) {
      try {
        return await readGenerations(cache, tenant);
      } catch {
        return undefined;
      }
    },

    async through(parts, compute) {
      const { cached } = await lookup(JSON.stringify(parts), compute);
      return cached;
    },

    async parsedThrough(parts, compute, parse) {
      const { cached, entry } = await lookup(JSON.stringify(parts), compute);
      if (!entry) return { value: parse(cached.value), result: cached.result };
      entry.parsed ??= { value: parse(cached.value) };
      return { value: entry.parsed.value as ReturnType<typeof parse>, result: cached.result };
    },
  };
}

/** A TTL within [ttlMs − jitterMs, ttlMs + jitterMs], in whole milliseconds as stores want. */
export function jitteredTtl(ttlMs: number, jitterMs: number, random: () => number = Math.random): number {
  return Math.max(1, Math.round(ttlMs + (2 * random() - 1) * jitterMs));
}

const FAILED = Symbol('cache failed');

interface Near { value: string; expires: number; parsed: { value: unknown } | undefined }

const storeKey = (json: string): string => `metrics:${createHash('sha256').update(json).digest('base64url')}`;

async function attempt<T>(call: () => Promise<T>): Promise<T | typeof FAILED> {
  try {
    return await call();
  } catch {
    return FAILED;
  }
}
