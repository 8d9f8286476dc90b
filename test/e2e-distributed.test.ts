/**
 * The distributed mode end to end: `strata api` and `strata stream` as separate processes on the real
 * Kafka, the ClickHouse stand-in, Redis and s3rver, with this run's own topic, database and bucket.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { distributedEnv, startRole } from '../bench/distributed';
import { pipelineCounts } from '../bench/scrape';
import { createS3ObjectStore } from '../infra/objectstore/s3';
import { queryArchive } from './support/archive';
import { freePort, startNode, type Running } from '../bench/processes';
import { call, eventually, post } from './support/http';
import { groundTruth } from './support/ground-truth';
import { dashboardsContract } from './support/dashboards-contract';
import { queryContract } from './support/query-contract';
import { seedCalls } from './support/seed-calls';

const services = inject('services');
const run = randomBytes(4).toString('hex');
const env: NodeJS.ProcessEnv = { ...distributedEnv(services, `e2e${run}`), STRATA_TEMPORAL_ADDRESS: services.temporalAddress, STRATA_TEMPORAL_TASK_QUEUE: `strata-e2e-${run}` };

let api: Running;
let stream: Running;
let worker: Running;

beforeAll(async () => {
  const apiPort = await freePort();
  const streamPort = await freePort();
  api = await startNode('bin/strata.mjs', ['api'], { ...env, STRATA_PORT: String(apiPort) }, `http://127.0.0.1:${apiPort}`, '/readyz');
  // The stream role serves health on its own port, so that it can be waited on like the API.
  stream = await startNode('bin/strata.mjs', ['stream'], { ...env, STRATA_PORT: String(streamPort) }, `http://127.0.0.1:${streamPort}`, '/healthz');
  worker = await startRole('worker', env);
});

afterAll(async () => {
  await Promise.all([api?.stop(), stream?.stop(), worker?.stop()]);
});

describe('distributed: the seed example calls', () => seedCalls(() => api.url));

describe('distributed: two API processes share one log and one store', () => {
  it('counts what either API process accepted', async () => {
    const port = await freePort();
    const second = await startNode('bin/strata.mjs', ['api'], { ...env, STRATA_PORT: String(port) }, `http://127.0.0.1:${port}`, '/readyz');
    try {
      const tenant = { 'strata-tenant': 'shared' };
      await post(`${api.url}/v1/events`, [{ event: 'a' }, { event: 'a' }], tenant);
      await post(`${second.url}/v1/events`, [{ event: 'a' }], tenant);
      const total = await eventually(async () => {
        const reply = await call<{ value: number }>(`${second.url}/v1/metrics?name=events&range=1h&granularity=all`, { headers: tenant });
        return reply.body.value === 3 ? reply.body.value : undefined;
      }, 'both processes\' events to be counted');
      expect(total).toBe(3);
    } finally {
      await second.stop();
    }
  });
});

describe('distributed: two stream processes in one consumer group', () => {
  it('share the partitions, and the totals and the archive still add up', async () => {
    const second = await startRole('stream', env);
    const streams = [stream, second];
    try {
      // Until both report folded events, the group is still rebalancing (and may replay warm-up events).
      await eventually(async () => {
        await post(`${api.url}/v1/events`, Array.from({ length: 40 }, (_, i) => ({ event: 'warm', user_id: `w${i}` })), { 'strata-tenant': 'warmup' });
        const folded = await Promise.all(streams.map(async (s) => (await pipelineCounts(s.url)).folded));
        return folded.every((n) => n > 0) ? folded : undefined;
      }, 'both stream processes to own partitions', 90_000);

      const tenant = { 'strata-tenant': `pair${run}` };
      const sent = 600;
      for (let b = 0; b < sent / 100; b++) {
        const reply = await post(`${api.url}/v1/events`, Array.from({ length: 100 }, (_, i) => ({ event: 'page_view', user_id: `u${b * 100 + i}` })), tenant);
        expect(reply.status).toBe(200);
      }
      const total = await eventually(async () => {
        const reply = await call<{ value: number }>(`${api.url}/v1/metrics?name=events&range=1h&granularity=all`, { headers: tenant });
        return reply.body.value === sent ? reply.body.value : undefined;
      }, 'every event to be counted once', 60_000);
      expect(total).toBe(sent);
      const objects = await createS3ObjectStore({
        endpoint: services.s3Endpoint, bucket: String(env.STRATA_S3_BUCKET), region: services.s3Region, forcePathStyle: true,
        accessKeyId: services.s3AccessKeyId, secretAccessKey: services.s3SecretAccessKey,
      });
      try {
        const rows = await eventually(async () => {
          const found = await queryArchive<{ events: number; distinct_ids: number }>(objects, `raw/tenant=${tenant['strata-tenant']}/`,
            'SELECT count(*)::INTEGER AS events, count(DISTINCT event_id)::INTEGER AS distinct_ids FROM archive');
          return found[0]?.events === sent ? found : undefined;
        }, 'the archive to hold every event', 60_000);
        expect(rows).toEqual([{ events: sent, distinct_ids: sent }]);
      } finally {
        await objects.close();
      }
    } finally {
      await second.stop();
    }
  }, 240_000);
});

describe('distributed: backfills on Temporal', () => {
  it('reconciles an hour through POST /v1/backfills and a `strata worker`: duplicates once, then batch', async () => {
    const tenant = { 'strata-tenant': `bf${run}` };
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
    const events = Array.from({ length: 12 }, (_, i) => ({ event: 'click', event_id: `d${i}`, timestamp: hour + i * 60_000, user_id: `u${i % 4}` }));
    expect((await post(`${api.url}/v1/events`, events, tenant)).status).toBe(200);
    expect((await post(`${api.url}/v1/events`, events.slice(0, 4), tenant)).status).toBe(200);
    const range = `from=${new Date(hour).toISOString()}&to=${new Date(hour + 3_600_000).toISOString()}`;
    await eventually(async () => {
      const speed = await call<{ value: number }>(`${api.url}/v1/metrics?name=events&${range}&granularity=all`, { headers: tenant });
      return speed.body.value === 16 ? true : undefined;
    }, 'the speed layer to count every copy', 90_000);
    await new Promise((r) => setTimeout(r, 11_000)); // the archive flushes every ≤ 10 s

    const started = await post<{ id: string }>(`${api.url}/v1/backfills`, { from: new Date(hour).toISOString(), to: new Date(hour + 3_600_000).toISOString(), tenant: tenant['strata-tenant'] });
    expect(started.status).toBe(202);
    const done = await eventually(async () => {
      const reply = await call<{ status: string }>(`${api.url}/v1/backfills/${started.body.id}`);
      return reply.body.status === 'running' ? undefined : reply.body;
    }, 'the backfill to finish', 60_000);
    expect(done).toEqual({ id: started.body.id, status: 'completed', hours_total: 1, hours_done: 1 });
    const exact = await call<{ value: number; layer: string }>(`${api.url}/v1/metrics?name=events&${range}&granularity=all`, { headers: tenant });
    expect(exact.body).toMatchObject({ value: 12, layer: 'batch' });
  }, 240_000);
});

describe('distributed: configuration', () => {
  it('refuses a distributed role without a ClickHouse URL, naming the key', () => {
    const result = spawnSync(process.execPath, ['bin/strata.mjs', 'api'], {
      env: { ...process.env, STRATA_KAFKA_BROKERS: services.kafkaBrokers.join(','), STRATA_CLICKHOUSE_URL: '' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/"STRATA_CLICKHOUSE_URL" is required for `strata api`/);
  });
});

describe('distributed: the batch layer ground truth', () => groundTruth(() => api.url, `truth${run}`, () => stream.url));

describe('distributed: ad-hoc queries', () => queryContract(() => api.url, `query${run}`, () => stream.url));
// Saved dashboards on S3: the same contract as on the embedded directory.
describe('distributed: saved dashboards', () => dashboardsContract(() => api.url, `dash${run}`));
