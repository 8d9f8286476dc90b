/**
 * Sustained throughput of ingest, speed layer and archive together, embedded: an open-loop load at
 * a fixed rate for a fixed time, sampling how far the speed layer (folded into deltas) and the
 * archive trail what was acknowledged. "Held" means every offered event was acknowledged and the
 * backlog did not grow: at the end of the load it is no larger than a few seconds of input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { makeBodies } from './events';
import { freePort, startNode } from './processes';
import { pipelineCounts } from './scrape';

const EVENTS_PER_BODY = 100;
const SAMPLE_MS = 5_000;
/** Backlog allowed at the end of the load, in seconds of input: flushes are ≤ 1 s apart, and the load generator shares the cores. */
const HELD_BACKLOG_S = 5;

export interface SustainedResult {
  offered_events_per_s: number;
  seconds: number;
  acked_events_per_s: number;
  non_2xx: number;
  errors: number;
  p99_ms: number;
  /** Acknowledged minus folded, and minus archived, every 5 s. */
  backlog: { t_s: number; folded_behind: number; archived_behind: number }[];
  /** How long after the load the speed layer and the archive had caught up. */
  catch_up_s: number;
  held: boolean;
}

export async function benchSustained(eventsPerSecond: number, seconds: number): Promise<SustainedResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'strata-sustained-'));
  const port = await freePort();
  const strata = await startNode('bin/strata.mjs', ['start'], { STRATA_PORT: String(port), STRATA_DATA_DIR: dataDir, STRATA_LOG_LEVEL: 'warn' }, `http://127.0.0.1:${port}`, '/healthz');
  try {
    const bodies = makeBodies(64, EVENTS_PER_BODY);
    let next = 0;
    const backlog: SustainedResult['backlog'] = [];
    const started = Date.now();
    const sampler = setInterval(() => {
      pipelineCounts(strata.url).then((c) => backlog.push({
        t_s: Math.round((Date.now() - started) / 1000), folded_behind: c.accepted - c.folded, archived_behind: c.accepted - c.archived,
      }), () => undefined);
    }, SAMPLE_MS);
    const result = await autocannon({
      url: `${strata.url}/v1/events`, method: 'POST', connections: 16, duration: seconds,
      overallRate: eventsPerSecond / EVENTS_PER_BODY,
      headers: { 'content-type': 'application/json' },
      requests: [{ setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }],
    });
    clearInterval(sampler);
    const loadEnded = Date.now();
    const atEnd = await pipelineCounts(strata.url);
    let caughtUp = atEnd;
    while ((caughtUp.folded < caughtUp.accepted || caughtUp.archived < caughtUp.accepted) && Date.now() - loadEnded < 120_000) {
      await new Promise((r) => setTimeout(r, 250));
      caughtUp = await pipelineCounts(strata.url);
    }
    const acked = (result.requests.total - result.non2xx) * EVENTS_PER_BODY;
    const ackedRate = Math.round(acked / result.duration);
    const endBacklog = atEnd.accepted - atEnd.folded;
    return {
      offered_events_per_s: eventsPerSecond, seconds, acked_events_per_s: ackedRate,
      non_2xx: result.non2xx, errors: result.errors, p99_ms: result.latency.p99,
      backlog, catch_up_s: Math.round((Date.now() - loadEnded) / 100) / 10,
      held: result.non2xx === 0 && result.errors === 0 && ackedRate >= 0.97 * eventsPerSecond && endBacklog <= HELD_BACKLOG_S * eventsPerSecond,
    };
  } finally {
    await strata.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
