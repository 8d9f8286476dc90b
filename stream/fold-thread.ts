/**
 * The main thread's handle on the fold thread. Messages are handled in order, so a drain covers
 * exactly the records sent before it: the caller pairs it with positions taken at the same moment.
 */
import type { LogBatch } from '../infra/eventlog/eventlog';
import { startThread } from '../infra/threads/threads';
import type { DictionaryEntry } from './dictionary';
import type { Profile } from './enrichment/profile-cache';
import type { FoldReply, FoldRequest, FoldThreadData, ProfileLookup } from './fold-protocol';

export interface FoldThread {
  /** Bytes of records sent since the last drain. */
  readonly pendingBytes: number;
  /** Bytes of records sent since the last drain that took the archive. */
  readonly pendingArchiveBytes: number;
  add(batch: LogBatch): void;
  learn(entries: DictionaryEntry[]): void;
  setProfiledTenants(tenants: string[]): void;
  /** Everything folded since the last drain (and the archive, if asked); rejects if the thread died or was closed. */
  drain(archive: boolean): Promise<FoldReply>;
  /** Settles once the thread's module has loaded, or once it has died without loading. */
  readonly loaded: Promise<void>;
  close(): Promise<void>;
}

/** Answers the thread's profile lookups; a failure kills the fold, which the speed layer recovers. */
export type LookupProfiles = (tenant: string, userIds: string[]) => Promise<Map<string, Profile>>;

/** @param spoolDir where the thread spools archive lines: its own, removed by the caller once the thread is gone */
export function startFoldThread(lookupProfiles: LookupProfiles, spoolDir: string): FoldThread {
  const thread = startThread<Extract<FoldRequest, { type: 'drain' }>, FoldReply>(new URL('./fold-worker.ts', import.meta.url), {
    data: { spoolDir } satisfies FoldThreadData,
    failure: (why) => new Error(`the fold thread failed: ${why}`),
    onMessage: (message) => {
      const { ask, tenant, userIds } = message as ProfileLookup;
      lookupProfiles(tenant, userIds).then(
        (found) => post({ type: 'profiles', ask, found: userIds.map((u) => [u, found.get(u) ?? null]) }),
        // Without its answer the thread cannot go on; closing it fails the pending drain.
        () => void thread.close(),
      );
    },
  });
  const post = (message: FoldRequest, transfer: ArrayBuffer[] = []) => thread.post(message, transfer);
  let pendingBytes = 0;
  let pendingArchiveBytes = 0;

  return {
    loaded: thread.loaded,
    get pendingBytes() {
      return pendingBytes;
    },
    get pendingArchiveBytes() {
      return pendingArchiveBytes;
    },
    add({ partition, records }) {
      // One fresh buffer per batch, transferred rather than copied; record values may be views
      // into a larger read buffer, which a structured clone would copy whole.
      let size = 0;
      for (const r of records) size += r.value.length;
      const buffer = new ArrayBuffer(size);
      const bytes = new Uint8Array(buffer);
      const ends: number[] = [];
      const offsets: number[] = [];
      let at = 0;
      for (const r of records) {
        bytes.set(r.value, at);
        at += r.value.length;
        ends.push(at);
        offsets.push(r.offset);
      }
      pendingBytes += size;
      pendingArchiveBytes += size;
      post({ type: 'records', partition, offsets, buffer, ends }, [buffer]);
    },
    learn: (entries) => post({ type: 'dictionary', entries }),
    setProfiledTenants: (tenants) => post({ type: 'profiled-tenants', tenants }),
    drain(archive) {
      pendingBytes = 0;
      if (archive) pendingArchiveBytes = 0;
      return thread.call({ type: 'drain', archive });
    },
    close: () => thread.close(),
  };
}
