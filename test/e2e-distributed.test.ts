/**
 * The distributed mode end to end: `strata api` and `strata stream` as separate processes on the real
 * Kafka, the ClickHouse stand-in, Redis and s3rver, with this run's own topic, database and bucket.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { distributedEnv } from '../bench/distributed';
import { freePort, startNode, type Running } from '../bench/processes';
import { call, eventually, post } from './support/http';
import { seedCalls } from './support/seed-calls';

const services = inject('services');
const run = randomBytes(4).toString('hex');
const env = distributedEnv(services, `e2e${run}`);

let api: Running;
let stream: Running;

beforeAll(async () => {
  const apiPort = await freePort();
  const streamPort = await freePort();
  api = await startNode('bin/strata.mjs', ['api'], { ...env, STRATA_PORT: String(apiPort) }, `http://127.0.0.1:${apiPort}`, '/readyz');
  // The stream role serves health on its own port, so that it can be waited on like the API.
  stream = await startNode('bin/strata.mjs', ['stream'], { ...env, STRATA_PORT: String(streamPort) }, `http://127.0.0.1:${streamPort}`, '/healthz');
});

afterAll(async () => {
  await Promise.all([api?.stop(), stream?.stop()]);
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
