/**
 * Sustained throughput of ingest, speed layer and archive together, embedded: a load at a fixed
 * rate for a fixed time, sampling how far the speed layer (folded into deltas) and the archive
 * trail what was acknowledged. "Held" means the offered rate was acknowledged (99%, no errors) and
 * neither backlog grew: the least-squares slope of each, after a 10 s warm-up, stays under 1% of
 * the rate per second. A backlog that keeps up only oscillates (by a flush, or by the 10 s
 * archive interval); one that falls behind climbs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from './ingest';
import { freePort, startNode } from './processes';
import { pipelineCounts } from './scrape';

const SAMPLE_MS = 2_000;
const WARM_UP_S = 10;
/** Many connections, so that one slow reply delays few requests: the load stays close to open-loop. */
const CONNECTIONS = 64;

export interface SustainedResult {
  offered_events_per_s: number;
  events_per_body: number;
  seconds: number;
  acked_events_per_s: number;
  /** What the generator sent: when it falls short of the offer, the generator, not Strata, was short of CPU. */
  sent_events_per_s: number;
  non_2xx: number;
  errors: number;
  p99_ms: number;
  /** Acknowledged minus folded, and minus archived, every 2 s. */
  backlog: { t_s: number; folded_behind: number; archived_behind: number }[];
  /** Growth of each backlog after the warm-up, events per second (least squares). */
  folded_growth_per_s: number;
  archived_growth_per_s: number;
  /** How long after the load the speed layer and the archive had caught up. */
  catch_up_s: number;
  held: boolean;
}

/** @param eventsPerBody how an SDK batches: 100 like the ingest bench, or more, as SDKs that buffer send */
export async function benchSustained(eventsPerSecond: number, seconds: number, eventsPerBody = 100): Promise<SustainedResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'strata-sustained-'));
  const port = await freePort();
  const strata = await startNode('bin/strata.mjs', ['start'], { STRATA_PORT: String(port), STRATA_DATA_DIR: dataDir, STRATA_LOG_LEVEL: 'warn' }, `http://127.0.0.1:${port}`, '/healthz');
  try {
    const backlog: SustainedResult['backlog'] = [];
    const started = Date.now();
    const sampler = setInterval(() => {
      pipelineCounts(strata.url).then((c) => backlog.push({
        t_s: Math.round((Date.now() - started) / 1000), folded_behind: c.accepted - c.folded, archived_behind: c.accepted - c.archived,
      }), () => undefined);
    }, SAMPLE_MS);
    const result = await load(strata.url, { connections: CONNECTIONS, seconds, eventsPerSecond, eventsPerBody });
    clearInterval(sampler);
    const loadEnded = Date.now();
    let caughtUp = await pipelineCounts(strata.url);
    while ((caughtUp.folded < caughtUp.accepted || caughtUp.archived < caughtUp.accepted) && Date.now() - loadEnded < 120_000) {
      await new Promise((r) => setTimeout(r, 250));
      caughtUp = await pipelineCounts(strata.url);
    }
    const ackedRate = result.events_per_s;
    const steady = backlog.filter((b) => b.t_s >= WARM_UP_S);
    const folded = Math.round(slope(steady.map((b) => [b.t_s, b.folded_behind])));
    const archived = Math.round(slope(steady.map((b) => [b.t_s, b.archived_behind])));
    const limit = 0.01 * eventsPerSecond;
    return {
      offered_events_per_s: eventsPerSecond, events_per_body: eventsPerBody, seconds, acked_events_per_s: ackedRate, sent_events_per_s: result.sent_events_per_s,
      non_2xx: result.non_2xx, errors: result.errors, p99_ms: result.p99_ms,
      backlog, folded_growth_per_s: folded, archived_growth_per_s: archived,
      catch_up_s: Math.round((Date.now() - loadEnded) / 100) / 10,
      held: result.non_2xx === 0 && result.errors === 0 && ackedRate >= 0.99 * eventsPerSecond && folded <= limit && archived <= limit,
    };
  } finally {
    await strata.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}
