import { StrataError } from '../../core/errors';
import type { Cache } from './cache';

export interface CacheGuardOptions {
  /** Longest one call may take; past it the call fails, though the command may still land. @default 100 */
  timeoutMs?: number;
  /** How long calls are refused after a failure, before one call may probe the cache again. @default 1000 */
  cooldownMs?: number;
  /** The clock, for tests. @default Date.now */
  now?: () => number;
}

/**
 * A Cache that never holds a query up for long: every call is bounded by `timeoutMs`, and after a
 * failure the guard refuses calls at once for `cooldownMs` (a circuit breaker), then lets a single
 * call through to probe. A call that fails, times out or is refused rejects with a StrataError
 * (code STRATA_UNAVAILABLE), which callers take as "no cache".
 *
 * The Redis adapter alone fails fast once it knows Redis is gone, but a frozen or black-holed Redis
 * still costs each command its full command timeout; the guard bounds that, too.
 */
export function guardCache(cache: Cache, options: CacheGuardOptions = {}): Cache {
  const timeoutMs = options.timeoutMs ?? 100;
  const cooldownMs = options.cooldownMs ?? 1000;
  const now = options.now ?? Date.now;
  /** 0 while the cache answers; else when the next probe may go. */
  let openUntil = 0;
  let probing = false;

  const call = async <T>(what: string, command: () => Promise<T>): Promise<T> => {
    if (openUntil > now()) throw refused(what, 'it failed recently');
    const probe = openUntil > 0;
    if (probe && probing) throw refused(what, 'a probe is under way');
    probing ||= probe;
    try {
      const result = await within(command(), timeoutMs, what);
      openUntil = 0;
      return result;
    } catch (err) {
      openUntil = now() + cooldownMs;
      throw err instanceof StrataError ? err : unavailable(what, err);
    } finally {
      if (probe) probing = false;
    }
  };

  return {
    get: (key) => call('get', () => cache.get(key)),
    set: (key, value, ttlMs) => call('set', () => cache.set(key, value, ttlMs)),
    getMany: (keys) => call('getMany', () => cache.getMany(keys)),
    setMany: (entries, ttlMs) => call('setMany', () => cache.setMany(entries, ttlMs)),
    delete: (key) => call('delete', () => cache.delete(key)),
    increment: (key) => call('increment', () => cache.increment(key)),
    counter: (key) => call('counter', () => cache.counter(key)),
    tryLock: (key, ttlMs) => call('tryLock', () => cache.tryLock(key, ttlMs)),
    unlock: (key) => call('unlock', () => cache.unlock(key)),
    // Bounded, but left out of the breaker: a health check must see Redis itself, and its false is not a failure.
    ping: () => within(cache.ping(), timeoutMs, 'ping').catch(() => false),
    close: () => cache.close(),
  };
}

/** The command's result, or a rejection once `ms` have passed; a late failure is swallowed. */
function within<T>(command: Promise<T>, ms: number, what: string): Promise<T> {
  command.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    // After a busy stretch the loop runs due timers before it reads sockets: setImmediate lets a
    // reply that is already in lands first, so a slow event loop is not taken for a slow cache.
    const expire = () => reject(new StrataError('STRATA_UNAVAILABLE', `cache ${what} took longer than ${ms} ms`));
    timer = setTimeout(() => setImmediate(expire), ms);
  });
  return Promise.race([command, late]).finally(() => clearTimeout(timer));
}

function refused(what: string, why: string): StrataError {
  return new StrataError('STRATA_UNAVAILABLE', `cache ${what} skipped: ${why}`);
}

function unavailable(what: string, cause: unknown): StrataError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return Object.assign(new StrataError('STRATA_UNAVAILABLE', `cache ${what} failed: ${message}`), { cause });
}
