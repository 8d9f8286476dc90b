/**
 * The crash test's view of a Kafka topic: a consumer in a throwaway group that reads the whole
 * topic from the start, plus the `speed` group's committed offsets and the topic's end offsets
 * through the admin API.
 */
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import type { LogPositions } from '../../infra/eventlog/eventlog';
import { kafkaGroupId } from '../../infra/eventlog/kafka-subscription';
import { type LogShadow, RecordTally } from './log-shadow';

export interface KafkaView {
  shadow: LogShadow;
  /** A logical group's committed positions on the topic (a partition it never committed reads as 0). */
  committed(group: string): Promise<LogPositions>;
  /** The high watermark of every partition. */
  ends(): Promise<LogPositions>;
  close(): Promise<void>;
}

export async function openKafkaView(brokers: string[], topic: string, shadowGroup: string): Promise<KafkaView> {
  const kafka = new Kafka({ clientId: 'crash-test', brokers, logLevel: logLevel.NOTHING });
  const admin: Admin = kafka.admin();
  await admin.connect();
  const tally = new RecordTally();
  const consumer: Consumer = kafka.consumer({ groupId: shadowGroup, maxWaitTimeInMs: 200, allowAutoTopicCreation: false });
  let consuming = false;

  const startConsumer = async (): Promise<void> => {
    if (consuming) return;
    consuming = true;
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) tally.add(batch.partition, Number(m.offset), m.value ?? Buffer.alloc(0));
      },
    });
  };

  const ends = async (): Promise<LogPositions> =>
    new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));

  const shadow: LogShadow = {
    async catchUp(target, timeoutMs = 60_000) {
      // The topic exists only once `strata api` created it, so the consumer starts on first use.
      await startConsumer();
      const deadline = Date.now() + timeoutMs;
      while (!tally.reached(target)) {
        if (Date.now() > deadline) throw new Error(`the shadow consumer did not reach ${JSON.stringify([...target])} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    eventsIn: (partition, from, to) => tally.eventsIn(partition, from, to),
    events: () => tally.events(),
    ids: () => tally.ids(),
    close: async () => {
      if (consuming) await consumer.disconnect();
    },
  };

  return {
    shadow,
    async committed(group) {
      const [entry] = await admin.fetchOffsets({ groupId: kafkaGroupId(topic, group), topics: [topic] });
      return new Map((entry?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))]));
    },
    ends,
    async close() {
      await shadow.close();
      await admin.disconnect();
    },
  };
}
