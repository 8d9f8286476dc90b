import { describe, expect, it } from 'vitest';
import { cacheContract } from './contract';
import { createMemoryCache } from './memory';

cacheContract('memory', async () => createMemoryCache());

describe('memory cache', () => {
  it('evicts the least recently used entry beyond maxEntries', async () => {
    const cache = createMemoryCache({ maxEntries: 2 });
    await cache.set('a', '1', 60_000);
    await cache.set('b', '2', 60_000);
    expect(await cache.get('a')).toBe('1'); // now b is the least recently used
    await cache.set('c', '3', 60_000);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe('1');
    expect(await cache.get('c')).toBe('3');
  });

  it('evicts by bytes and refuses a value larger than maxBytes', async () => {
    // Two bytes per code unit: each of these entries costs (1 + 9) * 2 = 20 bytes.
    const cache = createMemoryCache({ maxBytes: 45 });
    await cache.set('a', 'x'.repeat(9), 60_000);
    await cache.set('b', 'y'.repeat(9), 60_000);
    await cache.set('c', 'z'.repeat(9), 60_000);
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('b')).toBe('y'.repeat(9));
    expect(await cache.get('c')).toBe('z'.repeat(9));

    await cache.set('b', 'w'.repeat(100), 60_000);
    expect(await cache.get('b')).toBeUndefined(); // the old value is gone too, never stale
    expect(await cache.get('c')).toBe('z'.repeat(9));
  });

  it('expires entries and locks exactly at their TTL', async () => {
    let now = 1_000;
    const cache = createMemoryCache({ now: () => now });
    await cache.set('k', 'v', 100);
    expect(await cache.tryLock('l', 100)).toBe(true);
    now += 99;
    expect(await cache.get('k')).toBe('v');
    expect(await cache.tryLock('l', 100)).toBe(false);
    now += 1;
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.tryLock('l', 100)).toBe(true);
  });

  it('rejects a TTL that Redis would reject', async () => {
    const cache = createMemoryCache();
    await expect(cache.set('k', 'v', 0)).rejects.toThrow(/ttlMs must be a positive integer/);
    await expect(cache.tryLock('k', 1.5)).rejects.toThrow(/ttlMs must be a positive integer/);
  });

  it('rejects nonsense options', () => {
    expect(() => createMemoryCache({ maxEntries: 0 })).toThrow(/"maxEntries" must be a positive number/);
  });
});
