/**
 * The main thread's handle on the fold thread. Messages are handled in order, so a drain covers
 * exactly the records sent before it: the caller pairs it with positions taken at the same moment.
 */
import { Worker } from 'node:worker_threads';
import type { LogRecord } from '../infra/eventlog/eventlog';
import type { FoldReply, FoldRequest } from './fold-protocol';

export interface FoldThread {
  /** Bytes of records sent since the last drain. */
  readonly pendingBytes: number;
  add(records: readonly LogRecord[]): void;
  drain(): Promise<FoldReply>;
  close(): Promise<void>;
}

export function startFoldThread(): FoldThread {
  const worker = new Worker(new URL('./fold-worker.mjs', import.meta.url));
  const waiting = new Map<number, { done: (reply: FoldReply) => void; fail: (err: Error) => void }>();
  let nextId = 0;
  let pendingBytes = 0;
  let failure: Error | undefined;

  worker.on('message', (reply: FoldReply) => {
    waiting.get(reply.id)?.done(reply);
    waiting.delete(reply.id);
  });
  const failAll = (err: Error) => {
    failure = err;
    for (const w of waiting.values()) w.fail(err);
    waiting.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the fold thread exited with code ${code}`)));

  const send = (request: FoldRequest, transfer: ArrayBuffer[] = []) => worker.postMessage(request, transfer);

  return {
    get pendingBytes() {
      return pendingBytes;
    },
    add(records) {
      // One fresh buffer per batch, transferred rather than copied; record values may be views
      // into a larger read buffer, which a structured clone would copy whole.
      let size = 0;
      for (const r of records) size += r.value.length;
      const buffer = new ArrayBuffer(size);
      const bytes = new Uint8Array(buffer);
      const ends: number[] = [];
      let at = 0;
      for (const r of records) {
        bytes.set(r.value, at);
        at += r.value.length;
        ends.push(at);
      }
      pendingBytes += size;
      send({ type: 'records', buffer, ends }, [buffer]);
    },
    drain() {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      pendingBytes = 0;
      return new Promise((done, fail) => {
        waiting.set(id, { done, fail });
        send({ type: 'drain', id });
      });
    },
    async close() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}
