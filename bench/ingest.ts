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
import { waitCaughtUp } from './scrape';

export interface LoadResult {
  events_per_s: number;
  /** What the load generator got out: below the offered rate when it is starved of CPU itself. */
  sent_events_per_s: number;
  requests_per_s: number;
  p99_ms: number;
  p50_ms: number;
  non_2xx: number;
  errors: number;
}

const CONNECTIONS = 32;
const DURATION_S = 10;
const EVENTS_PER_BODY = 100;

export interface LoadOptions {
  connections?: number;
  seconds?: number;
  /** A fixed rate instead of as fast as the server answers. */
  eventsPerSecond?: number;
  eventsPerBody?: number;
}

/** Posts bodies of the bench's events to `url`/v1/events (tenant `default`). */
export async function load(url: string, options: LoadOptions = {}): Promise<LoadResult> {
  const perBody = options.eventsPerBody ?? EVENTS_PER_BODY;
  const bodies = makeBodies(64, perBody);
  let next = 0;
  const result = await autocannon({
    url: `${url}/v1/events`,
    method: 'POST',
    connections: options.connections ?? CONNECTIONS,
    duration: options.seconds ?? DURATION_S,
    ...(options.eventsPerSecond ? { overallRate: options.eventsPerSecond / perBody } : {}),
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }],
  });
  return {
    events_per_s: Math.round((result.requests.total - result.non2xx) / result.duration * perBody),
    sent_events_per_s: Math.round(result.requests.sent / result.duration * perBody),
    requests_per_s: Math.round(result.requests.average),
    p99_ms: result.latency.p99,
    p50_ms: result.latency.p50,
    non_2xx: result.non2xx,
    errors: result.errors,
  };
}

export interface IngestBench {
  baseline: LoadResult;
  strata: LoadResult;
  ratio: number;
  body_bytes: number;
  /**
   * Every round, in the order run: each side's median is what `baseline` and `strata` report.
   * `speed_catch_up_s`: how long after the load Strata's speed layer had folded and archived
   * every acknowledged event (the fold yields the CPU to ingest, so a burst is folded after it).
   */
  rounds: { baseline: LoadResult; strata: LoadResult; ratio: number; speed_catch_up_s: number }[];
}

/**
 * Rounds alternate baseline and Strata, and each side reports its median round by events/s: on a
 * shared 2-core machine one 10 s run of the baseline varied from 400K to 650K events/s, which
 * swung a single-run ratio by half.
 */
export async function benchIngest(roundCount = 3, onRound?: (round: IngestBench['rounds'][number], index: number) => void): Promise<IngestBench> {
  const bodyBytes = Buffer.byteLength(makeBodies(1, EVENTS_PER_BODY)[0] as string);
  const rounds: IngestBench['rounds'] = [];
  for (let i = 0; i < roundCount; i++) {
    const baseline = await measure(await startBaseline());
    const { strata, catchUpS } = await measureStrata();
    const round = { baseline, strata, ratio: round3(strata.events_per_s / baseline.events_per_s), speed_catch_up_s: catchUpS };
    rounds.push(round);
    onRound?.(round, i);
  }
  const median = (side: 'baseline' | 'strata') =>
    [...rounds].map((r) => r[side]).sort((a, b) => a.events_per_s - b.events_per_s)[Math.floor(rounds.length / 2)] as LoadResult;
  const baseline = median('baseline');
  const strata = median('strata');
  return { baseline, strata, ratio: round3(strata.events_per_s / baseline.events_per_s), body_bytes: bodyBytes, rounds };
}

async function startBaseline(): Promise<Running> {
  const port = await freePort();
  return startNode('bench/baseline-server.ts', [String(port)], {}, `http://127.0.0.1:${port}`, '/');
}

/** A fresh embedded Strata on its own data directory for each round; the load, then its speed layer's catch-up. */
async function measureStrata(): Promise<{ strata: LoadResult; catchUpS: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'strata-bench-'));
  try {
    const port = await freePort();
    const env = { STRATA_PORT: String(port), STRATA_DATA_DIR: dataDir, STRATA_LOG_LEVEL: 'warn' };
    const server = await startNode('bin/strata.mjs', ['start'], env, `http://127.0.0.1:${port}`, '/healthz');
    try {
      const strata = await load(server.url);
      const caughtUp = await waitCaughtUp(server.url);
      if (!caughtUp.done) {
        const { folded, archived, accepted } = caughtUp.counts;
        throw new Error(`${caughtUp.seconds} s after the load, the speed layer had folded ${folded} and archived ${archived} of ${accepted} events`);
      }
      return { strata, catchUpS: caughtUp.seconds };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measure(server: Running): Promise<LoadResult> {
  try {
    return await load(server.url);
  } finally {
    await server.stop();
  }
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
