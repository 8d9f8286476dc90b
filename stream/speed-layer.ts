/**
 * The speed layer's consumer loop: reads the event log, folds events into 1-minute deltas and
 * flushes them in batched inserts. Positions are committed only after the deltas they cover are in
 * the OLAP store, so delivery is at-least-once: a restart replays at most what followed the last
 * commit.
 */
import type { Logger } from 'pino';
import { CUBES } from '../core/dimensions';
import { decodeEvent } from '../core/event';
import { speedInputTable } from '../core/rollups';
import type { EventLog, LogBatch, LogPositions, Subscription } from '../infra/eventlog/eventlog';
import type { OlapStore } from '../infra/olap/olap';
import { createBucketFold } from './buckets';

export interface SpeedLayerOptions {
  log: EventLog;
  olap: OlapStore;
  logger: Logger;
  /** @default 'speed' */
  group?: string;
  /** Upper bound on the time between flushes. @default 1000 */
  flushIntervalMs?: number;
  /** Events folded before a flush is forced, bounding memory. @default 200_000 */
  maxPendingEvents?: number;
  /** Called after every flush with the receive times of the oldest and newest flushed events. */
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
  const fold = createBucketFold(CUBES);
  const maxPending = options.maxPendingEvents ?? 200_000;
  let positions: LogPositions = new Map();
  let oldest = Infinity;
  let newest = 0;
  let chain: Promise<void> = Promise.resolve();
  let subscription: Subscription | undefined;
  let stopped = false;

  /** Flushes run one at a time; a snapshot taken synchronously pairs the deltas with their positions. */
  const flush = (): Promise<void> => {
    const run = chain.then(async () => {
      if (fold.pending === 0 && positions.size === 0) return;
      const events = fold.pending;
      const deltas = fold.drain();
      const covered = positions;
      const report = { oldest, newest };
      positions = new Map();
      oldest = Infinity;
      newest = 0;
      let rows = 0;
      for (const [cube, cubeRows] of deltas) {
        if (cubeRows.length === 0) continue;
        rows += cubeRows.length;
        await olap.insert(speedInputTable(cube), cubeRows);
      }
      await subscription?.commit(covered);
      if (events > 0) {
        options.onFlush?.({ events, rows, oldestReceivedAt: report.oldest, newestReceivedAt: report.newest, flushedAt: Date.now() });
      }
    });
    chain = run.catch(() => undefined);
    return run;
  };

  const onBatch = async (batch: LogBatch): Promise<void> => {
    for (const record of batch.records) {
      const event = decodeEvent(record.value);
      if (!event) {
        logger.warn({ partition: record.partition, offset: record.offset }, 'skipping an undecodable log record');
        continue;
      }
      fold.add(event);
      if (event.received_at < oldest) oldest = event.received_at;
      if (event.received_at > newest) newest = event.received_at;
    }
    const last = batch.records[batch.records.length - 1];
    if (last) positions.set(batch.partition, last.offset + 1);
    // Not awaiting recovery here: it stops this very subscription, which waits for this batch.
    if (fold.pending >= maxPending) await flush().catch((err: unknown) => void recover(err));
  };

  const subscribe = async (): Promise<void> => {
    subscription = await log.subscribe({ group: options.group ?? 'speed', onBatch });
  };

  /**
   * A failed flush lost its drained deltas, and a later commit would skip past them. So the
   * subscription starts again from the last commit, and everything after it is replayed.
   */
  const recover = async (err: unknown): Promise<void> => {
    logger.error({ err }, 'speed layer flush failed; replaying from the last committed position');
    await subscription?.stop().catch(() => undefined);
    fold.drain();
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
    },
  };
}
