/**
 * The speed layer's consumer loop: reads the event log, folds events into 1-minute deltas (on the
 * fold thread) and flushes them in batched inserts. Positions are committed only after the deltas
 * they cover are in the OLAP store, so delivery is at-least-once: a restart replays at most what
 * followed the last commit.
 */
import type { Logger } from 'pino';
import type { EventLog, LogBatch, LogPositions, Subscription } from '../infra/eventlog/eventlog';
import type { OlapStore } from '../infra/olap/olap';
import { asBuffer } from '../infra/threads/threads';
import { type FoldThread, startFoldThread } from './fold-thread';

export interface SpeedLayerOptions {
  log: EventLog;
  olap: OlapStore;
  logger: Logger;
  /** @default 'speed' */
  group?: string;
  /** Upper bound on the time between flushes. @default 1000 */
  flushIntervalMs?: number;
  /** Record bytes folded before a flush is forced, bounding memory. @default 64 MiB */
  maxPendingBytes?: number;
  /** Called after every flush that carried events. */
  onFlush?: (flushed: FlushReport) => void;
}

export interface FlushReport {
  events: number;
  rows: number;
  oldestReceivedAt: number;
  newestReceivedAt: number;
  flushedAt: number;
}

export interface SpeedLayer {
  /** Flushes what is folded so far and commits its positions. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** Waits between attempts to subscribe again after a failure. */
const RESUBSCRIBE_BACKOFF_MS = { first: 500, max: 10_000 };

export async function startSpeedLayer(options: SpeedLayerOptions): Promise<SpeedLayer> {
  const { log, olap, logger } = options;
  const maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
  let fold: FoldThread = startFoldThread();
  let positions: LogPositions = new Map();
  let chain: Promise<void> = Promise.resolve();
  let subscription: Subscription | undefined;
  let stopped = false;

  /** Inserts what the fold holds, then commits the positions taken with the drain request. */
  const flushOnce = async (): Promise<void> => {
    if (positions.size === 0) return;
    const covered = positions;
    positions = new Map();
    const drained = await fold.drain();
    if (drained.undecodable > 0) logger.warn({ records: drained.undecodable }, 'skipped undecodable log records');
    let rows = 0;
    for (const delta of drained.rows) {
      if (delta.count === 0) continue;
      rows += delta.count;
      await olap.insertJsonEachRow(delta.table, asBuffer(delta.body));
    }
    try {
      await subscription?.commit(covered);
    } catch (err) {
      // The deltas are in; only the bookmark is missing. A later commit stores later positions
      // and supersedes this one, and until then a restart replays more (a bounded overcount).
      // Rejoining here would only turn a rebalance into a storm of them.
      logger.warn({ err }, 'speed layer could not commit positions; a later commit will');
    }
    if (drained.events > 0) {
      options.onFlush?.({ events: drained.events, rows, oldestReceivedAt: drained.oldest, newestReceivedAt: drained.newest, flushedAt: Date.now() });
    }
  };

  /**
   * Flushes run one at a time on one chain. A failed flush lost its drained deltas, and a later
   * commit would skip past them, so recovery runs on the same chain: no flush can start until the
   * fold is empty and the subscription has started again from the last commit.
   */
  const flush = (): Promise<void> => {
    const run = chain.then(flushOnce);
    chain = run.catch(recover);
    return run;
  };

  const onBatch = async (batch: LogBatch): Promise<void> => {
    const last = batch.records[batch.records.length - 1];
    if (!last) return;
    fold.add(batch.records);
    positions.set(batch.partition, last.offset + 1);
    // Waits for the flush itself, never for a recovery: that stops this very subscription, which
    // waits for this batch to finish.
    if (fold.pendingBytes >= maxPendingBytes) await flush().catch(() => undefined);
  };

  const subscribe = async (): Promise<void> => {
    subscription = await log.subscribe({ group: options.group ?? 'speed', onBatch });
  };

  const recover = async (err: unknown): Promise<void> => {
    logger.error({ err }, 'speed layer flush failed; replaying from the last committed position');
    await subscription?.stop().catch((stopErr: unknown) => logger.warn({ err: stopErr }, 'stopping the failed subscription'));
    subscription = undefined;
    await fold.close();
    fold = startFoldThread();
    positions = new Map();
    for (let wait = RESUBSCRIBE_BACKOFF_MS.first; !stopped; wait = Math.min(wait * 2, RESUBSCRIBE_BACKOFF_MS.max)) {
      try {
        await subscribe();
        return;
      } catch (subscribeErr) {
        logger.error({ err: subscribeErr, retryInMs: wait }, 'speed layer could not subscribe again');
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  };

  await subscribe();
  const timer = setInterval(() => {
    flush().catch(() => undefined); // failures are logged and recovered on the chain
  }, options.flushIntervalMs ?? 1000);

  return {
    flush,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await flush().catch((err: unknown) => logger.warn({ err }, 'final speed flush failed; it will be replayed'));
      await chain;
      await subscription?.stop();
      await fold.close();
    },
  };
}
