/**
 * Built-in metrics, defined over the rollup columns every cube has: `events` (weighted count),
 * `sessions` (weighted session starts), `revenue` (Decimal sum of properties.revenue on purchases)
 * and `users` (uniqCombined state).
 */
import type { Dimension } from './dimensions';

export type MetricKind = 'count' | 'sum' | 'uniq';

export interface MetricDefinition {
  name: string;
  kind: MetricKind;
  /** ClickHouse aggregate over a rollup table; merges across buckets (states merge, never add). */
  sql: string;
  /**
   * The aggregate where exact rows may answer: over the planner's union, whose rows flag with
   * `exact` whether their whole bucket is read from rows with an exact state (layered-source.ts).
   * Each merge reads only the rows of its own kind: merging both costs twice.
   */
  exactSql?: string;
  /** exactSql where each exact bucket is one row (a cube without dimensions): its exact count, no merge. */
  exactRowSql?: string;
  /** The dimensions `sql` reads: a cube without them cannot answer it. */
  reads: readonly Dimension[];
  description: string;
}

export const BUILT_IN_METRICS: readonly MetricDefinition[] = [
  { name: 'events', kind: 'count', sql: 'sum(events)', reads: [], description: 'every event' },
  { name: 'page_views', kind: 'count', sql: "sumIf(events, event = 'page_view')", reads: ['event'], description: 'page_view events' },
  { name: 'clicks', kind: 'count', sql: "sumIf(events, event = 'click')", reads: ['event'], description: 'click events' },
  { name: 'purchases', kind: 'count', sql: "sumIf(events, event = 'purchase')", reads: ['event'], description: 'purchase events' },
  { name: 'revenue', kind: 'sum', sql: "sumIf(revenue, event = 'purchase')", reads: ['event'], description: 'sum of properties.revenue on purchases' },
  { name: 'sessions', kind: 'count', sql: 'sum(sessions)', reads: [], description: 'session starts: events with no event of the same user in the 30 minutes before' },
  {
    name: 'unique_users', kind: 'uniq', sql: 'uniqCombinedMerge(users)', reads: [], description: 'distinct user_id',
    exactSql: 'if(min(exact) = 1, uniqExactMergeIf(users_set, exact = 1), uniqCombinedMergeIf(users, exact = 0))',
    exactRowSql: 'if(min(exact) = 1, sumIf(users_exact, exact = 1), uniqCombinedMergeIf(users, exact = 0))',
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
