/**
 * Plans a metrics request as parameterised SQL over the rollups: the smallest cube that holds every
 * dimension asked for, tenant AND'ed in, user values only ever as parameters. Each hour of the
 * window is read from the batch rows of its published version when it has one, else from speed.
 */
import { type Cube, smallestCube, type Dimension } from './dimensions';
import { type PublishedHours, hoursOf, wholeDaysOf } from './layers';
import type { MetricsRequest } from './metrics-request';
import { DAY_STATE_TABLE, RECONCILE_STATE_TABLE, batchRollupTable, dayRollupTable, speedRollupTable } from './rollups';
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
export function planPublishedHours(request: MetricsRequest, tenant: string, table: (name: string) => string): PlannedQuery {
  return {
    sql: `SELECT toUnixTimestamp(hour) AS h, toString(max(version)) AS v FROM ${table(RECONCILE_STATE_TABLE)}
      WHERE tenant = {tenant:String} AND hour >= toDateTime({from:UInt32}, 'UTC') AND hour < toDateTime({to:UInt32}, 'UTC')
      GROUP BY hour ORDER BY hour`,
    params: { tenant, from: floorTo(request.from, HOUR_MS) / 1000, to: request.to / 1000 },
  };
}

export function planMetrics(
  request: MetricsRequest, tenant: string, table: (name: string) => string,
  published: PublishedHours = new Map(), days: ReadonlyMap<number, number> = new Map(),
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
  const source = sourceOf(request, cube, table, published, days, params);
  const from = source.from;
  const metrics = request.metrics.map((m, i) => `${source.exact && m.exactSql ? m.exactSql : m.sql} AS ${metricAlias(i)}`).join(', ');
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
export function planDayBuilds(request: MetricsRequest, tenant: string, table: (name: string) => string): PlannedQuery | undefined {
  const days = wholeDaysOf(request.from, request.to);
  if (days.length === 0 || bucketMs(request) < DAY_MS) return undefined;
  return {
    sql: `SELECT toUnixTimestamp(day) AS d, toString(max(version)) AS v, arrayMap(x -> toString(x), argMax(hour_versions, version)) AS hv
      FROM ${table(DAY_STATE_TABLE)}
      WHERE tenant = {tenant:String} AND day >= toDateTime({from:UInt32}, 'UTC') AND day < toDateTime({to:UInt32}, 'UTC')
      GROUP BY day ORDER BY day`,
    params: { tenant, from: (days[0] as number) / 1000, to: ((days.at(-1) as number) + DAY_MS) / 1000 },
  };
}

/** How much time one bucket of the reply spans: the granularity, or the whole window. */
function bucketMs(request: MetricsRequest): number {
  return request.shape === 'series' ? GRANULARITY_MS[request.granularity ?? '1h'] : request.to - request.from;
}

interface Source {
  /** The FROM clause, given the conditions every row must meet. */
  from: (conditions: readonly string[]) => string;
  /** Whether rows carry `exact` and `users_set`, for metrics' exactSql. */
  exact: boolean;
}

/**
 * The FROM clause over the window's rows. The speed table alone while no hour of the window is
 * published; otherwise a UNION ALL, each part exposing `minute`, of:
 *   - day rows, for the current whole days, when buckets are days or longer;
 *   - 1h batch rows, for other published hours inside the window, when buckets are hours or longer;
 *   - 1m batch rows, for the remaining published hours;
 *   - speed rows, for the unpublished hours.
 * Where each bucket spans a day or less, rows also say whether they carry an exact user set (day
 * and 1h rows do), so that an hourly or daily `unique_users` is exact.
 */
function sourceOf(
  request: MetricsRequest, cube: Cube, table: (name: string) => string,
  published: PublishedHours, days: ReadonlyMap<number, number>, params: PlannedQuery['params'],
): Source {
  const windowHours = hoursOf(request.from, request.to);
  const speedTable = table(speedRollupTable(cube));
  const speedWindow = ['tenant = {tenant:String}', "minute >= toDateTime({from:UInt32}, 'UTC')", "minute < toDateTime({to:UInt32}, 'UTC')"];
  if (!windowHours.some((h) => published.has(h))) {
    return { from: (conditions) => `FROM ${speedTable} WHERE ${[...speedWindow, ...conditions].join(' AND ')}`, exact: false };
  }

  const span = bucketMs(request);
  const inside = (start: number, length: number) => start >= request.from && start + length <= request.to;
  const dayList = span >= DAY_MS ? wholeDaysOf(request.from, request.to).filter((d) => days.has(d)) : [];
  const byDay = new Set(dayList.flatMap((d) => Array.from({ length: 24 }, (_, i) => d + i * HOUR_MS)));
  const hourRows = windowHours.filter((h) => published.has(h) && !byDay.has(h) && span >= HOUR_MS && inside(h, HOUR_MS));
  const minuteRows = windowHours.filter((h) => published.has(h) && !byDay.has(h) && !hourRows.includes(h));
  const speedHours = windowHours.filter((h) => !published.has(h));
  const exact = span <= DAY_MS && (hourRows.length > 0 || dayList.length > 0);

  const columns = [...new Set<Dimension>(['event', ...request.groupBy])].join(', ');
  const values = (users: 'none' | 'inexact' | 'exact') =>
    `events, sessions, revenue, users${!exact ? '' : users === 'none' ? `, ${EMPTY_USER_SET} AS users_set, 0 AS exact` : `, users_set, ${users === 'exact' ? 1 : 0} AS exact`}`;
  const parts: ((conditions: readonly string[]) => string)[] = [];
  if (speedHours.length > 0) {
    params.speed_hours = speedHours.map((h) => h / 1000);
    const where = [...speedWindow, 'toUnixTimestamp(toStartOfHour(minute)) IN {speed_hours:Array(UInt32)}'];
    parts.push((conditions) => `SELECT minute, ${columns}, ${values('none')} FROM ${speedTable} WHERE ${[...where, ...conditions].join(' AND ')}`);
  }
  const batchPart = (hours: number[], granularity: '1m' | '1h', name: string) => {
    if (hours.length === 0) return;
    params[`${name}_hours`] = hours.map((h) => h / 1000);
    params[`${name}_versions`] = hours.map((h) => published.get(h) ?? 0);
    const where = [
      'tenant = {tenant:String}',
      `granularity = '${granularity}'`,
      versionedIn('hour', `${name}_hours`, `${name}_versions`),
      "bucket >= toDateTime({from:UInt32}, 'UTC')",
      "bucket < toDateTime({to:UInt32}, 'UTC')",
    ];
    const kind = granularity === '1h' ? 'exact' : 'inexact';
    parts.push((conditions) => `SELECT bucket AS minute, ${columns}, ${values(kind)} FROM ${table(batchRollupTable(cube))} WHERE ${[...where, ...conditions].join(' AND ')}`);
  };
  batchPart(hourRows, '1h', 'hour');
  batchPart(minuteRows, '1m', 'minute');
  if (dayList.length > 0) {
    params.days = dayList.map((d) => d / 1000);
    params.day_versions = dayList.map((d) => days.get(d) ?? 0);
    const where = [
      'tenant = {tenant:String}',
      versionedIn('day', 'days', 'day_versions'),
    ];
    parts.push((conditions) => `SELECT day AS minute, ${columns}, ${values('exact')} FROM ${table(dayRollupTable(cube))} WHERE ${[...where, ...conditions].join(' AND ')}`);
  }
  return { from: (conditions) => `FROM (${parts.map((part) => part(conditions)).join(' UNION ALL ')})`, exact };
}

/**
 * Rows of the listed (hour or day, version) pairs, given as two parallel array parameters (epoch
 * seconds, versions). A tuple IN over a set built once lets the engine use the primary key
 * (tenant, hour, version, …); looking each row's version up with indexOf cost 5× more.
 */
export function versionedIn(column: 'hour' | 'day', starts: string, versions: string): string {
  return `(${column}, version) IN (SELECT toDateTime(pair.1, 'UTC'), pair.2 FROM (SELECT arrayJoin(arrayZip({${starts}:Array(UInt32)}, {${versions}:Array(UInt64)})) AS pair))`;
}

/** An empty exact user set, for speed rows beside exact ones in one union. */
const EMPTY_USER_SET = "arrayReduce('uniqExactState', emptyArrayString())";

/** Ties are broken by the tuple of keys ascending. */
function rankKeys(dimensions: readonly Dimension[]): string {
  return dimensions.map((d) => `${d} ASC`).join(', ');
}
