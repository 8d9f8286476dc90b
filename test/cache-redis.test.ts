import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { cacheContract } from '../infra/cache/contract';
import type { Cache } from '../infra/cache/cache';
import { createRedisCache } from '../infra/cache/redis';
import { freePort, hasRedisServer, startRedis } from './support/redis-server';

const services = inject('services');

// One key prefix per test run, so parallel runs never see each other's keys or locks.
const keyPrefix = `strata-test-${randomBytes(6).toString('hex')}:`;

cacheContract('redis', async () => createRedisCache({ url: services.redisUrl, keyPrefix }), { shared: true });

describe('redis cache when Redis is unreachable', () => {
  const caches: Cache[] = [];
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterAll(async () => {
    await Promise.all(caches.map((cache) => cache.close()));
    sockets.forEach((socket) => socket.destroy());
    servers.forEach((server) => server.close());
  });

  it('fails fast when nothing listens', async () => {
    const cache = createRedisCache({ url: 'redis://127.0.0.1:1', keyPrefix });
    caches.push(cache);
    await expectFailsFast(cache);
  });

  it('fails fast when the server accepts but never answers', async () => {
    // A black hole: the TCP connect succeeds, the handshake never completes.
    const server = createServer((socket) => sockets.push(socket));
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const cache = createRedisCache({ url: `redis://127.0.0.1:${port}`, keyPrefix });
    caches.push(cache);
    await expectFailsFast(cache);
  });
});

describe.skipIf(!hasRedisServer)('redis cache across a Redis outage', () => {
  let child: ChildProcess | undefined;
  let cache: Cache | undefined;
  afterAll(async () => {
    await cache?.close();
    child?.kill('SIGKILL');
  });

  it('fails fast while Redis is down or frozen, and recovers when it is back', async () => {
    const port = await freePort();
    child = await startRedis(port);
    const c = createRedisCache({ url: `redis://127.0.0.1:${port}`, keyPrefix });
    cache = c;
    await waitFor(() => c.ping(), 5_000);
    await c.set('k', 'before', 60_000);

    // Frozen: connected, but no replies. commandTimeout must bound every call.
    child.kill('SIGSTOP');
    await expectFailsFast(c);
    child.kill('SIGCONT');
    await waitFor(() => c.ping(), 5_000);
    expect(await c.get('k')).toBe('before');

    // Down: the process is gone (its data with it, as this Redis keeps nothing on disk).
    child.kill('SIGKILL');
    await once(child, 'exit');
    await expectFailsFast(c);

    child = await startRedis(port);
    await waitFor(() => c.ping(), 10_000);
    await c.set('k', 'after', 60_000);
    expect(await c.get('k')).toBe('after');
    expect(await c.tryLock('lock', 5_000)).toBe(true);
  });
});

/**
 * Every call settles within 1 s: commands reject as unavailable and ping says false. It touches
 * only probe keys, since a frozen Redis still applies the timed-out writes once it resumes.
 */
async function expectFailsFast(cache: Cache): Promise<void> {
  const started = Date.now();
  const results = await Promise.allSettled([
    cache.get('probe'),
    cache.set('probe', 'v', 1_000),
    cache.delete('probe'),
    cache.tryLock('probe-lock', 1_000),
  ]);
  expect(await cache.ping()).toBe(false);
  expect(Date.now() - started).toBeLessThan(1_000);
  for (const result of results) {
    expect(result.status).toBe('rejected');
    if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'STRATA_UNAVAILABLE' });
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
