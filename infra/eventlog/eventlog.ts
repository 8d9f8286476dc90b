/**
 * The event log: a durable, partitioned, replayable append-only log.
 * Embedded: a local segmented log on disk (local-log.ts). Distributed: Kafka (kafka.ts).
 */
export interface LogMessage {
  /** Routing key: messages with one key land in one partition, in order. */
  key: string;
  value: Buffer;
}

export interface LogRecord extends LogMessage {
  partition: number;
  offset: number;
}

export interface LogBatch {
  partition: number;
  records: LogRecord[];
}

/** The next offset to read, per partition: what a commit stores. */
export type LogPositions = Map<number, number>;

export interface SubscribeOptions {
  /** Consumer group: members share the partitions, each group sees every record. */
  group: string;
  /** Called with each batch in partition order; a rejection stops the subscription. */
  onBatch: (batch: LogBatch) => Promise<void>;
  /**
   * Where a group with no committed position starts.
   * @default 'earliest'
   */
  from?: 'earliest' | 'latest';
}

export interface Subscription {
  /**
   * Stores positions for the group. Callers commit only what is durable downstream,
   * which makes delivery at-least-once: a restart resumes from the last commit.
   */
  commit(positions: LogPositions): Promise<void>;
  /** Partitions this member currently owns. */
  assigned(): number[];
  stop(): Promise<void>;
}

export interface EventLog {
  readonly partitions: number;
  /**
   * Resolves only once every message is durable (fsync'd locally, acked by all in-sync replicas).
   * An empty list writes nothing and resolves (it still fails on a closed log).
   */
  append(messages: LogMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Sum over partitions of (end offset - committed position) for a group. */
  lag(group: string): Promise<number>;
  close(): Promise<void>;
}
