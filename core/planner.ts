/**
 * Plans a metrics request as parameterised SQL over the rollups: the smallest cube that holds every
 * dimension asked for, tenant AND'ed in, user values only ever as parameters. Each hour of the
 * window is read from the batch rows of its published version when it has one, else from speed.
 */
import { type Cube, smallestCube, type Dimension } from './dimensions';
import { type PublishedHours, hoursOf } from './layers';
import type { MetricsRequest } from './metrics-request';
import { RECONCILE_STATE_TABLE, batchRollupTable, speedRollupTable } from './rollups';
import { GRANULARITY_MS, HOUR_MS, floorTo } from './time';

export interface PlannedQuery {
  sql: string;
  params: Record<string, string | number | string[] | number[]>;
}

export interface MetricsPlan {
  /** Groups ranked by the first metric over the whole window, with the total count of groups. */
  ranking: PlannedQuery | undefined;
  /** One row of totals, for `granularity=all` without groups. */
  total: PlannedQuery | undefined;
  /**
   * Buckets (t, in epoch seconds) for series. With groups, it takes the ranking's rows, so that
   * the series covers exactly the ranked groups even if data lands between the two queries.
   */
  series: ((rankedGroups: readonly Record<string, unknown>[]) => PlannedQuery) | undefined;
}

/** Metric columns are aliased m0, m1, … in the order the request lists them. */
export const metricAlias = (index: number): string => `m${index}`;

/**
 * The published version of each hour the window touches: one small query on the reconciliation
 * state, run before the metrics queries, whose rows readPublishedHours (layers.ts) reads.
 */
export function planPublishedHours(request: MetricsRequest, tenant: string, table: (name: string) => string): PlannedQuery {
  return {
    sql: `SELECT toUnixTimestamp(hour) AS h, toString(max(version)) AS v FROM ${table(RECONCILE_STATE_TABLE)}
      WHERE tenant = {tenant:String} AND hour >= toDateTime({from:UInt32}, 'UTC') AND hour < toDateTime({to:UInt32}, 'UTC')
      GROUP BY hour ORDER BY hour`,
    params: { tenant, from: floorTo(request.from, HOUR_MS) / 1000, to: request.to / 1000 },
  };
}

export function planMetrics(
  request: MetricsRequest, tenant: string, table: (name: string) => string, published: PublishedHours = new Map(),
): MetricsPlan {
  const cube = smallestCube([...request.groupBy, ...request.filters.keys()]);
  const params: PlannedQuery['params'] = { tenant, from: request.from / 1000, to: request.to / 1000 };
  const conditions: string[] = [];
  let f = 0;
  for (const [dimension, values] of request.filters) {
    const name = `f${f++}`;
    params[name] = values;
    conditions.push(`${dimension} IN {${name}:Array(String)}`);
  }
  const from = sourceOf(request, cube, table, published, params);
  const metrics = request.metrics.map((m, i) => `${m.sql} AS ${metricAlias(i)}`).join(', ');
  const filter = from(conditions);
  const groups = request.groupBy.join(', ');

  // A group where every metric asked for is zero (a click row in a page_views breakdown) says nothing.
  const nonZero = request.metrics.map((_, i) => `${metricAlias(i)} != 0`).join(' OR ');
  const ranking = request.groupBy.length === 0 ? undefined : {
    sql: `SELECT ${groups}, ${metrics}, count() OVER () AS total_groups ${filter}
      GROUP BY ${groups} HAVING ${nonZero} ORDER BY ${metricAlias(0)} DESC, ${rankKeys(request.groupBy)} LIMIT {limit:UInt32}`,
    params: { ...params, limit: request.limit },
  };
  if (request.shape === 'breakdown') return { ranking, series: undefined, total: undefined };
  if (request.shape === 'total') return { ranking: undefined, series: undefined, total: { sql: `SELECT ${metrics} ${filter}`, params } };

  const step = GRANULARITY_MS[request.granularity ?? '1h'] / 1000;
  const bucket = `toUnixTimestamp(toStartOfInterval(minute, INTERVAL ${step} SECOND)) AS t`;
  const series = (rankedGroups: readonly Record<string, unknown>[]): PlannedQuery => {
    // Each dimension is narrowed to the values of the ranked groups: a superset of the groups
    // (their cross product), which the reply then picks from exactly.
    const narrowed = { ...params };
    const narrow = request.groupBy.map((d, i) => {
      narrowed[`g${i}`] = [...new Set(rankedGroups.map((g) => String(g[d])))];
      return `${d} IN {g${i}:Array(String)}`;
    });
    return {
      sql: `SELECT ${bucket}${groups ? `, ${groups}` : ''}, ${metrics} ${from([...conditions, ...narrow])} GROUP BY t${groups ? `, ${groups}` : ''} ORDER BY t`,
      params: narrowed,
    };
  };
  return { ranking, series, total: undefined };
}

/**
 * The FROM clause over the window's rows, given the conditions every row must meet: the speed table
 * alone while no hour of the window is published; otherwise a UNION ALL of the speed rows of the
 * unpublished hours and the batch rows of the published (hour, version) pairs, the batch side at
 * 1h buckets when every bucket asked for is whole hours. Both sides expose `minute`.
 */
function sourceOf(
  request: MetricsRequest, cube: Cube, table: (name: string) => string, published: PublishedHours, params: PlannedQuery['params'],
): (conditions: readonly string[]) => string {
  const windowHours = hoursOf(request.from, request.to);
  const batchHours = windowHours.filter((h) => published.has(h));
  const speedTable = table(speedRollupTable(cube));
  const speedWindow = ['tenant = {tenant:String}', "minute >= toDateTime({from:UInt32}, 'UTC')", "minute < toDateTime({to:UInt32}, 'UTC')"];
  if (batchHours.length === 0) return (conditions) => `FROM ${speedTable} WHERE ${[...speedWindow, ...conditions].join(' AND ')}`;

  params.published_hours = batchHours.map((h) => h / 1000);
  params.published_versions = batchHours.map((h) => published.get(h) ?? 0);
  const hourAligned = request.from % HOUR_MS === 0 && request.to % HOUR_MS === 0;
  const wholeHours = hourAligned && (request.shape !== 'series' || GRANULARITY_MS[request.granularity ?? '1h'] >= HOUR_MS);
  const columns = [...new Set<Dimension>(['event', ...request.groupBy])].join(', ');
  const values = 'events, sessions, revenue, users';
  const batchWhere = [
    'tenant = {tenant:String}',
    `granularity = '${wholeHours ? '1h' : '1m'}'`,
    'toUnixTimestamp(hour) IN {published_hours:Array(UInt32)}',
    'version = {published_versions:Array(UInt64)}[indexOf({published_hours:Array(UInt32)}, toUnixTimestamp(hour))]',
    "bucket >= toDateTime({from:UInt32}, 'UTC')",
    "bucket < toDateTime({to:UInt32}, 'UTC')",
  ];
  const batch = (conditions: readonly string[]) =>
    `SELECT bucket AS minute, ${columns}, ${values} FROM ${table(batchRollupTable(cube))} WHERE ${[...batchWhere, ...conditions].join(' AND ')}`;
  if (batchHours.length === windowHours.length) return (conditions) => `FROM (${batch(conditions)})`;
  const speedWhere = [...speedWindow, 'toUnixTimestamp(toStartOfHour(minute)) NOT IN {published_hours:Array(UInt32)}'];
  const speed = (conditions: readonly string[]) =>
    `SELECT minute, ${columns}, ${values} FROM ${speedTable} WHERE ${[...speedWhere, ...conditions].join(' AND ')}`;
  return (conditions) => `FROM (${speed(conditions)} UNION ALL ${batch(conditions)})`;
}

/** Ties are broken by the tuple of keys ascending. */
function rankKeys(dimensions: readonly Dimension[]): string {
  return dimensions.map((d) => `${d} ASC`).join(', ');
}
