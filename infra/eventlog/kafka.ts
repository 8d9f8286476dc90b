/**
 * The distributed mode's event log: a Kafka topic through kafkajs. Keys are partitioned by the
 * shared hash (partition.ts) and the partition is sent explicitly, so both adapters put a key in
 * the same partition. Offsets are committed only by `Subscription.commit` (at-least-once).
 */
import { CompressionTypes, Kafka, Partitioners, logLevel, type Admin, type LogEntry, type Producer } from 'kafkajs';
import { pino, type Logger } from 'pino';
import { StrataError } from '../../core/errors';
import type { EventLog, LogMessage, SubscribeOptions, Subscription } from './eventlog';
import { kafkaGroupId, subscribeKafka } from './kafka-subscription';
import { partitionFor } from './partition';

export interface KafkaLogOptions {
  brokers: string[];
  topic: string;
  /**
   * Partitions of the topic when this creates it; an existing topic must have as many.
   * @default 4
   */
  partitions?: number;
  /** @default 'strata' */
  clientId?: string;
  /**
   * Replication factor when this creates the topic (-1: the broker's default).
   * @default -1
   */
  replicationFactor?: number;
  /**
   * Idempotent producer: a retried send is not written twice.
   * @default true
   */
  idempotent?: boolean;
  /** Receives kafkajs' warnings and errors. @default pino at level warn */
  logger?: Logger;
}

/** Connects to Kafka, creating the topic if it is missing. */
export async function createKafkaLog(options: KafkaLogOptions): Promise<EventLog> {
  const { brokers, topic, partitions = 4, clientId = 'strata', replicationFactor = -1, idempotent = true } = options;
  const logger = options.logger ?? pino({ name: 'eventlog', level: 'warn' });
  const kafka = new Kafka({ clientId, brokers, logLevel: logLevel.WARN, logCreator: () => (entry) => forward(logger, entry) });
  const admin = kafka.admin();
  await admin.connect();
  let producer: Producer | undefined;
  try {
    await ensureTopic(admin, topic, partitions, replicationFactor);
    producer = kafka.producer({
      idempotent,
      // Bounded, so that an append fails (and ingest answers 503) while the brokers are down
      // instead of retrying forever; duplicates from a caller's retry are deduplicated by event_id.
      retry: { retries: 5 },
      allowAutoTopicCreation: false,
      // The partition is always explicit; this only silences kafkajs' partitioner notice.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
  } catch (err) {
    await producer?.disconnect().catch(() => {});
    await admin.disconnect();
    throw err;
  }
  const subscriptions = new Set<Subscription>();
  let closed = false;

  async function append(messages: LogMessage[]): Promise<void> {
    if (closed) throw new StrataError('STRATA_UNAVAILABLE', 'event log is closed');
    if (messages.length === 0) return;
    await producer!.send({
      topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: messages.map((m) => ({ key: m.key, value: m.value, partition: partitionFor(m.key, partitions) })),
    });
  }

  async function subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
    if (closed) throw new StrataError('STRATA_UNAVAILABLE', 'event log is closed');
    const sub = await subscribeKafka({ kafka, admin, topic, partitions, logger, options: subscribeOptions });
    subscriptions.add(sub);
    return {
      ...sub,
      stop: async () => {
        subscriptions.delete(sub);
        await sub.stop();
      },
    };
  }

  async function lag(group: string): Promise<number> {
    const [committed] = await admin.fetchOffsets({ groupId: kafkaGroupId(topic, group), topics: [topic] });
    const positions = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const ends = await admin.fetchTopicOffsets(topic);
    // -1 means the group never committed this partition: all of it is lag.
    return ends.reduce((sum, end) => {
      const position = positions.get(end.partition) ?? -1;
      return sum + Number(end.high) - (position >= 0 ? position : Number(end.low));
    }, 0);
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await Promise.all([...subscriptions].map((sub) => sub.stop()));
    await producer!.disconnect();
    await admin.disconnect();
  }

  return { partitions, append, subscribe, lag, close };
}

async function ensureTopic(admin: Admin, topic: string, partitions: number, replicationFactor: number): Promise<void> {
  // Checked first because kafkajs logs an error for TOPIC_ALREADY_EXISTS.
  if (!(await admin.listTopics()).includes(topic)) {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor }], waitForLeaders: true });
  }
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const actual = topics[0]?.partitions.length ?? 0;
  if (actual !== partitions) {
    // Keys hash to partitions, so a topic with another count would disagree with the local log.
    throw new StrataError('STRATA_INVALID_CONFIG', `"partitions" has invalid value ${partitions}: topic ${topic} has ${actual}`);
  }
}

/** Routes kafkajs' log lines to pino. */
function forward(logger: Logger, { namespace, level, log }: LogEntry): void {
  const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
  // Expected with our bounded retries (see the producer above), not worth a warning each start.
  if (message.startsWith('Limiting retries for the idempotent producer')) return;
  const method = level <= logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : level === logLevel.INFO ? 'info' : 'debug';
  logger[method]({ kafkajs: namespace, ...fields }, message);
}
