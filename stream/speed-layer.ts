/**
 * The speed layer's consumer loop: reads the event log, folds events into 1-minute deltas (on the
 * fold thread) and flushes them in batched inserts. Positions are committed only after the deltas
 * they cover are in the OLAP store, so delivery is at-least-once: a restart replays at most what
 * followed the last commit.
 */
import type { Logger } from 'pino';
import { CUBES } from '../core/dimensions';
import { speedInputTable } from '../core/rollups';
import type { EventLog, LogBatch, LogPositions, Subscription } from '../infra/eventlog/eventlog';
import type { OlapStore } from '../infra/olap/olap';
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

export async function startSpeedLayer(options: SpeedLayerOptions): Promise<SpeedLayer> {
  const { log, olap, logger } = options;
  const maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
  let fold: FoldThread = startFoldThread();
  let positions: LogPositions = new Map();
  let chain: Promise<void> = Promise.resolve();
  let subscription: Subscription | undefined;
  let stopped = false;

  /** Flushes run one at a time; positions taken with the drain request cover exactly its records. */
  const flush = (): Promise<void> => {
    const run = chain.then(async () => {
      if (positions.size === 0) return;
      const covered = positions;
      positions = new Map();
      const drained = await fold.drain();
      if (drained.undecodable > 0) logger.warn({ records: drained.undecodable }, 'skipped undecodable log records');
      let rows = 0;
      for (const [cubeName, cubeRows] of drained.rows) {
        const cube = CUBES.find((c) => c.name === cubeName);
        if (!cube || cubeRows.length === 0) continue;
        rows += cubeRows.length;
        await olap.insert(speedInputTable(cube), cubeRows);
      }
      await subscription?.commit(covered);
      if (drained.events > 0) {
        options.onFlush?.({ events: drained.events, rows, oldestReceivedAt: drained.oldest, newestReceivedAt: drained.newest, flushedAt: Date.now() });
      }
    });
    chain = run.catch(() => undefined);
    return run;
  };

  const onBatch = async (batch: LogBatch): Promise<void> => {
    const last = batch.records[batch.records.length - 1];
    if (!last) return;
    fold.add(batch.records);
    positions.set(batch.partition, last.offset + 1);
    // Not awaiting recovery here: it stops this very subscription, which waits for this batch.
    if (fold.pendingBytes >= maxPendingBytes) await flush().catch((err: unknown) => void recover(err));
  };

  const subscribe = async (): Promise<void> => {
    subscription = await log.subscribe({ group: options.group ?? 'speed', onBatch });
  };

  /**
   * A failed flush lost its drained deltas, and a later commit would skip past them. So the fold
   * starts empty and the subscription starts again from the last commit, replaying what followed.
   */
  const recover = async (err: unknown): Promise<void> => {
    logger.error({ err }, 'speed layer flush failed; replaying from the last committed position');
    await subscription?.stop().catch(() => undefined);
    await fold.close();
    fold = startFoldThread();
    positions = new Map();
    if (!stopped) await subscribe();
  };

  await subscribe();
  const timer = setInterval(() => {
    flush().catch((err: unknown) => recover(err).catch((again: unknown) => logger.error({ err: again }, 'speed layer could not resubscribe')));
  }, options.flushIntervalMs ?? 1000);

  return {
    flush,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await flush().catch((err: unknown) => logger.warn({ err }, 'final speed flush failed; it will be replayed'));
      await subscription?.stop();
      await fold.close();
    },
  };
}
