import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from './objectstore';

/**
 * The behaviour every ObjectStore adapter must share, registered as a vitest suite. `make` is
 * called once per suite; the stores it returns may share state with earlier runs, so every test
 * writes under its own random prefix.
 */
export function objectStoreContract(name: string, make: () => Promise<ObjectStore>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let store: ObjectStore;
    const run = `contract-${randomBytes(4).toString('hex')}`;
    let n = 0;
    /** A fresh prefix per test, so tests never see each other's objects. */
    const prefix = () => `${run}/t${n++}/`;

    beforeAll(async () => {
      store = await make();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('round-trips binary bytes exactly, including an empty body', async () => {
      const p = prefix();
      const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      await store.put(`${p}all-bytes`, allBytes);
      await store.put(`${p}empty`, Buffer.alloc(0));
      expect(await store.get(`${p}all-bytes`)).toEqual(allBytes);
      const empty = await store.get(`${p}empty`);
      expect(empty).toBeInstanceOf(Buffer);
      expect(empty?.length).toBe(0);
    });

    it('round-trips a 5 MB body', async () => {
      const p = prefix();
      const big = randomBytes(5 * 1024 * 1024);
      await store.put(`${p}big.bin`, big);
      const back = await store.get(`${p}big.bin`);
      expect(back?.length).toBe(big.length);
      expect(back?.equals(big)).toBe(true);
    });

    it('overwrites an existing key', async () => {
      const p = prefix();
      await store.put(`${p}k`, Buffer.from('first version, longer'));
      await store.put(`${p}k`, Buffer.from('second'));
      expect((await store.get(`${p}k`))?.toString()).toBe('second');
      expect(await store.list(p)).toEqual([`${p}k`]);
    });

    it('returns undefined for a missing key', async () => {
      const p = prefix();
      expect(await store.get(`${p}nope`)).toBeUndefined();
      expect(await store.get(`${p}deeper/still/nope`)).toBeUndefined();
    });

    it('lists by string prefix, sorted ascending, excluding other prefixes', async () => {
      const p = prefix();
      const keys = [`${p}b/2`, `${p}a/2`, `${p}ab`, `${p}a/1`, `${p}b/1`, `${p}a/10`, `${p}a/0/x`];
      for (const key of keys) await store.put(key, Buffer.from(key));
      expect(await store.list(`${p}a/`)).toEqual([`${p}a/0/x`, `${p}a/1`, `${p}a/10`, `${p}a/2`]);
      expect(await store.list(`${p}a`)).toEqual([`${p}a/0/x`, `${p}a/1`, `${p}a/10`, `${p}a/2`, `${p}ab`]);
      expect(await store.list(`${p}b/`)).toEqual([`${p}b/1`, `${p}b/2`]);
      expect(await store.list(p)).toEqual([...keys].sort());
      expect(await store.list(`${p}c/`)).toEqual([]);
    });

    it('lists more than 1000 keys under one prefix (S3 pages at 1000)', async () => {
      const p = prefix();
      const keys = Array.from({ length: 1010 }, (_, i) => `${p}k-${String(i).padStart(4, '0')}`);
      await inBatches(keys, 50, (key) => store.put(key, Buffer.from('x')));
      await store.put(`${run}/outside-${n}`, Buffer.from('not listed'));
      expect(await store.list(p)).toEqual(keys);
    });

    it('deletes a key, and deleting a missing key is not an error', async () => {
      const p = prefix();
      await store.put(`${p}gone`, Buffer.from('bye'));
      await store.put(`${p}kept`, Buffer.from('hi'));
      await store.delete(`${p}gone`);
      expect(await store.get(`${p}gone`)).toBeUndefined();
      expect(await store.list(p)).toEqual([`${p}kept`]);
      await expect(store.delete(`${p}gone`)).resolves.toBeUndefined();
      await expect(store.delete(`${p}never/existed`)).resolves.toBeUndefined();
    });

    it('stores nested archive keys and lists them by partition prefix', async () => {
      const p = prefix();
      const file = `${p}raw/tenant=t1/date=2026-11-27/hour=05/0-10-20.parquet`;
      const other = `${p}raw/tenant=t1/date=2026-11-27/hour=06/0-21-30.parquet`;
      await store.put(file, Buffer.from('PAR1'));
      await store.put(other, Buffer.from('PAR1'));
      expect((await store.get(file))?.toString()).toBe('PAR1');
      expect(await store.list(`${p}raw/tenant=t1/date=2026-11-27/hour=05/`)).toEqual([file]);
      expect(await store.list(`${p}raw/tenant=t1/`)).toEqual([file, other]);
      expect(await store.list(`${p}raw/tenant=t2/`)).toEqual([]);
    });

    it('handles concurrent puts to different keys', async () => {
      const p = prefix();
      const bodies = Array.from({ length: 24 }, (_, i) => randomBytes(1000 + i));
      await Promise.all(bodies.map((body, i) => store.put(`${p}dir${i % 3}/obj-${i}`, body)));
      const got = await Promise.all(bodies.map((_, i) => store.get(`${p}dir${i % 3}/obj-${i}`)));
      got.forEach((body, i) => expect(body?.equals(bodies[i] ?? Buffer.alloc(0))).toBe(true));
      expect(await store.list(p)).toHaveLength(bodies.length);
    });

    it('leaves one whole body when puts to the same key race', async () => {
      const p = prefix();
      const bodies = Array.from({ length: 8 }, () => randomBytes(64 * 1024));
      await Promise.all(bodies.map((body) => store.put(`${p}same`, body)));
      const back = await store.get(`${p}same`);
      expect(bodies.some((body) => back?.equals(body))).toBe(true);
      expect(await store.list(p)).toEqual([`${p}same`]);
    });
  });
}

/** Runs `fn` over items with bounded concurrency, so a test never opens thousands of sockets. */
async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map(fn));
  }
}
