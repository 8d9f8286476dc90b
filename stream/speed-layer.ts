/**
 * The speed layer's consumer loop: reads the event log and, on the fold thread, decides each event's
 * dimensions, folds it into 1-minute deltas and collects it for the archive. Deltas are flushed in
 * batched inserts every ≤ 1 s; archive files every ≤ 10 s, each with its manifest row once durable.
 *
 * Positions are committed only after both the deltas and the archive files of the events they
 * cover are durable, so delivery is at-least-once: a restart replays at most what followed the
 * last commit, which the archive's deduplication absorbs and the speed layer overcounts.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { EventLog, LogBatch, LogPositions, Subscription } from '../infra/eventlog/eventlog';
import type { ObjectStore } from '../infra/objectstore/objectstore';
import type { OlapStore } from '../infra/olap/olap';
import { asBuffer } from '../infra/threads/threads';
import { createSequence, ensureManifestSchema, recordArchiveFiles } from './archive/manifest';
import { type ParquetWriter, type WrittenFile, createParquetWriter } from './archive/parquet-writer';
import { createDictionaryStore } from './dictionary-store';
import { type FoldThread, type LookupProfiles, startFoldThread } from './fold-thread';
import type { FoldReply } from './fold-protocol';

export interface Enrichment {
  lookup: LookupProfiles;
  /** Tenants that have any profile; events of the others are never looked up. */
  tenants(): Promise<string[]>;
}

export interface SpeedLayerOptions {
  log: EventLog;
  olap: OlapStore;
  objects: ObjectStore;
  logger: Logger;
  /** Scratch space for building archive files. */
  tmpDir: string;
  enrichment?: Enrichment;
  /** @default 'speed' */
  group?: string;
  /** Upper bound on the time between delta flushes. @default 1000 */
  flushIntervalMs?: number;
  /** Upper bound on the time between archive flushes (and commits). @default 10000 */
  archiveIntervalMs?: number;
  /** Record bytes folded before a flush is forced, bounding memory. @default 64 MiB */
  maxPendingBytes?: number;
  /**
   * Called after every flush that carried events. A flush of deltas awaits it, so that whoever
   * awaits flush() also sees what the callback did (the query cache learning of new rows).
   */
  onFlush?: (flushed: FlushReport) => void | Promise<void>;
}

export interface FlushReport {
  events: number;
  rows: number;
  /** The tenants the rows are for. */
  tenants: string[];
  /**
   * Archive files written, and the events in them. Deltas and files are reported apart: a report
   * carries either events folded (files 0) or files archived (events 0).
   */
  files: number;
  archivedEvents: number;
  oldestReceivedAt: number;
  newestReceivedAt: number;
  flushedAt: number;
}

export interface SpeedLayer {
  /** Settles once the first fold thread has loaded its module (or died trying). */
  readonly loaded: Promise<void>;
  /** Flushes what is folded so far, archive included, and commits its positions. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** Waits between attempts to subscribe again after a failure. */
const RESUBSCRIBE_BACKOFF_MS = { first: 500, max: 10_000 };
/** How often other processes' dictionary admissions and the set of profiled tenants are read. */
const REFRESH_MS = 5_000;
/** Dictionary rows are read back this far before the newest seen, for inserts that landed late. */
const DICTIONARY_OVERLAP_US = 60_000_000;

export async function startSpeedLayer(options: SpeedLayerOptions): Promise<SpeedLayer> {
  const { log, olap, logger } = options;
  const maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
  const flushIntervalMs = options.flushIntervalMs ?? 1000;
  // Checked once a flush interval: due half an interval early, a file due at 10 s is cut at the
  // 10th tick, where `>= 10 s` missed it whenever that tick came a millisecond soon, and waited 11 s.
  const archiveDueMs = (options.archiveIntervalMs ?? 10_000) - flushIntervalMs / 2;
  await ensureManifestSchema(olap);
  const dictionary = await createDictionaryStore(olap);
  const writer: ParquetWriter = await createParquetWriter({ objects: options.objects, tmpDir: options.tmpDir });
  const seq = createSequence();
  const lookup: LookupProfiles = options.enrichment?.lookup ?? (() => Promise.resolve(new Map()));
  let dictionarySeenUs = 0;
  let fold: FoldThread;
  /** Read since the last drain. */
  let positions: LogPositions = new Map();
  /** Drained into deltas, not yet archived: committed with the next archive flush. */
  let unarchived: LogPositions = new Map();
  let lastArchiveAt = Date.now();
  let chain: Promise<void> = Promise.resolve();
  let subscription: Subscription | undefined;
  let stopped = false;

  let folds = 0;
  let spoolDir = '';
  /** Feeds a fresh fold thread everything it must know before its first record. */
  const startFold = async (): Promise<FoldThread> => {
    // Each thread spools into a directory of its own, so a dead one's leftovers go with it.
    spoolDir = join(options.tmpDir, 'spool', String(folds++));
    fold = startFoldThread(lookup, spoolDir);
    dictionarySeenUs = 0;
    await refresh();
    return fold;
  };
  /** Closes the fold thread and removes its spool: whatever it held is replayed from the last commit. */
  const closeFold = async (): Promise<void> => {
    await fold.close();
    await rm(spoolDir, { recursive: true, force: true });
  };
  const refresh = async (): Promise<void> => {
    const loaded = await dictionary.load(Math.max(0, dictionarySeenUs - DICTIONARY_OVERLAP_US));
    dictionarySeenUs = loaded.newestUs;
    if (loaded.entries.length > 0) fold.learn(loaded.entries);
    if (options.enrichment) fold.setProfiledTenants(await options.enrichment.tenants());
  };

  /**
   * Archive files are written off the flush chain, so that building 10 s of Parquet never holds up
   * the deltas behind it; one write runs at a time, so commits land in order. A failure is kept
   * for the next flush to throw, which recovers on the chain.
   */
  let archiving: Promise<void> = Promise.resolve();
  let archiveBusy = false;
  let archiveFailure: unknown;
  const archiveFull = (): boolean => fold.pendingArchiveBytes >= maxPendingBytes;

  const archive = async (chunks: FoldReply['archive'], covered: LogPositions): Promise<void> => {
    const files: WrittenFile[] = [];
    for (const chunk of chunks) files.push(await writer.write(chunk));
    await recordArchiveFiles(olap, files, seq);
    try {
      await subscription?.commit(covered);
    } catch (err) {
      // The deltas and files are in; only the bookmark is missing. A later commit stores later
      // positions and supersedes this one, and until then a restart replays more (a bounded
      // overcount). Rejoining here would only turn a rebalance into a storm of them.
      logger.warn({ err }, 'speed layer could not commit positions; a later commit will');
    }
    if (files.length > 0) {
      const archivedEvents = files.reduce((n, f) => n + f.events, 0);
      const now = Date.now();
      await options.onFlush?.({ events: 0, rows: 0, tenants: [], files: files.length, archivedEvents, oldestReceivedAt: now, newestReceivedAt: now, flushedAt: now });
    }
  };

  /** Inserts what the fold holds; on archive flushes, starts writing the files, then commits. */
  const flushOnce = async (forceArchive: boolean): Promise<void> => {
    if (forceArchive) await archiving; // a forced flush archives everything, after what is in flight
    if (archiveFailure !== undefined) {
      const err = archiveFailure;
      archiveFailure = undefined;
      throw err;
    }
    const archiveDue = !archiveBusy && (forceArchive || Date.now() - lastArchiveAt >= archiveDueMs || archiveFull());
    if (positions.size === 0 && !(archiveDue && unarchived.size > 0)) return;
    for (const [partition, next] of positions) unarchived.set(partition, next);
    positions = new Map();
    const covered = unarchived;
    const drained = await fold.drain(archiveDue);
    if (drained.undecodable > 0) logger.warn({ records: drained.undecodable }, 'skipped undecodable log records');
    // Admissions first: a row that uses a value must never be durable before the value is.
    await dictionary.save(drained.admitted);
    let rows = 0;
    for (const delta of drained.rows) {
      if (delta.count === 0) continue;
      rows += delta.count;
      await olap.insertRows(delta.table, asBuffer(delta.body), 'JSONCompactEachRow', delta.columns);
    }
    if (archiveDue) {
      unarchived = new Map();
      lastArchiveAt = Date.now();
      archiveBusy = true;
      archiving = archive(drained.archive, covered)
        .catch((err: unknown) => {
          archiveFailure = err;
        })
        .finally(() => {
          archiveBusy = false;
        });
      if (forceArchive) await archiving;
    }
    if (drained.events > 0) {
      await options.onFlush?.({ events: drained.events, rows, tenants: drained.tenants, files: 0, archivedEvents: 0, oldestReceivedAt: drained.oldest, newestReceivedAt: drained.newest, flushedAt: Date.now() });
    }
    if (forceArchive && archiveFailure !== undefined) throw archiveFailure;
  };

  /**
   * Flushes run one at a time on one chain. A failed flush lost its drained deltas or files, and a
   * later commit would skip past them, so recovery runs on the same chain: no flush can start until
   * a fresh fold thread runs and the subscription has started again from the last commit.
   */
  const flush = (forceArchive = false): Promise<void> => {
    const run = chain.then(() => flushOnce(forceArchive));
    chain = run.catch(recover);
    return run;
  };

  const onBatch = async (batch: LogBatch): Promise<void> => {
    const last = batch.records[batch.records.length - 1];
    if (!last) return;
    fold.add(batch);
    positions.set(batch.partition, last.offset + 1);
    // Waits for the flush itself, never for a recovery: that stops this very subscription, which
    // waits for this batch to finish.
    // A full archive is cut as it fills, not at the next tick: its files then cover even spans.
    if (fold.pendingBytes >= maxPendingBytes || (!archiveBusy && archiveFull())) await flush().catch(() => undefined);
  };

  const subscribe = async (): Promise<void> => {
    subscription = await log.subscribe({ group: options.group ?? 'speed', onBatch });
  };

  const recover = async (err: unknown): Promise<void> => {
    logger.error({ err }, 'speed layer flush failed; replaying from the last committed position');
    await archiving; // its commit, if any, covers only durable files: it may land, and nothing after it
    archiveFailure = undefined;
    await subscription?.stop().catch((stopErr: unknown) => logger.warn({ err: stopErr }, 'stopping the failed subscription'));
    subscription = undefined;
    await closeFold();
    positions = new Map();
    unarchived = new Map();
    for (let wait = RESUBSCRIBE_BACKOFF_MS.first; !stopped; wait = Math.min(wait * 2, RESUBSCRIBE_BACKOFF_MS.max)) {
      try {
        await startFold();
        await subscribe();
        return;
      } catch (restartErr) {
        logger.error({ err: restartErr, retryInMs: wait }, 'speed layer could not start again');
        await closeFold();
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  };

  const { loaded } = await startFold();
  await subscribe();
  const flushTimer = setInterval(() => {
    flush().catch(() => undefined); // failures are logged and recovered on the chain
  }, flushIntervalMs);
  const refreshTimer = setInterval(() => {
    // On the chain, so a refresh never talks to a fold thread that recovery is replacing.
    chain = chain.then(refresh).catch((err: unknown) => logger.warn({ err }, 'refreshing the dictionary and profiled tenants failed'));
  }, REFRESH_MS);

  return {
    loaded,
    flush: () => flush(true),
    async stop() {
      stopped = true;
      clearInterval(flushTimer);
      clearInterval(refreshTimer);
      await flush(true).catch((err: unknown) => logger.warn({ err }, 'final speed flush failed; it will be replayed'));
      await chain;
      await subscription?.stop();
      await closeFold();
      await writer.close();
    },
  };
}

/** Where a data directory keeps the speed layer's scratch files. */
export const speedScratchDir = (dataDir: string): string => join(dataDir, 'tmp', `archive-${process.pid}`);
