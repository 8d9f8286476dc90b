/**
 * `strata start --demo`: a day of history at once, then live traffic, through the real ingest path.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, startNode, type Running } from '../bench/processes';
import { call, eventually } from './support/http';

let strata: Running;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'strata-demo-'));
  const port = await freePort();
  strata = await startNode('bin/strata.mjs', ['start', '--demo'], { STRATA_PORT: String(port), STRATA_DATA_DIR: dataDir, STRATA_LOG_LEVEL: 'warn' }, `http://127.0.0.1:${port}`, '/healthz');
});

afterAll(async () => {
  await strata?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const total = async (range: string) => (await call<{ value: number }>(`${strata.url}/v1/metrics?name=events&range=${range}&granularity=all`)).body.value;

it('fills the last day and keeps sending live events', async () => {
  await eventually(async () => ((await total('24h')) >= 24_000 ? true : undefined), 'a day of demo history');
  const recent = await total('2m');
  await eventually(async () => ((await total('2m')) > recent ? true : undefined), 'live demo events', 20_000);
  const byDevice = (await call<{ device: string }[]>(`${strata.url}/v1/metrics?name=events&range=24h&group_by=device`)).body;
  expect(byDevice.map((r) => r.device).sort()).toEqual(['desktop', 'mobile', 'tablet']);
});
