/**
 * Ingest throughput: the baseline server and Strata's `POST /v1/events` in embedded mode, under the
 * same load: 32 keep-alive connections, 10 s each, bodies of 100 events of about 250 bytes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { makeBodies } from './events';
import { freePort, startNode, type Running } from './processes';

export interface LoadResult {
  events_per_s: number;
  requests_per_s: number;
  p99_ms: number;
  p50_ms: number;
  non_2xx: number;
  errors: number;
}

const CONNECTIONS = 32;
const DURATION_S = 10;
const EVENTS_PER_BODY = 100;

export async function load(url: string, options: { connections?: number; seconds?: number } = {}): Promise<LoadResult> {
  const bodies = makeBodies(64, EVENTS_PER_BODY);
  let next = 0;
  const result = await autocannon({
    url: `${url}/v1/events`,
    method: 'POST',
    connections: options.connections ?? CONNECTIONS,
    duration: options.seconds ?? DURATION_S,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }],
  });
  return {
    events_per_s: Math.round((result.requests.total - result.non2xx) / result.duration * EVENTS_PER_BODY),
    requests_per_s: Math.round(result.requests.average),
    p99_ms: result.latency.p99,
    p50_ms: result.latency.p50,
    non_2xx: result.non2xx,
    errors: result.errors,
  };
}

export async function benchIngest(): Promise<{ baseline: LoadResult; strata: LoadResult; ratio: number; body_bytes: number }> {
  const bodyBytes = Buffer.byteLength(makeBodies(1, EVENTS_PER_BODY)[0] as string);
  const baselinePort = await freePort();
  const baseline = await startNode('bench/baseline-server.ts', [String(baselinePort)], {}, `http://127.0.0.1:${baselinePort}`, '/');
  const baselineResult = await measure(baseline);

  const dataDir = mkdtempSync(join(tmpdir(), 'strata-bench-'));
  const port = await freePort();
  const strata = await startNode('bin/strata.mjs', ['start'], { STRATA_PORT: String(port), STRATA_DATA_DIR: dataDir, STRATA_LOG_LEVEL: 'warn' }, `http://127.0.0.1:${port}`, '/healthz');
  const strataResult = await measure(strata).finally(() => rmSync(dataDir, { recursive: true, force: true }));
  return { baseline: baselineResult, strata: strataResult, ratio: round(strataResult.events_per_s / baselineResult.events_per_s), body_bytes: bodyBytes };
}

async function measure(server: Running): Promise<LoadResult> {
  try {
    return await load(server.url);
  } finally {
    await server.stop();
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;
