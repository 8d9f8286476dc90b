import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { waitFor } from '../infra/services/process';

// Proves each service of infra/services is the real thing, speaking its real protocol.
const services = inject('services');
const unique = (prefix: string): string => `${prefix}-${randomBytes(5).toString('hex')}`;

/** A raw ApiVersions v0 request, so we see exactly what the broker advertises, with no client in between. */
async function kafkaApiVersions(broker: string): Promise<{ errorCode: number; apis: Map<number, [number, number]> }> {
  const [host, port] = broker.split(':');
  const clientId = Buffer.from('strata-test');
  const body = Buffer.alloc(10 + clientId.length);
  body.writeInt16BE(18, 0); // api_key ApiVersions
  body.writeInt16BE(0, 2); // api_version 0
  body.writeInt32BE(4242, 4); // correlation_id
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  const response = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect(Number(port), host, () => socket.write(Buffer.concat([size, body])));
    let buf = Buffer.alloc(0);
    socket.setTimeout(5_000, () => socket.destroy(new Error('ApiVersions timed out')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        socket.end();
        resolve(buf.subarray(4, 4 + buf.readInt32BE(0)));
      }
    });
  });
  expect(response.readInt32BE(0)).toBe(4242);
  const apis = new Map<number, [number, number]>();
  const count = response.readInt32BE(6);
  for (let i = 0, at = 10; i < count; i++, at += 6) {
    apis.set(response.readInt16BE(at), [response.readInt16BE(at + 2), response.readInt16BE(at + 4)]);
  }
  return { errorCode: response.readInt16BE(4), apis };
}

describe('kafka', () => {
  const kafka = new Kafka({ clientId: 'strata-services-test', brokers: services.kafkaBrokers, logLevel: logLevel.ERROR });

  it('answers ApiVersions and describeCluster', async () => {
    const { errorCode, apis } = await kafkaApiVersions(services.kafkaBrokers[0] ?? '');
    expect(errorCode).toBe(0);
    // kafkajs 2.2.4 needs the old versions that Kafka 4 removed (KIP-896): Produce v0-2 must remain.
    expect(apis.get(0)?.[0]).toBe(0); // Produce
    expect(apis.get(1)).toBeDefined(); // Fetch
    expect(apis.get(18)?.[0]).toBe(0); // ApiVersions
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect((await admin.describeCluster()).brokers).toHaveLength(1);
    } finally {
      await admin.disconnect();
    }
  });

  it('delivers a produced message to two consumer groups', async () => {
    const topic = unique('strata-test');
    const value = unique('hello');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }).finally(() => admin.disconnect());
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value }] });
    await producer.disconnect();

    const consumers: Consumer[] = [];
    const received = new Map<string, string[]>();
    try {
      await Promise.all([unique('strata-g1'), unique('strata-g2')].map(async (groupId) => {
        const consumer = kafka.consumer({ groupId });
        consumers.push(consumer);
        received.set(groupId, []);
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => { received.get(groupId)?.push(message.value?.toString() ?? ''); } });
      }));
      await waitFor(() => [...received.values()].every((values) => values.includes(value)), {
        timeoutMs: 45_000, what: 'both consumer groups to receive the message',
      });
      expect([...received.values()]).toEqual([[value], [value]]);
    } finally {
      await Promise.all(consumers.map((consumer) => consumer.disconnect()));
    }
  });
});

describe('temporal', () => {
  it('reports a server version over gRPC', async () => {
    const connection = await Connection.connect({ address: services.temporalAddress });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toMatch(/^\d+\.\d+\.\d+/);
    } finally {
      await connection.close();
    }
  });

  it('serves the Web UI', async () => {
    const res = await fetch(`${services.temporalUiUrl}/`);
    expect(res.status).toBe(200);
    expect((await res.text()).toLowerCase()).toMatch(/<!doctype html|<html/);
  });
});

describe('redis', () => {
  it('answers PING with PONG', async () => {
    const client = new Redis(services.redisUrl, { maxRetriesPerRequest: 1 });
    try {
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });
});

describe('s3', () => {
  it('creates a bucket, puts an object and lists it', async () => {
    const s3 = new S3Client({
      endpoint: services.s3Endpoint, region: services.s3Region, forcePathStyle: true,
      credentials: { accessKeyId: services.s3AccessKeyId, secretAccessKey: services.s3SecretAccessKey },
    });
    const Bucket = unique('strata-test');
    const Key = 'raw/tenant=t1/part-0.json';
    try {
      await s3.send(new CreateBucketCommand({ Bucket }));
      await s3.send(new PutObjectCommand({ Bucket, Key, Body: '{"n":1}' }));
      const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
      expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([[Key, 7]]);
      const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
      expect(await got.Body?.transformToString()).toBe('{"n":1}');
      await s3.send(new DeleteObjectCommand({ Bucket, Key }));
      await s3.send(new DeleteBucketCommand({ Bucket }));
    } finally {
      s3.destroy();
    }
  });
});
