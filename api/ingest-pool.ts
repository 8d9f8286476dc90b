/**
 * A small pool of threads that prepare ingest batches. On a machine of a few cores, one HTTP
 * thread appending to the log and preparing bodies itself was the ingest bottleneck: parsing,
 * validating and encoding are most of an event's cost and need no shared state.
 */
import { availableParallelism } from 'node:os';
import { StrataError } from '../core/errors';
import { type SamplingRules, compileSampling } from '../core/sampling';
import { type Thread, asBuffer, startThread } from '../infra/threads/threads';
import type { BatchInput, PreparedBatch } from './ingest-batch';
import type { IngestThreadData, PrepareReply, PrepareRequest } from './ingest-protocol';

export interface IngestPool {
  prepare(input: BatchInput): Promise<PreparedBatch>;
  /** Settles once every thread started with the pool has loaded (or died trying). */
  loaded(): Promise<void>;
  close(): Promise<void>;
}

const WORKER = new URL('./ingest-worker.ts', import.meta.url);
/** A thread that dies is replaced after this long, doubling while it keeps dying young. */
const RESPAWN_MS = { first: 100, max: 5_000, young: 10_000 };

export interface IngestPoolOptions {
  /**
   * Sampling rules (STRATA_SAMPLING), handed to each thread once when it starts.
   * @default {} (nothing sampled)
   */
  sampling?: SamplingRules;
}

/**
 * One less than the cores, but at least two. On 2 cores, where the HTTP thread, the fold, V8's
 * collector helpers and the client all compete, one thread left the queue waiting whenever it was
 * descheduled: two took 175K-214K events/s where one took 141K-155K (three paired runs).
 */
const DEFAULT_SIZE = Math.max(2, availableParallelism() - 1);

/** @param size threads in the pool; @default DEFAULT_SIZE */
export function startIngestPool(size = DEFAULT_SIZE, options: IngestPoolOptions = {}): IngestPool {
  const data: IngestThreadData = { sampling: options.sampling ?? {} };
  // Bad rules throw here, to the caller, rather than kill every thread as it starts.
  compileSampling(data.sampling);
  const threads: Thread<PrepareRequest, PrepareReply>[] = [];
  let closing = false;

  const spawn = (index: number, delay: number): void => {
    const started = Date.now();
    threads[index] = startThread<PrepareRequest, PrepareReply>(WORKER, {
      data,
      failure: (why) => unavailable(why),
      onExit: () => {
        if (closing) return;
        // The calls it held failed with 503 (their clients retry); a fresh thread takes its place.
        const next = Date.now() - started > RESPAWN_MS.young ? RESPAWN_MS.first : Math.min(delay * 2, RESPAWN_MS.max);
        setTimeout(() => closing || spawn(index, next), delay).unref();
      },
    });
  };
  for (let i = 0; i < size; i++) spawn(i, RESPAWN_MS.first);

  const started = threads.map((t) => t.loaded);
  return {
    loaded: async () => void (await Promise.all(started)),
    async prepare(input) {
      // The least busy thread: bodies vary in size, so round-robin would queue behind a big one.
      const thread = threads.reduce((best, t) => (t.inFlight < best.inFlight ? t : best));
      // The body is this request's own copy (readRawBody), so its memory can move, not be copied.
      const body = input.body;
      const transfer = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? [body.buffer as ArrayBuffer] : [];
      const reply = await thread.call({ input }, transfer);
      if (!reply.ok) throw new StrataError(reply.code, reply.message, reply.details);
      const records = reply.keys.map((key, i) => ({ key, value: asBuffer(reply.values[i] as Uint8Array) }));
      return { records, accepted: reply.accepted, sampledOut: reply.sampledOut, errors: reply.errors };
    },
    async close() {
      closing = true;
      await Promise.all(threads.map((t) => t.close()));
    },
  };
}

function unavailable(why: string): StrataError {
  return new StrataError('STRATA_UNAVAILABLE', `ingest could not prepare this request (${why}); nothing was accepted, retry it`);
}
