/**
 * Prometheus metrics, one registry per process (tests run several systems in one process, so nothing
 * registers globally).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Telemetry {
  registry: Registry;
  /** `status`: accepted (appended to the log), sampled_out (acknowledged, dropped by sampling), rejected. */
  ingestEvents: Counter<'status'>;
  freshnessLag: Histogram;
  queryDuration: Histogram<'route'>;
  /** GET /v1/metrics answers by `result`: hit, miss or bypass (api/metrics-cache.ts). */
  cacheRequests: Counter<'result'>;
  consumerLag: Gauge;
  /** Events the speed layer has made durable, by `stage`: folded (deltas inserted) or archived (files stored). */
  streamEvents: Counter<'stage'>;
  reconcileDuration: Histogram;
}

export function createTelemetry(options: { defaultMetrics?: boolean } = {}): Telemetry {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    ingestEvents: new Counter({ name: 'strata_ingest_events_total', help: 'Events at ingest by outcome: accepted (appended), sampled_out (acknowledged, dropped by sampling), rejected', labelNames: ['status'], registers }),
    freshnessLag: new Histogram({
      name: 'strata_freshness_lag_seconds', help: 'Time from acknowledgement to queryable in the speed layer', registers,
      buckets: [0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 300],
    }),
    queryDuration: new Histogram({ name: 'strata_query_duration_seconds', help: 'Query time by route', labelNames: ['route'], registers, buckets: [0.001, 0.005, 0.02, 0.05, 0.15, 0.5, 1, 3, 10, 30] }),
    cacheRequests: withZeros(new Counter({
      name: 'strata_cache_requests_total', labelNames: ['result'], registers,
      help: 'Metrics answers by query cache result: hit (stored, or computed once for concurrent requests), miss (computed and stored), bypass (the cache was unavailable)',
    }), ['hit', 'miss', 'bypass']),
    streamEvents: new Counter({ name: 'strata_stream_events_total', help: 'Events the speed layer made durable, by stage: folded (deltas inserted), archived (Parquet files stored)', labelNames: ['stage'], registers }),
    consumerLag: new Gauge({ name: 'strata_consumer_lag_events', help: 'Events in the log not yet committed by the speed layer', registers }),
    reconcileDuration: new Histogram({ name: 'strata_reconcile_duration_seconds', help: 'Time to reconcile one hour', registers }),
  };
}

/** Exports every result from the start, so that a rate over a result that has not happened yet is 0, not absent. */
function withZeros(counter: Counter<'result'>, results: readonly string[]): Counter<'result'> {
  for (const result of results) counter.inc({ result }, 0);
  return counter;
}
