import { describe, expect, it } from 'vitest';
import type { Cache } from './cache';
import { guardCache } from './guard';
import { createMemoryCache } from './memory';

/** A memory cache whose calls can be made to hang or fail, as a frozen or dead Redis does. */
function flakyCache(): { cache: Cache; mode: { now: 'up' | 'hang' | 'fail' }; calls: () => number } {
  const inner = createMemoryCache();
  const mode = { now: 'up' as 'up' | 'hang' | 'fail' };
  let calls = 0;
  const wrap = <A extends unknown[], T>(call: (...args: A) => Promise<T>) => (...args: A): Promise<T> => {
    calls++;
    if (mode.now === 'hang') return new Promise<T>(() => undefined);
    if (mode.now === 'fail') return Promise.reject(new Error('connection refused'));
    return call(...args);
  };
  const cache: Cache = {
    get: wrap(inner.get), set: wrap(inner.set), getMany: wrap(inner.getMany), setMany: wrap(inner.setMany),
    delete: wrap(inner.delete), increment: wrap(inner.increment), counter: wrap(inner.counter), tryLock: wrap(inner.tryLock), unlock: wrap(inner.unlock),
    ping: wrap(inner.ping), close: inner.close,
  };
  return { cache, mode, calls: () => calls };
}

describe('guardCache', () => {
  it('passes calls through while the cache answers', async () => {
    const { cache } = flakyCache();
    const guarded = guardCache(cache);
    await guarded.set('k', 'v', 60_000);
    expect(await guarded.get('k')).toBe('v');
    expect(await guarded.increment('n')).toBeGreaterThan(0);
    expect(await guarded.ping()).toBe(true);
  });

  it('bounds a call that hangs by its timeout', async () => {
    const { cache, mode } = flakyCache();
    const guarded = guardCache(cache, { timeoutMs: 50 });
    mode.now = 'hang';
    const started = Date.now();
    await expect(guarded.get('k')).rejects.toMatchObject({ code: 'STRATA_UNAVAILABLE', message: 'cache get took longer than 50 ms' });
    expect(Date.now() - started).toBeLessThan(500);
    expect(await guarded.ping()).toBe(false);
  });

  it('refuses calls at once after a failure, then lets one probe through and recovers', async () => {
    let now = 1_000;
    const { cache, mode, calls } = flakyCache();
    const guarded = guardCache(cache, { cooldownMs: 1_000, now: () => now });
    mode.now = 'fail';
    await expect(guarded.get('k')).rejects.toMatchObject({ code: 'STRATA_UNAVAILABLE', message: 'cache get failed: connection refused' });
    const before = calls();
    await expect(guarded.getMany(['k'])).rejects.toMatchObject({ message: 'cache getMany skipped: it failed recently' });
    expect(calls()).toBe(before); // the cache was not even asked

    now += 1_000;
    mode.now = 'hang';
    const probe = guarded.get('k');
    await expect(guarded.get('k')).rejects.toMatchObject({ message: 'cache get skipped: a probe is under way' });
    await expect(probe).rejects.toMatchObject({ code: 'STRATA_UNAVAILABLE' });
    await expect(guarded.get('k')).rejects.toMatchObject({ message: 'cache get skipped: it failed recently' });

    now += 1_000;
    mode.now = 'up';
    await guarded.set('k', 'back', 60_000);
    expect(await guarded.get('k')).toBe('back');
  });
});
