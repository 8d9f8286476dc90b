import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cache } from './cache';

export interface CacheContractOptions {
  /**
   * Whether two caches from `make` share their data and locks, as two processes on one Redis do.
   * The cross-owner lock tests run only then. @default false
   */
  shared?: boolean;
}

/**
 * The behaviour every Cache adapter must share, registered as a vitest suite. Each cache from
 * `make` is one lock owner (one process). Caches may share a backing store with earlier runs, so
 * every test uses its own random keys.
 */
export function cacheContract(name: string, make: () => Promise<Cache>, options: CacheContractOptions = {}): void {
  describe(`Cache contract: ${name}`, () => {
    let cache: Cache;
    let other: Cache;
    const run = randomBytes(4).toString('hex');
    let n = 0;
    const key = (label: string) => `${run}:${n++}:${label}`;

    beforeAll(async () => {
      cache = await make();
      other = await make();
    });
    afterAll(async () => {
      await Promise.all([cache?.close(), other?.close()]);
    });

    it('answers ping', async () => {
      expect(await cache.ping()).toBe(true);
    });

    it('gets what was set, overwrites, and deletes', async () => {
      const k = key('basic');
      expect(await cache.get(k)).toBeUndefined();
      await cache.set(k, 'one', 60_000);
      expect(await cache.get(k)).toBe('one');
      await cache.set(k, 'two', 60_000);
      expect(await cache.get(k)).toBe('two');
      await cache.delete(k);
      expect(await cache.get(k)).toBeUndefined();
      await expect(cache.delete(k)).resolves.toBeUndefined();
    });

    it('gets and sets many at once, in the order asked', async () => {
      const [a, b, c] = [key('many-a'), key('many-b'), key('many-c')];
      await cache.set(b, 'single', 60_000);
      expect(await cache.getMany([a, b, c])).toEqual([undefined, 'single', undefined]);
      await cache.setMany([[a, 'one'], [c, '']], 60_000);
      expect(await cache.getMany([c, b, a, c])).toEqual(['', 'single', 'one', '']);
      expect(await cache.getMany([])).toEqual([]);
      await expect(cache.setMany([], 60_000)).resolves.toBeUndefined();
      await cache.setMany([[b, 'short-lived']], 300);
      await waitFor(async () => (await cache.getMany([b]))[0] === undefined, 3_000);
    });

    it('keeps an empty string apart from a missing key', async () => {
      const k = key('empty');
      await cache.set(k, '', 60_000);
      expect(await cache.get(k)).toBe('');
    });

    it('expires an entry after its TTL', async () => {
      const k = key('ttl');
      // Short, yet long enough that the first read lands inside it on a loaded 2-core machine.
      await cache.set(k, 'short-lived', 300);
      expect(await cache.get(k)).toBe('short-lived');
      await waitFor(async () => (await cache.get(k)) === undefined, 3_000);
    });

    it('handles keys with odd characters and large values', async () => {
      const odd = key('spaces and "quotes" \n newline / slashes * ? [] {} \u00e9\u{1F600} :: \\');
      const big = `${'x'.repeat(1024 * 1024 - 4)}\u00e9\u{1F600}`;
      await cache.set(odd, big, 60_000);
      expect(await cache.get(odd)).toBe(big);
      const neighbour = key('spaces and "quotes"');
      expect(await cache.get(neighbour)).toBeUndefined();
    });

    it('counts up by one, read back as text', async () => {
      const k = key('counter');
      const first = await cache.increment(k);
      expect(await cache.increment(k)).toBe(first + 1);
      expect(await cache.get(k)).toBe(String(first + 1));
      expect(await cache.getMany([k, key('no-counter')])).toEqual([String(first + 1), undefined]);
      const counters = await Promise.all(Array.from({ length: 20 }, () => cache.increment(k)));
      expect(new Set(counters).size).toBe(20);
      expect(Math.max(...counters)).toBe(first + 21);
    });

    it('reads a counter, starting a missing one once from the clock, for every racing reader alike', async () => {
      const k = key('read-counter');
      const before = Date.now();
      const reads = await Promise.all(Array.from({ length: 20 }, () => cache.counter(k)));
      expect(new Set(reads).size).toBe(1);
      expect(Number(reads[0])).toBeGreaterThanOrEqual((before - 60_000) * 1000);
      expect(await cache.increment(k)).toBe(Number(reads[0]) + 1);
      expect(await cache.counter(k)).toBe(String(Number(reads[0]) + 1));
    });

    it('starts a lost counter again above every value it had', async () => {
      const k = key('lost-counter');
      const before = Date.now();
      expect(await cache.increment(k)).toBeGreaterThanOrEqual((before - 60_000) * 1000); // a clock, not 0
      const startedBy = Date.now();
      const last = await cache.increment(k);
      await cache.delete(k);
      // A later start, by at least a millisecond of the clock it is read from.
      await waitFor(async () => Date.now() > startedBy, 1_000);
      expect(await cache.increment(k)).toBeGreaterThan(last);
    });

    it('keeps values and locks of the same name apart', async () => {
      const k = key('both');
      await cache.set(k, 'value', 60_000);
      expect(await cache.tryLock(k, 5_000)).toBe(true);
      expect(await cache.get(k)).toBe('value');
      await cache.unlock(k);
    });

    it('grants a lock to one taker at a time, until unlocked', async () => {
      const k = key('lock');
      expect(await cache.tryLock(k, 5_000)).toBe(true);
      expect(await cache.tryLock(k, 5_000)).toBe(false);
      await cache.unlock(k);
      expect(await cache.tryLock(k, 5_000)).toBe(true);
      await cache.unlock(k);
    });

    it('lets a lock expire by itself', async () => {
      const k = key('lock-ttl');
      expect(await cache.tryLock(k, 300)).toBe(true);
      expect(await cache.tryLock(k, 300)).toBe(false);
      await waitFor(() => cache.tryLock(k, 5_000), 3_000);
      await cache.unlock(k);
    });

    it('ignores unlock of a lock that is not held', async () => {
      await expect(cache.unlock(key('never-locked'))).resolves.toBeUndefined();
    });

    // Only a shared cache has a second owner; a process-local one registers none of these tests.
    const acrossOwners = options.shared ? it : () => undefined;

    acrossOwners('shares values between owners', async () => {
      const k = key('shared');
      await cache.set(k, 'from one', 60_000);
      expect(await other.get(k)).toBe('from one');
    });

    acrossOwners('excludes another owner, whose unlock does not release', async () => {
      const k = key('owner');
      expect(await cache.tryLock(k, 5_000)).toBe(true);
      expect(await other.tryLock(k, 5_000)).toBe(false);
      await other.unlock(k);
      expect(await other.tryLock(k, 5_000)).toBe(false);
      await cache.unlock(k);
      expect(await other.tryLock(k, 5_000)).toBe(true);
      await other.unlock(k);
    });

    acrossOwners('does not release a lock that expired and was taken by another owner', async () => {
      const k = key('stale');
      expect(await cache.tryLock(k, 150)).toBe(true);
      await waitFor(() => other.tryLock(k, 5_000), 3_000);
      await cache.unlock(k); // the stale holder wakes up late
      expect(await cache.tryLock(k, 5_000)).toBe(false);
      await other.unlock(k);
    });
  });
}

/** Polls until `check` holds, failing after `timeoutMs`: a deadline, not a guess of a sleep. */
async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
