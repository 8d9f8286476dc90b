/**
 * Crash test of the distributed mode (issue 3): `strata stream` is SIGKILLed five times under load
 * on the real Kafka, and restarted, while `strata api` keeps acknowledging events. After each
 * restart and at the end: the archive (in S3) holds every acknowledged event id and no other, and
 * the speed total is at least the acknowledged count, over it by no more than the replays.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, inject, it } from 'vitest';
import { type Killable, startKillable } from '../bench/crash';
import { freePort, startNode, type Running } from '../bench/processes';
import type { ObjectStore } from '../infra/objectstore/objectstore';
import { createS3ObjectStore } from '../infra/objectstore/s3';
import { archivedEventIds } from './support/archive';
import { type Load, startLoad } from './support/crash-load';
import { type CrashReport, type CrashTarget, runCrashScenario } from './support/crash-scenario';
import { expectCrashInvariants, speedTotal } from './support/crash-checks';
import { type KafkaView, openKafkaView } from './support/kafka-shadow';

const services = inject('services');
const run = randomBytes(4).toString('hex');
const tenant = `crash-${run}`;
const topic = `events-crash-${run}`;
const bucket = `strata-crash-${run}`;
const env: NodeJS.ProcessEnv = {
  STRATA_KAFKA_BROKERS: services.kafkaBrokers.join(','),
  STRATA_KAFKA_TOPIC: topic,
  STRATA_CLICKHOUSE_URL: services.clickhouseUrl,
  STRATA_CLICKHOUSE_DATABASE: `strata_crash_${run}`,
  STRATA_REDIS_URL: services.redisUrl,
  STRATA_S3_ENDPOINT: services.s3Endpoint,
  STRATA_S3_BUCKET: bucket,
  STRATA_S3_REGION: services.s3Region,
  STRATA_S3_FORCE_PATH_STYLE: 'true',
  STRATA_S3_ACCESS_KEY_ID: services.s3AccessKeyId,
  STRATA_S3_SECRET_ACCESS_KEY: services.s3SecretAccessKey,
  STRATA_LOG_LEVEL: 'warn',
};
const say = (line: string): void => console.log(`[crash-distributed] ${line}`);

let api: Running | undefined;
let stream: Killable | undefined;
let load: Load | undefined;
let kafka: KafkaView | undefined;
let objects: ObjectStore | undefined;

afterAll(async () => {
  await load?.close();
  await Promise.allSettled([stream?.kill(), api?.stop()]);
  await kafka?.close();
  await objects?.close();
});

describe('distributed: kill -9 of the stream process under load', () => {
  it('archives exactly the acknowledged events and bounds the speed overcount by the replays', async () => {
    const apiUrl = `http://127.0.0.1:${await freePort()}`;
    const streamUrl = `http://127.0.0.1:${await freePort()}`;
    api = await startNode('bin/strata.mjs', ['api'], { ...env, STRATA_PORT: new URL(apiUrl).port }, apiUrl, '/readyz');
    const view = await openKafkaView(services.kafkaBrokers, topic, `crash-shadow-${run}`);
    kafka = view;
    const store = await createS3ObjectStore({
      endpoint: services.s3Endpoint, bucket, region: services.s3Region, forcePathStyle: true,
      accessKeyId: services.s3AccessKeyId, secretAccessKey: services.s3SecretAccessKey,
    });
    objects = store;
    const start = async (): Promise<void> => {
      // A restarted member joins the group only once the broker has expired the killed one.
      stream = await startKillable('bin/strata.mjs', ['stream'], { ...env, STRATA_PORT: new URL(streamUrl).port }, streamUrl, '/healthz', { readyTimeoutMs: 150_000 });
    };
    const target: CrashTarget = {
      start,
      kill: async () => stream?.kill(),
      committed: () => view.committed('speed'),
      ends: () => view.ends(),
      shadow: view.shadow,
      archiveIds: () => archivedEventIds(store, `raw/tenant=${tenant}/`),
      speedTotal: () => speedTotal(apiUrl, tenant),
    };

    await start();
    say(`api and stream up; stream started in ${stream!.startedInMs} ms; topic ${topic}`);
    load = startLoad({ url: () => apiUrl, tenant, idPrefix: run, eventsPerSecond: 2000 });
    let report: CrashReport;
    try {
      report = await runCrashScenario(target, load, { kills: 5, gapMs: [3_000, 10_000], checkTimeoutMs: 180_000, settleTimeoutMs: 180_000 }, say);
    } catch (err) {
      say(`the stream process's last output:\n${stream?.output() ?? ''}`);
      throw err;
    }
    expectCrashInvariants(report, load, say);
    await load.close();
  }, 900_000);
});
