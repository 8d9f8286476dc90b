import type { Cache } from './cache';

export interface MemoryCacheOptions {
  /** Most entries kept; the least recently used go first. @default 10_000 */
  maxEntries?: number;
  /**
   * Most bytes kept, counted as two bytes per UTF-16 code unit of key and value (an upper bound of
   * what V8 holds for the strings). A value larger than this on its own is not stored.
   * @default 268_435_456 (256 MiB)
   */
  maxBytes?: number;
  /** The clock, for tests. @default Date.now */
  now?: () => number;
}

interface Entry {
  value: string;
  expiresAt: number;
  bytes: number;
}

/**
 * The cache of the embedded mode: an LRU bounded by entries and bytes, with a TTL per entry.
 * Locks are in-process and expire after their TTL like Redis ones, so callers need not care which
 * cache they hold. Expired entries are dropped when touched or when the LRU evicts them.
 */
export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  const maxEntries = positive('maxEntries', options.maxEntries ?? 10_000);
  const maxBytes = positive('maxBytes', options.maxBytes ?? 256 * 1024 * 1024);
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order, so re-inserting on use keeps the oldest first.
  const entries = new Map<string, Entry>();
  const locks = new Map<string, number>();
  let bytes = 0;

  const remove = (key: string) => {
    const entry = entries.get(key);
    if (entry === undefined) return;
    entries.delete(key);
    bytes -= entry.bytes;
  };

  const get = (key: string): string | undefined => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now()) {
      remove(key);
      return undefined;
    }
    entries.delete(key);
    entries.set(key, entry);
    return entry.value;
  };

  const set = (key: string, value: string, ttlMs: number): void => {
    remove(key);
    const size = (key.length + value.length) * 2;
    if (size > maxBytes) return;
    entries.set(key, { value, expiresAt: now() + ttlMs, bytes: size });
    bytes += size;
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries && bytes <= maxBytes) break;
      remove(oldest);
    }
  };

  return {
    async get(key) {
      return get(key);
    },

    async set(key, value, ttlMs) {
      checkTtl(ttlMs);
      set(key, value, ttlMs);
    },

    async getMany(keys) {
      return keys.map(get);
    },

    async setMany(list, ttlMs) {
      checkTtl(ttlMs);
      for (const [key, value] of list) set(key, value, ttlMs);
    },

    async delete(key) {
      remove(key);
    },

    async counter(key) {
      const current = get(key);
      if (current !== undefined) return current;
      const start = String(now() * 1000);
      set(key, start, Infinity);
      return start;
    },

    async increment(key) {
      const current = get(key);
      if (current !== undefined && !/^-?\d+$/.test(current)) throw new Error(`cache key "${key}" does not hold a counter`);
      const next = (current === undefined ? now() * 1000 : Number(current)) + 1;
      set(key, String(next), Infinity);
      return next;
    },

    async tryLock(key, ttlMs) {
      checkTtl(ttlMs);
      const t = now();
      const held = locks.get(key);
      if (held !== undefined && held > t) return false;
      // A holder that never unlocks (it threw) leaves an expired lock; sweep now and then.
      if (locks.size >= 1024) {
        for (const [k, expiresAt] of locks) if (expiresAt <= t) locks.delete(k);
      }
      locks.set(key, t + ttlMs);
      return true;
    },

    async unlock(key) {
      locks.delete(key);
    },

    async ping() {
      return true;
    },

    async close() {
      entries.clear();
      locks.clear();
      bytes = 0;
    },
  };
}

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new Error(`memory cache option "${name}" must be a positive number, got ${value}`);
  return value;
}

/** Same rule as Redis's PX, so a bad TTL fails in the embedded mode too. */
function checkTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
    throw new Error(`cache ttlMs must be a positive integer of milliseconds, got ${ttlMs}`);
  }
}
