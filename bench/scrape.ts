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

/** Events acknowledged and made durable by the speed layer so far, per /internal/metrics. */
export async function pipelineCounts(url: string): Promise<{ accepted: number; sampledOut: number; folded: number; archived: number }> {
  const text = await scrape(url);
  return {
    accepted: seriesValue(text, 'strata_ingest_events_total{status="accepted"}'),
    sampledOut: seriesValue(text, 'strata_ingest_events_total{status="sampled_out"}'),
    folded: seriesValue(text, 'strata_stream_events_total{stage="folded"}'),
    archived: seriesValue(text, 'strata_stream_events_total{stage="archived"}'),
  };
}
