import { mkdtemp, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { compileSampling } from '../../core/sampling';
import { type LocalEventLog, createLocalLog } from '../../infra/eventlog/local-log';
import { createTelemetry } from '../../infra/telemetry';
import { createIngestHandler } from './events';

const logger = pino({ level: 'silent' });
const timestamp = Date.now();
const SAMPLING = { 'debug_*': 0.01 };

let env: { dir: string; log: LocalEventLog; server: Server } | undefined;
afterEach(async () => {
  if (!env) return;
  await new Promise((done) => env?.server.close(done));
  await env.log.close();
  await rm(env.dir, { recursive: true, force: true });
  env = undefined;
});

/** Each test gets its own log directory and server, closed after it. */
async function start() {
  const dir = await mkdtemp(join(tmpdir(), 'strata-ingest-'));
  const log = await createLocalLog({ dir });
  const telemetry = createTelemetry();
  const server = createServer(createIngestHandler({ log, logger, telemetry, openLoopback: true, sampling: SAMPLING }));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/events`;
  const post = async (events: unknown[]) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const counted = async (status: string) => {
    const metric = await telemetry.ingestEvents.get();
    return metric.values.find((v) => v.labels.status === status)?.value ?? 0;
  };
  env = { dir, log, server };
  return { log, post, counted };
}

describe('POST /v1/events with sampling', () => {
  it('accepts a request that sampling drops whole, with its count, and appends nothing', async () => {
    const s = await start();
    const sample = compileSampling(SAMPLING);
    const dropped = Array.from({ length: 300 }, (_, i) => ({ event: 'debug_trace', event_id: `t-${i}`, timestamp }))
      .filter((e) => sample?.(e.event, e.event_id, {}) === 0)
      .slice(0, 20);
    expect(await s.post(dropped)).toEqual({ status: 200, body: { status: 'accepted', count: 20 } });
    expect(s.log.stats().records).toBe(0);
    expect(await s.counted('sampled_out')).toBe(20);
    expect(await s.counted('accepted')).toBe(0);
  });

  it('counts dropped events in the reply and appends the rest', async () => {
    const s = await start();
    const events = [
      ...Array.from({ length: 200 }, (_, i) => ({ event: 'debug_trace', event_id: `u-${i}`, timestamp })),
      { event: 'page_view' },
      { event: 'purchase', revenue: 10 },
      { bad: true },
    ];
    const reply = await s.post(events);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: 'partial', count: 202, errors: [{ index: 202, code: 'STRATA_INVALID_EVENT' }] });
    const sampledOut = await s.counted('sampled_out');
    expect(sampledOut).toBeGreaterThan(150);
    expect((await s.counted('accepted')) + sampledOut).toBe(202);
    expect(await s.counted('rejected')).toBe(1);
  });
});
