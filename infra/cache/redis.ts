import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { StrataError } from '../../core/errors';
import type { Cache } from './cache';

export interface RedisCacheOptions {
  /** `redis://[user:password@]host:port[/db]` */
  url: string;
  /** Prepended to every key, so tenants of one Redis (or test runs) never collide. */
  keyPrefix: string;
  /**
   * How long one attempt to connect, or one command, may take before it fails. Keep it short: a
   * query must not wait on a sick cache. @default 250
   */
  timeoutMs?: number;
}

// Deletes the lock only if it still holds our token, so a holder whose lock expired and was
// taken by another process cannot release the new holder's lock.
const UNLOCK_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

// Starts a missing counter from Redis's own clock in microseconds (see Cache.increment), built as
// text: Lua numbers are doubles and would print in exponent form.
const INCREMENT_SCRIPT = `if redis.call('EXISTS', KEYS[1]) == 0 then
  local t = redis.call('TIME')
  redis.call('SET', KEYS[1], t[1] .. string.format('%06d', tonumber(t[2])))
end
return redis.call('INCR', KEYS[1])`;

// The counter's value, started as INCREMENT_SCRIPT starts it when missing.
const COUNTER_SCRIPT = `if redis.call('EXISTS', KEYS[1]) == 0 then
  local t = redis.call('TIME')
  redis.call('SET', KEYS[1], t[1] .. string.format('%06d', tonumber(t[2])))
end
return redis.call('GET', KEYS[1])`;

/**
 * The shared cache of the distributed mode, over Redis.
 *
 * It never makes a caller wait on a Redis that is down: commands are not queued while
 * disconnected, and connects and commands time out after `timeoutMs`. While Redis is unreachable
 * every command rejects with a StrataError (code STRATA_UNAVAILABLE), so the caller can skip the
 * cache, and ping() resolves false. The client keeps reconnecting in the background
 * and recovers on its own when Redis returns.
 *
 * Each instance is one lock owner: a lock taken through one instance can only be released
 * through that instance.
 */
export function createRedisCache(options: RedisCacheOptions): Cache {
  const timeoutMs = options.timeoutMs ?? 250;
  const redis = new Redis(options.url, {
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    // Never give up: back off up to 1 s between attempts, so recovery is quick once Redis is back.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
  });
  // Set by any failure and cleared on 'ready': once Redis has failed, calls fail at once instead
  // of each waiting on reconnect attempts that a black-holed host stretches to the full timeout.
  let degraded = false;
  redis.on('ready', () => (degraded = false));
  redis.on('close', () => (degraded = true));
  // Without a listener an unreachable Redis would crash the process with an unhandled 'error'.
  // Failures already reach callers as rejections and ping() === false; there is nothing to add.
  redis.on('error', () => (degraded = true));

  // Separate namespaces, so a cached key can never be mistaken for a lock of the same name.
  const valueKey = (key: string) => `${options.keyPrefix}v:${key}`;
  const lockKey = (key: string) => `${options.keyPrefix}l:${key}`;
  const tokens = new Map<string, string>();

  /**
   * Runs a command once the client is usable. Right after creation it waits for the first connect
   * (at most timeoutMs), so a fresh cache works at once; after a failure it never waits.
   */
  const run = async <T>(what: string, command: () => Promise<T>): Promise<T> => {
    try {
      if (redis.status !== 'ready' && !degraded && !(await readyWithin(redis, timeoutMs))) {
        degraded = true;
      }
      return await command();
    } catch (err) {
      const cause = err instanceof Error ? err.message : String(err);
      throw Object.assign(new StrataError('STRATA_UNAVAILABLE', `redis cache ${what} failed: ${cause}`), {
        cause: err,
      });
    }
  };

  return {
    async get(key) {
      return (await run('get', () => redis.get(valueKey(key)))) ?? undefined;
    },

    async set(key, value, ttlMs) {
      checkTtl(ttlMs);
      await run('set', () => redis.set(valueKey(key), value, 'PX', ttlMs));
    },

    async getMany(keys) {
      if (keys.length === 0) return [];
      const values = await run('getMany', () => redis.mget(keys.map(valueKey)));
      return values.map((v) => v ?? undefined);
    },

    async setMany(list, ttlMs) {
      checkTtl(ttlMs);
      if (list.length === 0) return;
      // A pipeline, not MSET: MSET takes no TTL, and a pipeline is still one round trip.
      const results = await run('setMany', () => {
        const pipeline = redis.pipeline();
        for (const [key, value] of list) pipeline.set(valueKey(key), value, 'PX', ttlMs);
        return pipeline.exec();
      });
      const failed = results?.find(([err]) => err !== null)?.[0];
      if (failed) throw new StrataError('STRATA_UNAVAILABLE', `redis cache setMany failed: ${failed.message}`);
    },

    async delete(key) {
      await run('delete', () => redis.del(valueKey(key)));
    },

    async counter(key) {
      return String(await run('counter', () => redis.eval(COUNTER_SCRIPT, 1, valueKey(key))));
    },

    async increment(key) {
      return Number(await run('increment', () => redis.eval(INCREMENT_SCRIPT, 1, valueKey(key))));
    },

    async tryLock(key, ttlMs) {
      checkTtl(ttlMs);
      const token = randomUUID();
      const ok = await run('tryLock', () => redis.set(lockKey(key), token, 'PX', ttlMs, 'NX'));
      if (ok !== 'OK') return false;
      tokens.set(key, token);
      return true;
    },

    async unlock(key) {
      const token = tokens.get(key);
      if (token === undefined) return;
      tokens.delete(key);
      await run('unlock', () => redis.eval(UNLOCK_SCRIPT, 1, lockKey(key), token));
    },

    async ping() {
      try {
        return (await run('ping', () => redis.ping())) === 'PONG';
      } catch {
        return false;
      }
    },

    async close() {
      tokens.clear();
      if (redis.status === 'ready') {
        await redis.quit().catch(() => redis.disconnect());
      } else {
        redis.disconnect();
      }
    },
  };
}

/** Whether the client is (or becomes) ready within `ms`; false as soon as an attempt fails. */
function readyWithin(redis: Redis, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('close', onClose);
      resolve(ready);
    };
    const onReady = done(true);
    const onClose = done(false);
    const timer = setTimeout(onClose, ms);
    redis.once('ready', onReady);
    redis.once('close', onClose);
  });
}

/** PX takes a positive integer; failing here gives a clearer message than Redis's. */
function checkTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
    throw new Error(`cache ttlMs must be a positive integer of milliseconds, got ${ttlMs}`);
  }
}
