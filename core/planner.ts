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
  /** Buckets (t, in epoch seconds) by group, for series. */
  series: PlannedQuery | undefined;
  /** One row of totals, for `granularity=all` without groups. */
  total: PlannedQuery | undefined;
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

  const ranking = request.groupBy.length === 0 ? undefined : {
    sql: `SELECT ${groups}, ${metrics}, count() OVER () AS total_groups ${filter}
      GROUP BY ${groups} ORDER BY ${metricAlias(0)} DESC, ${rankKeys(request.groupBy)} LIMIT {limit:UInt32}`,
    params: { ...params, limit: request.limit },
  };
  if (request.shape === 'breakdown') return { ranking, series: undefined, total: undefined };
  if (request.shape === 'total') return { ranking: undefined, series: undefined, total: { sql: `SELECT ${metrics} ${filter}`, params } };

  const step = GRANULARITY_MS[request.granularity ?? '1h'] / 1000;
  const bucket = `toUnixTimestamp(toStartOfInterval(minute, INTERVAL ${step} SECOND)) AS t`;
  const topGroups = ranking
    ? ` AND (${groups}) IN (SELECT ${groups} ${filter} GROUP BY ${groups} ORDER BY ${request.metrics[0]?.sql} DESC, ${rankKeys(request.groupBy)} LIMIT {limit:UInt32})`
    : '';
  const series = {
    sql: `SELECT ${bucket}${groups ? `, ${groups}` : ''}, ${metrics} ${filter}${topGroups} GROUP BY t${groups ? `, ${groups}` : ''} ORDER BY t`,
    params: ranking ? ranking.params : params,
  };
  return { ranking, series, total: undefined };
}

/** Ties are broken by the tuple of keys ascending. */
function rankKeys(dimensions: readonly Dimension[]): string {
  return dimensions.map((d) => `${d} ASC`).join(', ');
}
