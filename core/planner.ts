/**
 * Plans a metrics request as parameterised SQL over the rollups: the smallest cube that holds every
 * dimension asked for, tenant AND'ed in, user values only ever as parameters. Each hour of the
 * window is read from the batch rows of its published version when it has one, else from speed
 * (layered-source.ts).
 */
import { cubesFor, type Dimension } from './dimensions';
import { layeredSource } from './layered-source';
import { type PublishedHours, wholeDaysOf } from './layers';
import type { MetricDefinition } from './metrics';
import type { MetricsRequest } from './metrics-request';
import { DAY_STATE_TABLE, RECONCILE_STATE_TABLE } from './rollups';
import { DAY_MS, GRANULARITY_MS, HOUR_MS, floorTo } from './time';

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
export function planPublishedHours(window: { from: number; to: number }, tenant: string, table: (name: string) => string): PlannedQuery {
  return {
    sql: `SELECT toUnixTimestamp(hour) AS h, toString(max(version)) AS v FROM ${table(RECONCILE_STATE_TABLE)}
      WHERE tenant = {tenant:String} AND hour >= toDateTime({from:UInt32}, 'UTC') AND hour < toDateTime({to:UInt32}, 'UTC')
      GROUP BY hour ORDER BY hour`,
    params: { tenant, from: floorTo(window.from, HOUR_MS) / 1000, to: window.to / 1000 },
  };
}

export function planMetrics(
  request: MetricsRequest, tenant: string, table: (name: string) => string,
  published: PublishedHours = new Map(), days: ReadonlyMap<number, number> = new Map(),
): MetricsPlan {
  // The columns the metrics and groups read; a cube must also hold the filtered dimensions.
  const columns = [...new Set([...request.metrics.flatMap((m) => m.reads), ...request.groupBy])];
  const cubes = cubesFor([...columns, ...request.filters.keys()]);
  const params: PlannedQuery['params'] = { tenant, from: request.from / 1000, to: request.to / 1000 };
  const conditions: string[] = [];
  let f = 0;
  for (const [dimension, values] of request.filters) {
    const name = `f${f++}`;
    params[name] = values;
    conditions.push(`${dimension} IN {${name}:Array(String)}`);
  }
  const source = layeredSource({
    from: request.from, to: request.to, bucketMs: bucketMs(request), columns, exactUsers: true,
  }, cubes, table, { published, days }, params);
  const from = source.from;
  const aggregate = (m: MetricDefinition) => (!source.exact ? m.sql : (source.exactRows ? m.exactRowSql : undefined) ?? m.exactSql ?? m.sql);
  const metrics = request.metrics.map((m, i) => `${aggregate(m)} AS ${metricAlias(i)}`).join(', ');
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

/** The day builds of the whole days in the window, for currentDays (layers.ts); none when it has none. */
export function planDayBuilds(
  window: { from: number; to: number }, bucket: number, tenant: string, table: (name: string) => string,
): PlannedQuery | undefined {
  const days = wholeDaysOf(window.from, window.to);
  if (days.length === 0 || bucket < DAY_MS) return undefined;
  return {
    sql: `SELECT toUnixTimestamp(day) AS d, toString(max(version)) AS v, arrayMap(x -> toString(x), argMax(hour_versions, version)) AS hv
      FROM ${table(DAY_STATE_TABLE)}
      WHERE tenant = {tenant:String} AND day >= toDateTime({from:UInt32}, 'UTC') AND day < toDateTime({to:UInt32}, 'UTC')
      GROUP BY day ORDER BY day`,
    params: { tenant, from: (days[0] as number) / 1000, to: ((days.at(-1) as number) + DAY_MS) / 1000 },
  };
}

/**
 * Every published hour and day build of a tenant, in one query (rows of kind `h`, then `d`): what
 * a cache keeps per batch generation, so a request for any window needs no lookup of its own until
 * the next publish. readTenantLayers (layers.ts) reads the rows.
 */
export function planTenantLayers(tenant: string, table: (name: string) => string): PlannedQuery {
  return {
    sql: `SELECT 'h' AS kind, toUnixTimestamp(hour) AS t, toString(max(version)) AS v, CAST([], 'Array(String)') AS hv
      FROM ${table(RECONCILE_STATE_TABLE)} WHERE tenant = {tenant:String} GROUP BY hour
      UNION ALL
      SELECT 'd' AS kind, toUnixTimestamp(day) AS t, toString(max(version)) AS v, arrayMap(x -> toString(x), argMax(hour_versions, version)) AS hv
      FROM ${table(DAY_STATE_TABLE)} WHERE tenant = {tenant:String} GROUP BY day`,
    params: { tenant },
  };
}

/** How much time one bucket of the reply spans: the granularity, or the whole window. */
export function bucketMs(request: MetricsRequest): number {
  return request.shape === 'series' ? GRANULARITY_MS[request.granularity ?? '1h'] : request.to - request.from;
}

/** Ties are broken by the tuple of keys ascending. */
function rankKeys(dimensions: readonly Dimension[]): string {
  return dimensions.map((d) => `${d} ASC`).join(', ');
}
