import { describe, expect, it } from 'vitest';
import type { Cache } from '../infra/cache/cache';
import { bumpGeneration } from '../infra/cache/generations';
import { createMemoryCache } from '../infra/cache/memory';
import { createMetricsCache, jitteredTtl } from './metrics-cache';

/** A computation that finishes when the test says so, counting how often it was started. */
function gate(value: string): { compute: () => Promise<string>; open: () => void; started: () => number } {
  let started = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    compute: async () => {
      started++;
      await opened;
      return value;
    },
    open: () => open(),
    started: () => started,
  };
}

/** Waits for a condition with a deadline, never a guessed sleep. */
async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const down: Cache = Object.fromEntries(
  ['get', 'set', 'getMany', 'setMany', 'delete', 'increment', 'tryLock', 'unlock', 'ping'].map((name) => [name, () => Promise.reject(new Error('down'))]),
) as unknown as Cache;

describe('jitteredTtl', () => {
  it('stays within 60 s ± 10 s and spreads over it', () => {
    expect(jitteredTtl(60_000, 10_000, () => 0)).toBe(50_000);
    expect(jitteredTtl(60_000, 10_000, () => 0.5)).toBe(60_000);
    expect(jitteredTtl(60_000, 10_000, () => 0.999_999_9)).toBe(70_000);
    const samples = Array.from({ length: 2_000 }, () => jitteredTtl(60_000, 10_000));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(50_000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(70_000);
    expect(Math.min(...samples)).toBeLessThan(52_000);
    expect(Math.max(...samples)).toBeGreaterThan(68_000);
    expect(samples.every(Number.isInteger)).toBe(true);
  });

  it('is the TTL a computed value is stored with', async () => {
    let now = 1_000_000;
    const cache = createMetricsCache({ cache: createMemoryCache({ now: () => now }), random: () => 0, now: () => now });
    expect(await cache.through(['k'], async () => 'v')).toEqual({ value: 'v', result: 'miss' });
    now += 49_999;
    expect(await cache.through(['k'], async () => 'again')).toEqual({ value: 'v', result: 'hit' });
    now += 1;
    expect(await cache.through(['k'], async () => 'again')).toEqual({ value: 'again', result: 'miss' });
  });
});

describe('createMetricsCache', () => {
  it('computes 100 concurrent misses of one key once, in one process', async () => {
    const cache = createMetricsCache({ cache: createMemoryCache() });
    const { compute, open, started } = gate('answer');
    const replies = Array.from({ length: 100 }, () => cache.through(['same'], compute));
    await until(() => started() > 0);
    open();
    const results = await Promise.all(replies);
    expect(started()).toBe(1);
    expect(results.every((r) => r.value === 'answer')).toBe(true);
    expect(results.filter((r) => r.result === 'miss')).toHaveLength(1);
    expect(results.filter((r) => r.result === 'hit')).toHaveLength(99);
    expect(await cache.through(['same'], compute)).toEqual({ value: 'answer', result: 'hit' });
    expect(await cache.through(['other'], async () => 'other')).toEqual({ value: 'other', result: 'miss' });
  });

  it('lets a second owner of the store wait for the value the lock holder stores', async () => {
    const store = createMemoryCache();
    const [one, two] = [createMetricsCache({ cache: store }), createMetricsCache({ cache: store })];
    const first = gate('from one');
    const second = gate('from two');
    const holder = one.through(['k'], first.compute);
    await until(() => first.started() > 0);
    const waiter = two.through(['k'], second.compute);
    first.open();
    expect(await holder).toEqual({ value: 'from one', result: 'miss' });
    expect(await waiter).toEqual({ value: 'from one', result: 'hit' });
    expect(second.started()).toBe(0);
  });

  it('computes itself when the lock holder does not store within the wait bound', async () => {
    const store = createMemoryCache();
    const stuck = gate('never');
    void createMetricsCache({ cache: store }).through(['k'], stuck.compute);
    await until(() => stuck.started() > 0);
    const started = Date.now();
    expect(await createMetricsCache({ cache: store, waitMs: 100 }).through(['k'], async () => 'mine')).toEqual({ value: 'mine', result: 'miss' });
    expect(Date.now() - started).toBeLessThan(1_000);
    stuck.open();
  });

  it('shares a failure with the requests waiting on it, and does not keep it', async () => {
    const cache = createMetricsCache({ cache: createMemoryCache() });
    let calls = 0;
    const failing = async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error('engine timeout');
    };
    const results = await Promise.allSettled([cache.through(['k'], failing), cache.through(['k'], failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    expect(await cache.through(['k'], async () => 'ok')).toEqual({ value: 'ok', result: 'miss' });
  });

  it('keys on the generations: a bump reads as different ones', async () => {
    const store = createMemoryCache();
    const cache = createMetricsCache({ cache: store });
    const before = await cache.generations('t');
    expect(await cache.generations('t')).toEqual(before);
    await bumpGeneration(store, 'speed', 't');
    const after = await cache.generations('t');
    expect(after?.batch).toBe(before?.batch);
    expect(after?.speed).not.toBe(before?.speed);
    expect((await cache.generations('other'))?.speed).toBeDefined();
  });

  it('bypasses a store that fails: computes every time and stores nothing', async () => {
    const cache = createMetricsCache({ cache: down });
    expect(await cache.generations('t')).toBeUndefined();
    let calls = 0;
    const compute = async () => String(++calls);
    expect(await cache.through(['k'], compute)).toEqual({ value: '1', result: 'bypass' });
    expect(await cache.through(['k'], compute)).toEqual({ value: '2', result: 'bypass' });
  });
});

describe('the near cache in front of the store', () => {
  it('answers a key again without the store, and parses its value once', async () => {
    const store = createMemoryCache();
    let gets = 0;
    const counted = { ...store, get: async (key: string) => { gets++; return store.get(key); } };
    const cache = createMetricsCache({ cache: counted });
    let parses = 0;
    const parse = (text: string) => { parses++; return text.length; };
    expect(await cache.parsedThrough(['k'], async () => 'four', parse)).toEqual({ value: 4, result: 'miss' });
    const storeGets = gets;
    expect(await cache.parsedThrough(['k'], async () => 'other', parse)).toEqual({ value: 4, result: 'hit' });
    expect(gets).toBe(storeGets);
    expect(parses).toBe(1);
  });

  it('keeps no more entries than asked, dropping the oldest', async () => {
    const store = createMemoryCache();
    const asked: string[] = [];
    const counted = { ...store, get: async (key: string) => { asked.push(key); return store.get(key); } };
    const cache = createMetricsCache({ cache: counted, nearEntries: 2 });
    for (const k of ['a', 'b', 'c']) await cache.through([k], async () => k);
    asked.length = 0;
    expect((await cache.through(['c'], async () => 'new')).value).toBe('c');
    expect(asked).toHaveLength(0); // near
    expect((await cache.through(['a'], async () => 'new')).value).toBe('a');
    expect(asked).toHaveLength(1); // dropped from the near two, found in the store
  });
});
