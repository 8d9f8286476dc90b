/**
 * Plans a metrics request as parameterised SQL over the rollups: the smallest cube that holds every
 * dimension asked for, tenant AND'ed in, user values only ever as parameters.
 */
import { smallestCube, type Dimension } from './dimensions';
import type { MetricsRequest } from './metrics-request';
import { speedRollupTable } from './rollups';
import { GRANULARITY_MS } from './time';

export interface PlannedQuery {
  sql: string;
  params: Record<string, string | number | string[]>;
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

export function planMetrics(request: MetricsRequest, tenant: string, table: (name: string) => string): MetricsPlan {
  const cube = smallestCube([...request.groupBy, ...request.filters.keys()]);
  const source = table(speedRollupTable(cube));
  const params: PlannedQuery['params'] = { tenant, from: request.from / 1000, to: request.to / 1000 };
  const where = ['tenant = {tenant:String}', "minute >= toDateTime({from:UInt32}, 'UTC')", "minute < toDateTime({to:UInt32}, 'UTC')"];
  let f = 0;
  for (const [dimension, values] of request.filters) {
    const name = `f${f++}`;
    params[name] = values;
    where.push(`${dimension} IN {${name}:Array(String)}`);
  }
  const metrics = request.metrics.map((m, i) => `${m.sql} AS ${metricAlias(i)}`).join(', ');
  const filter = `FROM ${source} WHERE ${where.join(' AND ')}`;
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
      return ` AND ${d} IN {g${i}:Array(String)}`;
    }).join('');
    return {
      sql: `SELECT ${bucket}${groups ? `, ${groups}` : ''}, ${metrics} ${filter}${narrow} GROUP BY t${groups ? `, ${groups}` : ''} ORDER BY t`,
      params: narrowed,
    };
  };
  return { ranking, series, total: undefined };
}

/** Ties are broken by the tuple of keys ascending. */
function rankKeys(dimensions: readonly Dimension[]): string {
  return dimensions.map((d) => `${d} ASC`).join(', ');
}
