/**
 * A backfill on Temporal survives its worker: `strata worker` killed with SIGKILL mid-backfill,
 * another started, and the backfill still ends completed and exact (the lost activity is retried
 * once its heartbeats stop).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type Killable, startKillable } from '../bench/crash';
import { distributedEnv, startRole } from '../bench/distributed';
import { freePort, type Running } from '../bench/processes';
import { call, eventually, post } from './support/http';

const services = inject('services');
const run = randomBytes(4).toString('hex');
const env: NodeJS.ProcessEnv = { ...distributedEnv(services, `wc${run}`), STRATA_TEMPORAL_ADDRESS: services.temporalAddress, STRATA_TEMPORAL_TASK_QUEUE: `strata-wc-${run}` };
const running: Running[] = [];
let worker: Killable | undefined;

afterAll(async () => {
  await worker?.kill();
  await Promise.all(running.map((r) => r.stop()));
});

const startWorker = async (): Promise<Killable> => {
  const url = `http://127.0.0.1:${await freePort()}`;
  return startKillable('bin/strata.mjs', ['worker'], { ...env, STRATA_PORT: new URL(url).port }, url, '/healthz');
};

interface Status { id: string; status: string; hours_total: number; hours_done: number }

describe('distributed: a backfill across a worker crash', () => {
  it('completes on a new worker after kill -9, and ends exact', async () => {
    const api = await startRole('api', env);
    running.push(api, await startRole('stream', env));
    worker = await startWorker();
    const tenant = { 'strata-tenant': `wc${run}` };
    const busy = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
    const events = Array.from({ length: 30 }, (_, i) => ({ event: 'page_view', event_id: `w${i}`, timestamp: busy + i * 1000, user_id: `u${i % 5}` }));
    expect((await post(`${api.url}/v1/events`, events, tenant)).status).toBe(200);
    expect((await post(`${api.url}/v1/events`, events.slice(0, 10), tenant)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 11_000)); // the archive flushes every ≤ 10 s

    const from = busy - 96 * 3_600_000;
    const started = await post<{ id: string }>(`${api.url}/v1/backfills`, { from: new Date(from).toISOString(), to: new Date(busy + 3_600_000).toISOString(), tenant: tenant['strata-tenant'] });
    expect(started.status).toBe(202);
    await eventually(async () => {
      const reply = await call<Status>(`${api.url}/v1/backfills/${started.body.id}`);
      return reply.body.hours_done >= 5 ? reply.body : undefined;
    }, 'the backfill to get going');
    await worker.kill();
    worker = await startWorker();
    const after = await eventually(async () => {
      const reply = await call<Status>(`${api.url}/v1/backfills/${started.body.id}`);
      return reply.body.status === 'running' ? undefined : reply.body;
    }, 'the backfill to finish on the new worker', 150_000);
    expect(after).toEqual({ id: started.body.id, status: 'completed', hours_total: 97, hours_done: 97 });
    const range = `from=${new Date(busy).toISOString()}&to=${new Date(busy + 3_600_000).toISOString()}&granularity=all`;
    const exact = await call<{ value: number; layer: string }>(`${api.url}/v1/metrics?name=events&${range}`, { headers: tenant });
    expect(exact.body).toMatchObject({ value: 30, layer: 'batch' });
  }, 300_000);
});
