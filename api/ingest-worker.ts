/**
 * An ingest pool thread: parses, validates and encodes request bodies (prepareBatch) off the
 * thread that serves HTTP and appends to the log.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { StrataError } from '../core/errors';
import { compileSampling } from '../core/sampling';
import type { ThreadData } from '../infra/threads/threads';
import { prepareBatch } from './ingest-batch';
import type { IngestThreadData, PrepareReply, PrepareRequest } from './ingest-protocol';

const port = parentPort;
if (!port) throw new Error('ingest-worker must run in a worker thread');
const sample = compileSampling((workerData as ThreadData<IngestThreadData>).data?.sampling ?? {});

port.on('message', ({ id, input }: PrepareRequest) => {
  let reply: PrepareReply;
  try {
    const batch = prepareBatch(input, sample);
    // Each value is copied into memory of its own and moved: the encoder's output is a view into a
    // buffer it reuses, which must neither be cloned whole nor taken away from it.
    const values = batch.records.map((r) => new Uint8Array(r.value));
    reply = { id, ok: true, keys: batch.records.map((r) => r.key), values, accepted: batch.accepted, sampledOut: batch.sampledOut, errors: batch.errors };
    port.postMessage(reply, values.map((v) => v.buffer as ArrayBuffer));
  } catch (err) {
    const known = err instanceof StrataError;
    reply = known
      ? { id, ok: false, code: err.code, message: err.message, details: err.details }
      : { id, ok: false, code: 'STRATA_INTERNAL', message: (err as Error).message, details: undefined };
    port.postMessage(reply);
  }
});
