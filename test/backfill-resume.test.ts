/**
 * The embedded runner survives a crash: `strata start` killed with SIGKILL in the middle of a
 * backfill resumes it on restart, and the result is exact.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Killable, startKillable } from '../bench/crash';
import { freePort } from '../bench/processes';
import { call, eventually, post } from './support/http';

const dataDir = mkdtempSync(join(tmpdir(), 'strata-resume-'));
let strata: Killable | undefined;

afterAll(async () => {
  await strata?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Status { id: string; status: string; hours_total: number; hours_done: number }

describe('embedded: a backfill across a crash', () => {
  it('resumes after kill -9 and ends exact', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const env = { STRATA_PORT: new URL(url).port, STRATA_DATA_DIR: dataDir, STRATA_LOG_LEVEL: 'warn' };
    strata = await startKillable('bin/strata.mjs', ['start'], env, url, '/readyz');
    const tenant = { 'strata-tenant': 'resume' };
    const busy = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
    const events = Array.from({ length: 30 }, (_, i) => ({ event: 'page_view', event_id: `r${i}`, timestamp: busy + i * 1000, user_id: `u${i % 5}` }));
    expect((await post(`${url}/v1/events`, events, tenant)).status).toBe(200);
    expect((await post(`${url}/v1/events`, events.slice(0, 10), tenant)).status).toBe(200); // copies
    await new Promise((r) => setTimeout(r, 11_000)); // the archive flushes every ≤ 10 s

    const from = busy - 96 * 3_600_000;
    const started = await post<{ id: string }>(`${url}/v1/backfills`, { from: new Date(from).toISOString(), to: new Date(busy + 3_600_000).toISOString(), tenant: 'resume' });
    expect(started.status).toBe(202);
    const before = await eventually(async () => {
      const reply = await call<Status>(`${url}/v1/backfills/${started.body.id}`);
      return reply.body.hours_done >= 5 ? reply.body : undefined;
    }, 'the backfill to get going');
    await strata.kill();
    expect(before.status).toBe('running');
    expect(before.hours_done).toBeLessThan(before.hours_total);

    strata = await startKillable('bin/strata.mjs', ['start'], env, url, '/readyz');
    const after = await eventually(async () => {
      const reply = await call<Status>(`${url}/v1/backfills/${started.body.id}`);
      return reply.body.status === 'running' ? undefined : reply.body;
    }, 'the resumed backfill to finish', 120_000);
    expect(after).toEqual({ id: started.body.id, status: 'completed', hours_total: 97, hours_done: 97 });
    const range = `from=${new Date(busy).toISOString()}&to=${new Date(busy + 3_600_000).toISOString()}&granularity=all`;
    const exact = await call<{ value: number; layer: string }>(`${url}/v1/metrics?name=events&${range}`, { headers: tenant });
    expect(exact.body).toMatchObject({ value: 30, layer: 'batch' });
  }, 240_000);
});
