import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { HOST, PORTS, runDir } from './paths';
import { withLock } from './lock';
import { runStep, type Log } from './process';
import type { ServiceDef } from './service';

export const redisUrl = `redis://${HOST}:${PORTS.redis}`;

function onPath(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return join(dir, bin);
    } catch { /* next */ }
  }
  return undefined;
}

/**
 * apt-get with the dpkg lock wait built in, plus retries for the lists lock that `apt-get update`
 * takes, which DPkg::Lock::Timeout does not cover: other setup scripts on the same machine (e.g.
 * one installing chromium) may hold either for a while.
 */
async function aptGet(log: Log, args: string[]): Promise<void> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      await runStep('redis', 'apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { DEBIAN_FRONTEND: 'noninteractive' });
      return;
    } catch (err) {
      if (!/Could not get lock|Unable to lock/.test((err as Error).message) || Date.now() > deadline) throw err;
      log(`redis: apt is busy (another install holds its lock), retrying apt-get ${args[0]}`);
      await delay(3_000); // back-off between retries, not synchronisation
    }
  }
}

export const redis: ServiceDef = {
  name: 'redis',
  startTimeoutMs: 15_000,

  async install(log) {
    if (onPath('redis-server')) return;
    await withLock('apt', log, async () => {
      if (onPath('redis-server')) return;
      log('redis: installing Debian redis-server with apt-get (first run only)');
      await aptGet(log, ['update']);
      await aptGet(log, ['install', '-y', '--no-install-recommends', 'redis-server']);
    });
  },

  async command() {
    const bin = onPath('redis-server') ?? '/usr/bin/redis-server';
    // In the foreground (not --daemonize) so the pid we record is the server's own.
    return {
      command: bin,
      args: ['--port', String(PORTS.redis), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', runDir('redis')],
    };
  },

  async healthy() {
    const client = new Redis({
      host: HOST, port: PORTS.redis, lazyConnect: true, connectTimeout: 1_000,
      maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null,
    });
    client.on('error', () => undefined); // a refused connection is an answer here, not a crash
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  },
};
