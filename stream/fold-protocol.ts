/** Messages between the speed layer and its fold thread. */
import type { ArchiveChunk } from './archive/archive-buffer';
import type { DictionaryEntry } from './dictionary';
import type { Profile } from './enrichment/profile-cache';

/** What the thread is started with. */
export interface FoldThreadData {
  /** Where its archive buffer spools sealed lines: this thread's alone. */
  spoolDir: string;
}

export type FoldRequest =
  /**
   * The records of one log batch, laid end to end in one transferred buffer: `ends` marks where
   * each one stops, `offsets` holds each one's log offset.
   */
  | { type: 'records'; partition: number; offsets: number[]; buffer: ArrayBuffer; ends: number[] }
  /** Everything folded since the last drain, in request order; the archive too when asked. */
  | { type: 'drain'; id: number; archive: boolean }
  /** Dictionary values admitted elsewhere (loaded at start, then by other processes). */
  | { type: 'dictionary'; entries: DictionaryEntry[] }
  /** The tenants that have profiles: only their events are worth a lookup. */
  | { type: 'profiled-tenants'; tenants: string[] }
  /** The answer to a lookup the thread asked for; `null` marks a user without a profile. */
  | { type: 'profiles'; ask: number; found: [userId: string, profile: Profile | null][] };

/** What the thread asks of the main thread, which holds the profile store. */
export interface ProfileLookup {
  ask: number;
  tenant: string;
  userIds: string[];
}

export interface FoldReply {
  id: number;
  events: number;
  /** Per cube, the input table its deltas go to, the rows as JSONCompactEachRow bytes in `columns` order, and how many. */
  rows: { table: string; columns: string[]; body: Uint8Array; count: number }[];
  /** The tenants those rows are for. */
  tenants: string[];
  /** Archive files to write; empty unless the drain asked for the archive. */
  archive: ArchiveChunk[];
  /** Dictionary values admitted since the last drain: saved before any row that uses them. */
  admitted: DictionaryEntry[];
  oldest: number;
  newest: number;
  undecodable: number;
}
