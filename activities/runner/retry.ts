/**
 * The embedded runner's stand-in for Temporal's activity retries: a reconcile that fails (a busy
 * engine, a file still being written) is tried again after a backoff before its backfill is
 * marked failed, as a Temporal activity would be.
 */
import type { Logger } from 'pino';

export async function withRetries<T>(what: string, logger: Logger, run: () => Promise<T>, attempts = 4, firstDelayMs = 1000): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= attempts) throw err;
      const delay = firstDelayMs * 2 ** (attempt - 1);
      logger.warn({ err, attempt, retryInMs: delay }, `${what} failed; retrying`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
