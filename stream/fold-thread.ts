/**
 * The main thread's handle on the fold thread. Messages are handled in order, so a drain covers
 * exactly the records sent before it: the caller pairs it with positions taken at the same moment.
 */
import type { LogRecord } from '../infra/eventlog/eventlog';
import { startThread } from '../infra/threads/threads';
import type { FoldReply, FoldRequest } from './fold-protocol';

export interface FoldThread {
  /** Bytes of records sent since the last drain. */
  readonly pendingBytes: number;
  add(records: readonly LogRecord[]): void;
  /** Everything folded since the last drain; rejects if the thread died or was closed meanwhile. */
  drain(): Promise<FoldReply>;
  close(): Promise<void>;
}

export function startFoldThread(): FoldThread {
  const thread = startThread<Extract<FoldRequest, { type: 'drain' }>, FoldReply>(new URL('./fold-worker.ts', import.meta.url), {
    failure: (why) => new Error(`the fold thread failed: ${why}`),
  });
  let pendingBytes = 0;

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
      const message: FoldRequest = { type: 'records', buffer, ends };
      thread.post(message, [buffer]);
    },
    drain() {
      pendingBytes = 0;
      return thread.call({ type: 'drain' });
    },
    close: () => thread.close(),
  };
}
