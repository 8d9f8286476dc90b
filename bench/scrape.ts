/** Reads counters from a running Strata's Prometheus endpoint. */

/** The value of one series (name plus exact label text, e.g. `{stage="folded"}`), 0 when absent. */
export function seriesValue(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}

export async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/internal/metrics`);
  return res.text();
}

export interface PipelineCounts { accepted: number; sampledOut: number; folded: number; archived: number }

/** Events acknowledged and made durable by the speed layer so far, per /internal/metrics. */
export async function pipelineCounts(url: string): Promise<PipelineCounts> {
  const text = await scrape(url);
  return {
    accepted: seriesValue(text, 'strata_ingest_events_total{status="accepted"}'),
    sampledOut: seriesValue(text, 'strata_ingest_events_total{status="sampled_out"}'),
    folded: seriesValue(text, 'strata_stream_events_total{stage="folded"}'),
    archived: seriesValue(text, 'strata_stream_events_total{stage="archived"}'),
  };
}

/** Whether the speed layer has folded and archived every event acknowledged. */
const caughtUp = (c: PipelineCounts): boolean => c.folded >= c.accepted && c.archived >= c.accepted;

/**
 * Waits until the speed layer has folded and archived every event acknowledged so far, polling
 * every 250 ms for at most `limitMs`. Returns whether it did, the seconds it took, and the counts
 * it ended on.
 */
export async function waitCaughtUp(url: string, limitMs = 120_000): Promise<{ done: boolean; seconds: number; counts: PipelineCounts }> {
  const started = Date.now();
  let counts = await pipelineCounts(url);
  while (!caughtUp(counts) && Date.now() - started < limitMs) {
    await new Promise((r) => setTimeout(r, 250));
    counts = await pipelineCounts(url);
  }
  return { done: caughtUp(counts), seconds: Math.round((Date.now() - started) / 100) / 10, counts };
}
