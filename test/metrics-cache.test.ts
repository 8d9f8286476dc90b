/**
 * The query cache of GET /v1/metrics on the real Redis: one store query for 100 concurrent misses,
 * in one API process and across two; an answer that follows every flush and publish at once; and
 * queries that carry on, correct and quick, while Redis is down.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expressApp } from '../api/app';
import { type MetricsCache, createMetricsCache } from '../api/metrics-cache';
import { createMetricsHandler, metricsRouter } from '../api/routes/metrics';
import { DAY_MS, HOUR_MS, MINUTE_MS, floorTo, toIso } from '../core/time';
import type { Cache } from '../infra/cache/cache';
import { bumpGeneration } from '../infra/cache/generations';
import { guardCache } from '../infra/cache/guard';
import { createRedisCache } from '../infra/cache/redis';
import { type Telemetry, createTelemetry } from '../infra/telemetry';
import { type CountedStore, countedStore, insertSpeed, publish } from './support/metrics-store';
import { freePort, hasRedisServer, killRedis, startRedis } from './support/redis-server';

const services = inject('services');
const run = randomBytes(4).toString('hex');
/** A fixed clock: yesterday 12:30 UTC, inside the speed rows' 7-day TTL. */
const NOW = floorTo(Date.now(), DAY_MS) - DAY_MS + 12 * HOUR_MS + 30 * MINUTE_MS;
const CURRENT = floorTo(NOW, HOUR_MS);
const EARLIER = CURRENT - 2 * HOUR_MS;

let store: CountedStore;
const closers: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  store = await countedStore(`cache_${run}`);
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await store?.olap.close();
  rmSync(store.dir, { recursive: true, force: true });
});

interface Api {
  get<T = { value: number; layer: string }>(tenant: string, query: string): Promise<T>;
  /** The reply as a client sees it: status, body text and the headers that carry meaning. */
  fetch(tenant: string, query: string): Promise<{ status: number; type: string | null; groups: string | null; body: string }>;
  telemetry: Telemetry;
  results(): Promise<Record<string, number>>;
}

/** One API process: its own router, in-process state and Redis client, on a shared store. */
async function startApi(queryCache: MetricsCache | undefined): Promise<Api> {
  const telemetry = createTelemetry();
  const logger = pino({ level: 'silent' });
  const router = metricsRouter(createMetricsHandler({ olap: store.olap, telemetry, logger, openLoopback: true, now: () => NOW, ...(queryCache ? { queryCache } : {}) }));
  const server: Server = createServer(expressApp(logger, [router])).listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => new Promise((done) => server.close(done)));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    telemetry,
    async get<T>(tenant: string, query: string): Promise<T> {
      const res = await fetch(`${base}/v1/metrics?${query}`, { headers: { 'strata-tenant': tenant } });
      const body = (await res.json()) as T;
      expect(res.status, JSON.stringify(body)).toBe(200);
      return body;
    },
    async fetch(tenant, query) {
      const res = await fetch(`${base}/v1/metrics?${query}`, { headers: { 'strata-tenant': tenant } });
      return { status: res.status, type: res.headers.get('content-type'), groups: res.headers.get('strata-total-groups'), body: await res.text() };
    },
    async results() {
      const metric = await telemetry.cacheRequests.get();
      return Object.fromEntries(metric.values.map((v) => [String(v.labels.result), v.value]));
    },
  };
}

/**
 * A Redis cache as the API role builds it, connected before use. Tests that count hits and misses
 * give the guard more time than its 100 ms default, so a stall of a loaded machine is not a bypass.
 */
async function redisCache(url: string, keyPrefix: string, timeoutMs = 1_000): Promise<{ raw: Cache; guarded: Cache }> {
  const raw = createRedisCache({ url, keyPrefix });
  closers.push(() => raw.close());
  expect(await raw.ping()).toBe(true);
  return { raw, guarded: guardCache(raw, { timeoutMs }) };
}

const keyPrefix = `strata-test-${run}:`;
const totalOf = (from: number, to?: number) => `name=events&granularity=all&from=${toIso(from)}${to === undefined ? '' : `&to=${toIso(to)}`}`;

describe('metrics cache: 100 concurrent misses of one key', () => {
  it('make one store query in one API process', async () => {
    const tenant = 'one-process';
    await insertSpeed(store.olap, tenant, CURRENT + 5 * MINUTE_MS, 3);
    const api = await startApi(createMetricsCache({ cache: (await redisCache(services.redisUrl, keyPrefix)).guarded }));
    const [rollups, states] = [store.rollupQueries(), store.stateQueries()];
    const replies = await Promise.all(Array.from({ length: 100 }, () => api.get(tenant, totalOf(CURRENT))));
    expect(replies.every((r) => r.value === 3 && r.layer === 'speed')).toBe(true);
    expect(store.rollupQueries() - rollups, JSON.stringify(await api.results())).toBe(1);
    expect(store.stateQueries() - states).toBe(1);
    expect(await api.results()).toEqual({ hit: 99, miss: 1, bypass: 0 });
  });

  it('make one store query across two API processes sharing Redis', async () => {
    const tenant = 'two-processes';
    await insertSpeed(store.olap, tenant, CURRENT + 5 * MINUTE_MS, 4);
    const apis = [
      await startApi(createMetricsCache({ cache: (await redisCache(services.redisUrl, keyPrefix)).guarded })),
      await startApi(createMetricsCache({ cache: (await redisCache(services.redisUrl, keyPrefix)).guarded })),
    ];
    const [rollups, states] = [store.rollupQueries(), store.stateQueries()];
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => (apis[i % 2] as Api).get(tenant, totalOf(CURRENT))));
    expect(replies.every((r) => r.value === 4)).toBe(true);
    expect(store.rollupQueries() - rollups, JSON.stringify(await Promise.all(apis.map((api) => api.results())))).toBe(1);
    expect(store.stateQueries() - states).toBe(1);
    const results = await Promise.all(apis.map((api) => api.results()));
    expect(results.map((r) => r.miss).sort()).toEqual([0, 1]);
    expect(results.reduce((sum, r) => sum + (r.hit ?? 0), 0)).toBe(99);
  });
});

describe('metrics cache: answers', () => {
  it('are the same from the cache as from the store, headers included', async () => {
    const tenant = 'same';
    await insertSpeed(store.olap, tenant, EARLIER + 5 * MINUTE_MS, 2);
    await insertSpeed(store.olap, tenant, CURRENT + 5 * MINUTE_MS, 3);
    const uncached = await startApi(undefined);
    const cached = await startApi(createMetricsCache({ cache: (await redisCache(services.redisUrl, keyPrefix)).guarded }));
    const breakdown = `name=events&group_by=event&from=${toIso(EARLIER)}`;
    expect(await uncached.fetch(tenant, breakdown)).toMatchObject({ status: 200, groups: '1', type: 'application/json; charset=utf-8' });
    for (const query of [breakdown, `name=events,page_views&granularity=1h&from=${toIso(EARLIER)}`]) {
      const expected = await uncached.fetch(tenant, query);
      expect(await cached.fetch(tenant, query)).toEqual(expected); // computed
      expect(await cached.fetch(tenant, query)).toEqual(expected); // from the cache
    }
    expect(await cached.results()).toEqual({ hit: 2, miss: 2, bypass: 0 });
  });
});

describe('metrics cache: never staler than its data', () => {
  it('follows every flush and publish at once, and keeps a published window through flushes', async () => {
    const tenant = 'fresh';
    const { raw, guarded } = await redisCache(services.redisUrl, keyPrefix);
    const api = await startApi(createMetricsCache({ cache: guarded }));
    const flush = async (minute: number, events: number) => {
      await insertSpeed(store.olap, tenant, minute, events);
      await bumpGeneration(raw, 'speed', tenant);
    };
    const earlierHour = totalOf(EARLIER, EARLIER + HOUR_MS);
    const live = totalOf(EARLIER);
    await flush(EARLIER + 5 * MINUTE_MS, 5); // duplicates included: the batch layer will count 4
    await flush(CURRENT + 10 * MINUTE_MS, 1);
    expect(await api.get(tenant, live)).toEqual({ name: 'events', from: toIso(EARLIER), to: toIso(NOW), value: 6, layer: 'speed' });

    // Rows without a bump stay unseen: the answer really comes from the cache…
    await insertSpeed(store.olap, tenant, CURRENT + 11 * MINUTE_MS, 100);
    expect(await api.get(tenant, live)).toMatchObject({ value: 6 });
    // …and a flush's bump shows them at once.
    await bumpGeneration(raw, 'speed', tenant);
    expect(await api.get(tenant, live)).toMatchObject({ value: 106, layer: 'speed' });

    await publish(store.olap, tenant, EARLIER, 2000, 4);
    await bumpGeneration(raw, 'batch', tenant);
    expect(await api.get(tenant, live)).toMatchObject({ value: 105, layer: 'mixed' });
    expect(await api.get(tenant, earlierHour)).toMatchObject({ value: 4, layer: 'batch' });

    // A late event into the published hour, flushed: the published window needs no recomputing.
    const before = await api.results();
    await flush(EARLIER + 6 * MINUTE_MS, 1);
    const rollups = store.rollupQueries();
    expect(await api.get(tenant, earlierHour)).toMatchObject({ value: 4, layer: 'batch' });
    expect(store.rollupQueries()).toBe(rollups);
    expect((await api.results()).hit).toBe((before.hit ?? 0) + 1);
    expect(await api.get(tenant, live)).toMatchObject({ value: 105, layer: 'mixed' }); // the late row reads as batch
  });
});

describe.skipIf(!hasRedisServer)('metrics cache: Redis down', () => {
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child) await killRedis(child);
  });

  it('answers correctly and quickly without it, counted as bypass, and caches again once it is back', async () => {
    const tenant = 'outage';
    const port = await freePort();
    child = await startRedis(port);
    const { raw, guarded } = await redisCache(`redis://127.0.0.1:${port}`, keyPrefix, 100);
    const api = await startApi(createMetricsCache({ cache: guarded }));
    const query = totalOf(CURRENT);
    await insertSpeed(store.olap, tenant, CURRENT + 1 * MINUTE_MS, 2);
    /** Asks until an answer comes from the cache: right away, unless the machine stalled past the guard. */
    const untilCached = async (expected: number) => waitFor(async () => {
      const hits = (await api.results()).hit ?? 0;
      expect(await api.get(tenant, query)).toMatchObject({ value: expected });
      return ((await api.results()).hit ?? 0) > hits;
    }, 10_000);
    await untilCached(2);

    /** Every answer is right, and takes no longer than a query without a cache would, plus a little. */
    const answersWithout = async (expected: number) => {
      const bypassed = (await api.results()).bypass ?? 0;
      for (let i = 0; i < 10; i++) {
        const started = Date.now();
        expect(await api.get(tenant, query)).toMatchObject({ value: expected, layer: 'speed' });
        expect(Date.now() - started).toBeLessThan(500);
      }
      expect((await api.results()).bypass).toBe(bypassed + 10);
    };

    // Frozen: connected, but no replies. The guard's timeout bounds every call.
    child.kill('SIGSTOP');
    await insertSpeed(store.olap, tenant, CURRENT + 2 * MINUTE_MS, 3); // a flush that could not bump
    await answersWithout(5);
    child.kill('SIGCONT');

    // Down: the process is gone, its data with it.
    await killRedis(child);
    await insertSpeed(store.olap, tenant, CURRENT + 3 * MINUTE_MS, 4);
    await answersWithout(9);

    child = await startRedis(port);
    await waitFor(() => raw.ping(), 10_000);
    // Within the breaker's cooldown the next queries may still bypass; then they are cached again.
    await untilCached(9);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
