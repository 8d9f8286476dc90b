/**
 * Built-in metrics, defined over the rollup columns every cube has: `events` (weighted count),
 * `sessions` (weighted session starts), `revenue` (Decimal sum of properties.revenue on purchases)
 * and `users` (uniqCombined state).
 */
export type MetricKind = 'count' | 'sum' | 'uniq';

export interface MetricDefinition {
  name: string;
  kind: MetricKind;
  /** ClickHouse aggregate over a rollup table; merges across buckets (states merge, never add). */
  sql: string;
  /**
   * The aggregate where exact rows may answer: over the planner's union, whose rows flag with
   * `exact` whether they carry an exact state. Falls back to `sql` for a bucket with any other row.
   */
  exactSql?: string;
  description: string;
}

export const BUILT_IN_METRICS: readonly MetricDefinition[] = [
  { name: 'events', kind: 'count', sql: 'sum(events)', description: 'every event' },
  { name: 'page_views', kind: 'count', sql: "sumIf(events, event = 'page_view')", description: 'page_view events' },
  { name: 'clicks', kind: 'count', sql: "sumIf(events, event = 'click')", description: 'click events' },
  { name: 'purchases', kind: 'count', sql: "sumIf(events, event = 'purchase')", description: 'purchase events' },
  { name: 'revenue', kind: 'sum', sql: "sumIf(revenue, event = 'purchase')", description: 'sum of properties.revenue on purchases' },
  { name: 'sessions', kind: 'count', sql: 'sum(sessions)', description: 'session starts: events with no event of the same user in the 30 minutes before' },
  {
    name: 'unique_users', kind: 'uniq', sql: 'uniqCombinedMerge(users)', description: 'distinct user_id',
    exactSql: 'if(min(exact) = 1, uniqExactMerge(users_set), uniqCombinedMerge(users))',
  },
];

export const METRIC_NAMES = BUILT_IN_METRICS.map((m) => m.name);

export function findMetric(name: string): MetricDefinition | undefined {
  return BUILT_IN_METRICS.find((m) => m.name === name);
}

/** Counts are integers unless sampling made them fractional; then 6 places, like sums. */
export function roundValue(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
