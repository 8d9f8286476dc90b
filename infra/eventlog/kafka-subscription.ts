/**
 * One member of a Kafka consumer group. Offsets are never auto-committed: the caller commits
 * what is durable downstream. A failed `onBatch` stops the member (kafkajs would otherwise retry
 * the batch and restart the consumer), leaving its partitions to the rest of the group.
 */
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { StrataError } from '../../core/errors';
import type { LogPositions, LogRecord, SubscribeOptions, Subscription } from './eventlog';

/** How long `subscribe` waits for the group to assign partitions. */
const JOIN_TIMEOUT_MS = 60_000;

export interface KafkaSubscribeParams {
  kafka: Kafka;
  admin: Admin;
  topic: string;
  partitions: number;
  logger: Logger;
  options: SubscribeOptions;
}

/**
 * The Kafka group id of a logical group on a topic. Kafka groups are not scoped by topic: two
 * deployments (or test runs) whose `speed` groups shared one id would rebalance together, and a
 * member killed in one would stall every join in the other until its session expired.
 */
export function kafkaGroupId(topic: string, group: string): string {
  return `${topic}.${group}`;
}

/** Joins the group and resolves once this member has its partitions. */
export async function subscribeKafka(params: KafkaSubscribeParams): Promise<Subscription> {
  const { kafka, admin, topic, partitions, logger, options } = params;
  const { group, onBatch, from = 'earliest' } = options;
  const ends = from === 'latest' ? await uncommittedEnds(admin, group, topic) : new Map<number, string>();
  const consumer = kafka.consumer({
    groupId: kafkaGroupId(topic, group),
    allowAutoTopicCreation: false,
    maxBytesPerPartition: 4 << 20,
    // A fetch returns as soon as data arrives; this bounds only an idle long poll, which
    // stop() must wait out (kafkajs' 5 s default made every stop take 5 s).
    maxWaitTimeInMs: 500,
    // A member that dies holds its partitions until its session expires (kafkajs' default 30 s);
    // a crashed stream process should be replaced sooner. Heartbeats go out every 3 s.
    sessionTimeout: 15_000,
    heartbeatInterval: 3_000,
    // A thrown error never reaches kafkajs (see eachBatch); this covers its own faults.
    retry: { retries: 5 },
  });
  let assigned: number[] = [];
  let firstJoin = true;
  /**
   * The next offset this member handed to onBatch, per partition. After a rebalance, kafkajs
   * fetches a partition from the group's committed offset; a partition this member keeps is
   * resumed here instead, since what it delivered is already held downstream (the speed layer
   * commits only every few seconds, and every rebalance would otherwise replay all of that).
   */
  const delivered = new Map<number, number>();
  let failed = false;
  let stopping: Promise<void> | undefined;
  const joined = new Promise<void>((resolve, reject) => {
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      assigned = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
      // Emitted before the first fetch, so the seek (a fetch position, not a commit) wins.
      for (const partition of assigned) {
        const offset = firstJoin ? ends.get(partition) : delivered.get(partition)?.toString();
        if (offset !== undefined) consumer.seek({ topic, partition, offset });
      }
      for (const partition of [...delivered.keys()]) if (!assigned.includes(partition)) delivered.delete(partition);
      firstJoin = false;
      resolve();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      logger.error({ err: payload.error, group, restart: payload.restart }, 'event log: kafka consumer crashed');
      if (!payload.restart) reject(payload.error);
    });
  });
  joined.catch(() => {}); // a crash after the join is logged above, not unhandled

  const stop = (): Promise<void> => {
    // stop() resolves whatever happened before; errors are logged where they occur.
    stopping ??= consumer.disconnect().catch((err: unknown) => {
      logger.error({ err, group }, 'event log: disconnecting a kafka consumer failed');
    }).then(() => {
      assigned = [];
    });
    return stopping;
  };

  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: from !== 'latest' });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: partitions,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (failed || !isRunning() || isStale() || batch.messages.length === 0) return;
        const records: LogRecord[] = batch.messages.map((m) => ({
          key: m.key?.toString('utf8') ?? '',
          value: m.value ?? Buffer.alloc(0),
          partition: batch.partition,
          offset: Number(m.offset),
        }));
        try {
          await onBatch({ partition: batch.partition, records });
        } catch (err) {
          // Partitions run concurrently: only the first failure is news.
          if (!failed) logger.error({ err, group }, 'event log: onBatch failed; the subscription stops');
          failed = true;
          // Not awaited: disconnecting waits for this very batch to return.
          void stop();
          return;
        }
        // Moves the fetch position only; the group's committed offset moves on commit().
        resolveOffset(batch.lastOffset());
        delivered.set(batch.partition, Number(batch.lastOffset()) + 1);
        await heartbeat();
      },
    });
    await withTimeout(joined, JOIN_TIMEOUT_MS, `joining consumer group ${group}`);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    commit: async (positions: LogPositions) => {
      const entries = [...positions].map(([partition, offset]) => ({ topic, partition, offset: String(offset) }));
      if (entries.length > 0) await consumer.commitOffsets(entries);
    },
    assigned: () => [...assigned],
    stop,
  };
}

/**
 * `from: 'latest'` means the end at the moment of subscribing, as in the local log. kafkajs
 * would resolve "latest" only at its first fetch, after the group join, and skip what was
 * appended in between; so the ends of the partitions the group never committed are read first.
 */
async function uncommittedEnds(admin: Admin, group: string, topic: string): Promise<Map<number, string>> {
  const [committed] = await admin.fetchOffsets({ groupId: kafkaGroupId(topic, group), topics: [topic] });
  const missing = new Set((committed?.partitions ?? []).filter((p) => Number(p.offset) < 0).map((p) => p.partition));
  const ends = await admin.fetchTopicOffsets(topic);
  return new Map(ends.filter((e) => missing.has(e.partition)).map((e) => [e.partition, e.high]));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StrataError('STRATA_UNAVAILABLE', `timed out after ${ms} ms ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
