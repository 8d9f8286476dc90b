/**
 * A counting semaphore for engine queries. Each chdb query occupies a libuv pool thread until the
 * engine finishes it, so admitting more than the pool can run would starve KILL, fs and zlib.
 */
import { abortError } from './sql';

export interface Slots {
  /**
   * Waits for a free slot and returns its release function. Rejects with an AbortError when
   * `signal` fires, or with TIMEOUT_EXCEEDED when `deadline` (epoch ms) passes, while waiting.
   */
  acquire(signal?: AbortSignal, deadline?: number): Promise<() => void>;
}

export function createSlots(size: number): Slots {
  let free = size;
  const waiters: Array<() => void> = [];
  const grant = (): (() => void) => {
    free--;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      free++;
      waiters.shift()?.();
    };
  };
  return {
    acquire(signal, deadline) {
      if (signal?.aborted) return Promise.reject(abortError());
      if (free > 0 && waiters.length === 0) return Promise.resolve(grant());
      const since = Date.now();
      return new Promise((resolve, reject) => {
        const waiter = (): void => { cleanup(); resolve(grant()); };
        const fail = (err: Error): void => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          cleanup();
          reject(err);
        };
        const onAbort = (): void => fail(abortError());
        const timer = deadline === undefined ? undefined : setTimeout(() => fail(new Error(
          `Code: 159. DB::Exception: Timeout exceeded: waited ${Date.now() - since} ms in the queue for a free engine slot. (TIMEOUT_EXCEEDED)`,
        )), Math.max(0, deadline - Date.now()));
        function cleanup(): void {
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.push(waiter);
      });
    },
  };
}
