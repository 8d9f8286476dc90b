/**
 * The embedded mode's event log: a segmented append-only log per partition on local disk.
 * Appends are group-committed: calls that arrive while a write is in flight are gathered and
 * written with one write and one fsync per partition, then all of them resolve. That is what
 * lets many concurrent ingest requests share the cost of an fsync.
 */
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { StrataError } from '../../core/errors';
import type { EventLog, LogMessage, SubscribeOptions, Subscription } from './eventlog';
import { syncDirectory } from '../durable-fs';
import { openGroupStore, type GroupStore } from './group-store';
import { claimLogDir } from './local-dir';
import { LocalGroups } from './local-group';
import { partitionFor } from './partition';
import { PartitionLog } from './partition-log';
import { encodeFrames } from './segment';

export interface LocalLogOptions {
  /** Directory that holds the partitions and the groups' committed positions. */
  dir: string;
  /**
   * Number of partitions. Fixed for the life of the directory: keys hash to partitions.
   * @default what the directory has; 2 for a new one. One process consumes the local log, so
   * partitions buy little parallelism here, and every partition an append touches costs an fsync.
   */
  partitions?: number;
  /**
   * How long an append waits for others to share its write and fsync.
   * @default 3 ms: an fsync costs about 0.1 ms of CPU, mostly the kernel's; at a few hundred
   * requests a second, sharing it saved about a tenth of an embedded process's CPU.
   */
  lingerMs?: number;
  /**
   * Size at which a partition starts a new segment file.
   * @default 64 MiB
   */
  segmentBytes?: number;
  /** @default pino at level warn */
  logger?: Logger;
}

/** Counters of the local log, for metrics and benchmarks. */
export interface LocalLogStats {
  appends: number;
  records: number;
  /** Group commits: each wrote every partition it touched once (barring segment rolls). */
  groups: number;
  fsyncs: number;
}

export interface LocalEventLog extends EventLog {
  stats(): LocalLogStats;
}

interface PendingAppend {
  /** Encoded frames and record count per partition. */
  parts: Map<number, { frames: Buffer; count: number }>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Opens (creating or recovering) a local event log in `dir`. */
const DEFAULT_PARTITIONS = 2;

export async function createLocalLog(options: LocalLogOptions): Promise<LocalEventLog> {
  const { dir, segmentBytes = 64 << 20, lingerMs = 3 } = options;
  const logger = options.logger ?? pino({ name: 'eventlog', level: 'warn' });
  const asked = options.partitions;
  if (asked !== undefined && (!Number.isInteger(asked) || asked < 1)) throw new StrataError('STRATA_INVALID_CONFIG', `"partitions" has invalid value ${asked}`);
  const { release, partitions } = await claimLogDir(dir, asked, DEFAULT_PARTITIONS);
  const logs: PartitionLog[] = [];
  let store: GroupStore;
  try {
    for (let p = 0; p < partitions; p++) logs.push(await PartitionLog.open(p, join(dir, 'partitions', String(p)), segmentBytes, logger));
    // The new directories' entries must be durable too, or a crash could lose acked segments.
    await syncDirectory(join(dir, 'partitions'));
    await syncDirectory(dir);
    store = await openGroupStore(join(dir, 'groups'));
  } catch (err) {
    for (const log of logs) await log.close();
    await release();
    throw err;
  }
  const groups = new LocalGroups(logs, store, logger);
  const stats: LocalLogStats = { appends: 0, records: 0, groups: 0, fsyncs: 0 };

  const pending: PendingAppend[] = [];
  let flushing: Promise<void> | undefined;
  let failure: unknown;
  let closed = false;

  async function flush(): Promise<void> {
    // Appends made meanwhile join the group: every group costs a write and an fsync per partition
    // it touches, and an fsync's CPU dwarfs that of its bytes.
    await new Promise((resolve) => (lingerMs > 0 ? setTimeout(resolve, lingerMs) : setImmediate(resolve)));
    try {
      while (pending.length > 0) await writeGroup(pending.splice(0));
    } finally {
      // Cleared in the same synchronous step as the loop's exit: an append resumed by the
      // last resolve then starts a new flush instead of joining one that has already ended.
      flushing = undefined;
    }
  }

  async function writeGroup(group: PendingAppend[]): Promise<void> {
    const byPartition = new Map<number, { chunks: Buffer[]; counts: number[] }>();
    for (const { parts } of group) {
      for (const [p, { frames, count }] of parts) {
        const entry = byPartition.get(p) ?? { chunks: [], counts: [] };
        entry.chunks.push(frames);
        entry.counts.push(count);
        byPartition.set(p, entry);
      }
    }
    // allSettled: a failed partition must not leave the others' writes running unawaited.
    const results = await Promise.allSettled([...byPartition].map(([p, e]) => logs[p]!.append(e.chunks, e.counts)));
    stats.groups += 1;
    for (const result of results) if (result.status === 'fulfilled') stats.fsyncs += result.value;
    const failed = results.find((result) => result.status === 'rejected');
    if (!failed) {
      for (const entry of group) entry.resolve();
    } else {
      const err: unknown = failed.reason;
      // After a failed write or fsync the file's state is unknown; retrying an fsync can
      // report success for lost data. Fail the log: reopening recovers from what is on disk.
      failure = err;
      logger.error({ err }, 'event log: append failed; the log refuses further appends until reopened');
      for (const entry of [...group, ...pending.splice(0)]) entry.reject(err);
    }
  }

  function append(messages: LogMessage[]): Promise<void> {
    if (closed) return Promise.reject(new StrataError('STRATA_UNAVAILABLE', 'event log is closed'));
    if (failure !== undefined) return Promise.reject(failure);
    if (messages.length === 0) return Promise.resolve();
    // Keys are encoded once, for the partitioner and the frames both.
    const grouped = new Map<number, { list: LogMessage[]; keys: Buffer[] }>();
    for (const message of messages) {
      const key = Buffer.from(message.key, 'utf8');
      const p = partitionFor(key, partitions);
      const entry = grouped.get(p);
      if (entry) {
        entry.list.push(message);
        entry.keys.push(key);
      } else grouped.set(p, { list: [message], keys: [key] });
    }
    const parts = new Map<number, { frames: Buffer; count: number }>();
    try {
      for (const [p, { list, keys }] of grouped) parts.set(p, { frames: encodeFrames(list, keys), count: list.length });
    } catch (err) {
      return Promise.reject(err);
    }
    stats.appends += 1;
    stats.records += messages.length;
    return new Promise((resolve, reject) => {
      pending.push({ parts, resolve, reject });
      flushing ??= flush();
    });
  }

  async function lag(group: string): Promise<number> {
    const committed = await store.load(group);
    return logs.reduce((sum, log) => sum + Math.max(0, log.endOffset - Math.max(committed.get(log.partition) ?? 0, log.startOffset)), 0);
  }

  async function subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
    if (closed) throw new StrataError('STRATA_UNAVAILABLE', 'event log is closed');
    return groups.join(subscribeOptions);
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await flushing;
    await groups.stopAll();
    for (const log of logs) await log.close();
    await release();
  }

  return { partitions, append, subscribe, lag, close, stats: () => ({ ...stats }) };
}
