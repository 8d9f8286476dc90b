/**
 * The query cache as `strata start` wires it, here on the real Redis: the speed layer's flush and
 * a backfill's publish each change the cached answer the moment they return, with no waiting.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type System, startSystem } from '../cli/system';
import { SPEED_CUBES, type Cube } from '../core/dimensions';
import { speedRollupTable } from '../core/rollups';
import { HOUR_MS, floorTo, toIso } from '../core/time';
import { parseConfig } from '../infra/config';
import { call, eventually, post } from './support/http';

const services = inject('services');
const tenant = 'wired';
const headers = { 'strata-tenant': tenant };
let system: System;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'strata-cache-system-'));
  const config = parseConfig('embedded', {
    PORT: 0, DATA_DIR: dataDir, REDIS_URL: services.redisUrl, CLICKHOUSE_DATABASE: `cache_${randomBytes(4).toString('hex')}`, LOG_LEVEL: 'warn',
  });
  system = await startSystem(config, pino({ level: 'warn' }));
});

afterAll(async () => {
  await system?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** What the speed layer holds for the tenant, read from the store itself, past any cache. */
async function speedEvents(): Promise<number> {
  const olap = system.adapters.olap;
  const [row] = await olap.query<{ n: number }>(
    `SELECT sum(events) AS n FROM ${olap.table(speedRollupTable(SPEED_CUBES[0] as Cube))} WHERE tenant = {tenant:String}`, { params: { tenant } },
  );
  return Number(row?.n ?? 0);
}

/** Ingests, then waits until the speed layer has folded and flushed it (and so bumped the generation). */
async function ingest(events: object[], expectedTotal: number): Promise<void> {
  expect((await post(`${system.url}/v1/events`, events, headers)).status).toBe(200);
  await eventually(async () => ((await speedEvents()) === expectedTotal ? true : undefined), `${expectedTotal} events in the speed layer`);
  await system.flush(); // on the flush chain: the flush that inserted them, and its bump, are done
}

const total = async (from: number, to?: number) => (await call<{ value: number; layer: string }>(
  `${system.url}/v1/metrics?name=events&granularity=all&from=${toIso(from)}${to === undefined ? '' : `&to=${toIso(to)}`}`, { headers },
)).body;

describe('metrics cache, wired by startSystem', () => {
  it('shows a flush and a publish in the very next answer', async () => {
    const earlier = floorTo(Date.now(), HOUR_MS) - 2 * HOUR_MS;
    await ingest([{ event: 'page_view' }], 1);
    expect(await total(earlier)).toMatchObject({ value: 1, layer: 'speed' });
    expect(await total(earlier)).toMatchObject({ value: 1, layer: 'speed' }); // now cached

    // A retried event: the speed layer counts it twice, the batch layer once.
    const retried = { event: 'page_view', event_id: `e-${randomBytes(4).toString('hex')}`, timestamp: toIso(earlier + 60_000) };
    await ingest([retried, retried], 3);
    expect(await total(earlier)).toMatchObject({ value: 3, layer: 'speed' });

    const started = await post<{ id: string }>(`${system.url}/v1/backfills`, { from: toIso(earlier), to: toIso(earlier + HOUR_MS), tenant }, headers);
    expect(started.status).toBe(202);
    await eventually(async () => {
      const status = (await call<{ status: string }>(`${system.url}/v1/backfills/${started.body.id}`, { headers })).body.status;
      return status === 'completed' ? true : undefined;
    }, 'the backfill to complete');
    expect(await total(earlier)).toMatchObject({ value: 2, layer: 'mixed' });
    expect(await total(earlier, earlier + HOUR_MS)).toMatchObject({ value: 1, layer: 'batch' });

    const metrics = await (await fetch(`${system.url}/internal/metrics`)).text();
    expect(metrics).toMatch(/strata_cache_requests_total\{result="hit"\} [1-9]/);
  });
});
