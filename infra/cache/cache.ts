/**
 * The query cache: an in-memory LRU (memory.ts) or Redis (redis.ts), shared across processes.
 */
export interface Cache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Several values in one round trip, in the order asked; undefined where a key is missing. */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** Several entries with one TTL, in one round trip. */
  setMany(entries: readonly (readonly [key: string, value: string])[], ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Adds one to a counter and returns its new value; get and getMany read it as decimal text.
   * Counters never expire. A missing counter (never counted, evicted, or lost with a restarted
   * Redis) starts from the current time in microseconds rather than from 0, so a counter that was
   * lost never repeats a value it had (unless it was counted more than a million times a second).
   */
  /**
   * A counter's value, started from the clock (µs) as increment would start it when it is
   * missing: atomically, so readers that race all read the same start.
   */
  counter(key: string): Promise<string>;
  increment(key: string): Promise<number>;
  /**
   * Takes a short lock for cross-process single-flight; false when another holder has it.
   * The lock expires by itself after ttlMs so a crashed holder cannot wedge it.
   */
  tryLock(key: string, ttlMs: number): Promise<boolean>;
  unlock(key: string): Promise<void>;
  /** True when the backing store answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
