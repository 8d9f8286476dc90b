/**
 * The profile store against both adapter pairs: chdb in-process with the memory LRU (embedded),
 * and @clickhouse/client through the stand-in with Redis (distributed). Each run has its own
 * database and key prefix; each test its own tenants.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Cache } from '../infra/cache/cache';
import { createMemoryCache } from '../infra/cache/memory';
import { createRedisCache } from '../infra/cache/redis';
import { createChdbStore } from '../infra/olap/chdb';
import { createClickhouseStore } from '../infra/olap/clickhouse-http';
import type { OlapStore } from '../infra/olap/olap';
import { quoteIdentifier } from '../infra/olap/sql';
import { type ProfileStore, createProfileStore, ensureProfileSchema } from '../stream/enrichment/profile-store';

const services = inject('services');
const runId = randomBytes(4).toString('hex');
const chdbDir = mkdtempSync(join(tmpdir(), 'strata-profiles-'));
afterAll(() => rmSync(chdbDir, { recursive: true, force: true }));

interface Pair {
  olap: OlapStore;
  /** A cache as one more process sees it: the same Redis, or a memory LRU of its own. */
  cache(): Cache;
  /** Whether two caches from cache() share entries. */
  shared: boolean;
}

profileSuite('chdb + memory LRU', async () => ({
  olap: await createChdbStore({ path: chdbDir, database: `strata_profiles_${runId}` }),
  cache: () => createMemoryCache(),
  shared: false,
}));

profileSuite('@clickhouse/client via the stand-in + Redis', async () => ({
  olap: await createClickhouseStore({ url: services.clickhouseUrl, database: `strata_profiles_${runId}` }),
  cache: () => createRedisCache({ url: services.redisUrl, keyPrefix: `strata-test-${runId}:` }),
  shared: true,
}));

function profileSuite(name: string, makePair: () => Promise<Pair>): void {
  describe(`profile store: ${name}`, () => {
    let pair: Pair;
    const caches: Cache[] = [];
    let n = 0;
    const tenant = (label: string) => `${label}-${n++}`;
    /** A store as one process holds it, counting the OLAP queries it makes. */
    const newProcess = (tenantTtlMs = 5_000) => {
      const cache = pair.cache();
      caches.push(cache);
      let queries = 0;
      const olap: OlapStore = { ...pair.olap, query: (sql, o) => (queries++, pair.olap.query(sql, o)) };
      return { ...createProfileStore({ olap, cache, tenantTtlMs }), get queries() { return queries; } };
    };
    const lookup = async (store: ProfileStore, t: string, ids: string[]) => Object.fromEntries(await store.lookup(t, ids));

    beforeAll(async () => {
      pair = await makePair();
      await ensureProfileSchema(pair.olap);
      await ensureProfileSchema(pair.olap); // a restart runs it again
    });
    afterAll(async () => {
      await Promise.all(caches.map((c) => c.close()));
      await pair?.olap.exec(`DROP DATABASE IF EXISTS ${quoteIdentifier(pair.olap.database)}`);
      await pair?.olap.close();
    });

    it('returns what was put, for the users that have a profile', async () => {
      const store = newProcess();
      const t = tenant('put');
      await store.put(t, 'u1', { country: 'US', device: 'mobile' });
      await store.put(t, "it's \\ 🚀", { campaign: 'spring' });
      expect(await lookup(store, t, ['u1', "it's \\ 🚀", 'u2', 'u1'])).toEqual({ u1: { country: 'US', device: 'mobile' }, "it's \\ 🚀": { campaign: 'spring' } });
      // A fresh process reads the same from the OLAP store.
      expect(await lookup(newProcess(), t, ['u1', 'u2'])).toEqual({ u1: { country: 'US', device: 'mobile' } });
    });

    it('replaces a profile as a whole on a second put, at once in the writing process', async () => {
      const writer = newProcess();
      const reader = newProcess();
      const t = tenant('replace');
      await writer.put(t, 'u1', { country: 'US', device: 'mobile' });
      expect(await lookup(reader, t, ['u1'])).toEqual({ u1: { country: 'US', device: 'mobile' } });
      await writer.put(t, 'u1', { device: 'desktop' });
      expect(await lookup(writer, t, ['u1'])).toEqual({ u1: { device: 'desktop' } });
      // The reader cached the old profile: a shared cache was overwritten, a private one expires later.
      expect(await lookup(reader, t, ['u1'])).toEqual({ u1: pair.shared ? { device: 'desktop' } : { country: 'US', device: 'mobile' } });
      expect(await lookup(newProcess(), t, ['u1'])).toEqual({ u1: { device: 'desktop' } });
      // An empty profile leaves nothing to enrich with: the user reads as having none.
      await writer.put(t, 'u1', {});
      expect(await lookup(writer, t, ['u1'])).toEqual({});
      expect(await lookup(newProcess(), t, ['u1'])).toEqual({});
    });

    it('returns nothing for unknown users and caches that, until a put', async () => {
      const store = newProcess();
      const t = tenant('unknown');
      expect(await lookup(store, t, ['nobody-1', 'nobody-2'])).toEqual({});
      expect(store.queries).toBe(1);
      expect(await lookup(store, t, ['nobody-1', 'nobody-2'])).toEqual({});
      expect(store.queries).toBe(1);
      await store.put(t, 'nobody-1', { page: '/home' });
      expect(await lookup(store, t, ['nobody-1', 'nobody-2'])).toEqual({ 'nobody-1': { page: '/home' } });
      expect(store.queries).toBe(1);
    });

    it('says whether a tenant has profiles, remembering the answer for a while', async () => {
      const writer = newProcess();
      const reader = newProcess(200);
      const t = tenant('has');
      expect(await reader.hasProfiles(t)).toBe(false);
      expect(await Promise.all([reader.hasProfiles(t), reader.hasProfiles(t)])).toEqual([false, false]);
      expect(reader.queries).toBe(1);
      await writer.put(t, 'u1', { country: 'FR' });
      expect(await writer.hasProfiles(t)).toBe(true);
      expect(writer.queries).toBe(0);
      await until('the reader to see the tenant has profiles', () => reader.hasProfiles(t), 5_000);
    });

    it('lists the tenants that have profiles, at once after a put in this process', async () => {
      const store = newProcess();
      const [t, never] = [tenant('list'), tenant('list-never')];
      expect(await store.profiledTenants()).not.toContain(t);
      await store.put(t, 'u1', { country: 'FR' });
      const listed = await store.profiledTenants();
      expect(listed).toContain(t);
      expect(listed).not.toContain(never);
      const queries = store.queries;
      await store.profiledTenants();
      expect(store.queries).toBe(queries);
    });

    it('keeps tenants apart, in the OLAP store and in the cache', async () => {
      const store = newProcess();
      const [a, b] = [tenant('iso-a'), tenant('iso-b')];
      await store.put(a, 'u1', { country: 'US' });
      await store.put(b, 'u1', { country: 'DE' });
      expect(await lookup(store, a, ['u1'])).toEqual({ u1: { country: 'US' } });
      expect(await lookup(newProcess(), b, ['u1'])).toEqual({ u1: { country: 'DE' } });
      expect(await store.hasProfiles(tenant('iso-c'))).toBe(false);
      // Tenant "x:y" with user "z" must not meet tenant "x" with user "y:z" in the cache.
      const x = tenant('x');
      await store.put(`${x}:y`, 'z', { device: 'tv' });
      expect(await lookup(store, x, ['y:z'])).toEqual({});
      expect(await lookup(store, `${x}:y`, ['z'])).toEqual({ z: { device: 'tv' } });
    });

    it('looks up 1,000 users in one query cold and none warm', async () => {
      // Five tenants of 1,000 users each, so that five lookups can each start cold.
      const bulk = Array.from({ length: 5 }, () => ({
        t: tenant('bulk'),
        users: Array.from({ length: 1000 }, (_, i) => `user-${i}-${randomBytes(4).toString('hex')}`),
      }));
      // Loaded in one insert, as an import would: a thousand PUTs would make a thousand parts.
      await pair.olap.insert('profiles', bulk.flatMap(({ t, users }) => users.map((user_id, i) => ({
        tenant: t, user_id, country: `C${i % 50}`, device: i % 2 ? 'mobile' : 'desktop', page: '', campaign: '', updated_at: '2026-01-01 00:00:00.000000',
      }))));
      const store = newProcess();
      const timed = async (t: string, users: string[]) => {
        const started = performance.now();
        const found = await store.lookup(t, users);
        expect(found.size).toBe(1000);
        return performance.now() - started;
      };
      const cold: number[] = [];
      for (const { t, users } of bulk) cold.push(await timed(t, users));
      expect(store.queries).toBe(5);
      const last = bulk[4] ?? { t: '', users: [] };
      expect((await store.lookup(last.t, last.users)).get(last.users[7] ?? '')).toEqual({ country: 'C7', device: 'mobile' });
      const warm: number[] = [];
      for (let i = 0; i < 10; i++) warm.push(await timed(last.t, last.users));
      expect(store.queries).toBe(5);
      const ms = (xs: number[]) => `min ${Math.min(...xs).toFixed(1)} / median ${median(xs).toFixed(1)} ms`;
      console.log(`[profiles] ${name}: 1,000-user lookup cold ${ms(cold)}, warm ${ms(warm)}`);
    });
  });
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
