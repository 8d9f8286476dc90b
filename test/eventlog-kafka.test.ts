import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { eventLogContract } from '../infra/eventlog/contract';
import type { EventLog } from '../infra/eventlog/eventlog';
import { createKafkaLog } from '../infra/eventlog/kafka';

const { kafkaBrokers } = inject('services');
// One topic per test, named by run, so parallel runs never share a topic or a group.
const run = randomBytes(4).toString('hex');
let seq = 0;
const created: string[] = [];
const admin = new Kafka({ clientId: 'strata-test-admin', brokers: kafkaBrokers, logLevel: logLevel.NOTHING }).admin();

afterAll(async () => {
  await admin.connect();
  await admin.deleteTopics({ topics: created }).catch(() => {});
  await admin.disconnect();
});

function newTopic(): string {
  const topic = `strata-test-${run}-${seq++}`;
  created.push(topic);
  return topic;
}

eventLogContract('kafka', async () => {
  const options = { brokers: kafkaBrokers, topic: newTopic(), clientId: 'strata-test' };
  let log: EventLog = await createKafkaLog(options);
  return {
    log,
    reopen: async () => {
      await log.close();
      log = await createKafkaLog(options);
      return log;
    },
    cleanup: () => log.close(),
  };
}, 120_000);

describe('kafka event log', () => {
  it('refuses an existing topic with another partition count', async () => {
    const topic = newTopic();
    const log = await createKafkaLog({ brokers: kafkaBrokers, topic, partitions: 2 });
    await log.close();
    await expect(createKafkaLog({ brokers: kafkaBrokers, topic, partitions: 4 })).rejects.toThrow(/"partitions" has invalid value 4/);
  }, 60_000);
});
