/**
 * A small pool of threads that prepare ingest batches. On a machine of a few cores, one HTTP
 * thread appending to the log and preparing bodies itself was the ingest bottleneck: parsing,
 * validating and encoding are most of an event's cost and need no shared state.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { StrataError } from '../core/errors';
import type { BatchInput, PreparedBatch } from './ingest-batch';
import type { PrepareReply } from './ingest-protocol';

export interface IngestPool {
  prepare(input: BatchInput): Promise<PreparedBatch>;
  close(): Promise<void>;
}

interface Waiting { done: (batch: PreparedBatch) => void; fail: (err: Error) => void }

/** @param size threads in the pool; @default one less than the cores, at least one */
export function startIngestPool(size = Math.max(1, availableParallelism() - 1)): IngestPool {
  const waiting = new Map<number, Waiting>();
  const inFlight: number[] = [];
  let nextId = 0;
  let closing = false;

  const workers: Worker[] = [];
  const spawn = (index: number): void => {
    const worker = new Worker(new URL('./ingest-worker.mjs', import.meta.url));
    worker.on('message', (reply: PrepareReply) => {
      inFlight[index] = Math.max(0, (inFlight[index] ?? 1) - 1);
      const w = waiting.get(reply.id);
      waiting.delete(reply.id);
      if (!w) return;
      if (!reply.ok) return w.fail(new StrataError(reply.code, reply.message, reply.details));
      const records = reply.keys.map((key, i) => ({ key, value: asBuffer(reply.values[i] as Uint8Array) }));
      w.done({ records, accepted: reply.accepted, errors: reply.errors });
    });
    worker.on('error', (err) => failAll(unavailable(err.message)));
    worker.on('exit', (code) => {
      if (closing) return;
      // The requests it held fail (their clients retry); a fresh thread takes its place.
      failAll(unavailable(`an ingest thread exited with code ${code}`));
      spawn(index);
    });
    inFlight[index] = 0;
    workers[index] = worker;
  };
  for (let i = 0; i < size; i++) spawn(i);

  function failAll(err: Error): void {
    for (const w of waiting.values()) w.fail(err);
    waiting.clear();
  }

  return {
    prepare(input) {
      // The least busy thread: bodies vary in size, so round-robin would queue behind a big one.
      let pick = 0;
      for (let i = 1; i < workers.length; i++) if ((inFlight[i] ?? 0) < (inFlight[pick] ?? 0)) pick = i;
      const id = nextId++;
      inFlight[pick] = (inFlight[pick] ?? 0) + 1;
      return new Promise((done, fail) => {
        waiting.set(id, { done, fail });
        // The body is this request's own copy (readRawBody), so its memory can move, not be copied.
        const body = input.body;
        const transfer = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? [body.buffer as ArrayBuffer] : [];
        workers[pick]?.postMessage({ id, input }, transfer);
      });
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((w) => w.terminate()));
      failAll(unavailable('the server is shutting down'));
    },
  };
}

/** Wraps transferred bytes without copying them (Buffer.from of a Uint8Array copies). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function unavailable(why: string): StrataError {
  return new StrataError('STRATA_UNAVAILABLE', `ingest could not prepare this request (${why}); nothing was accepted, retry it`);
}
