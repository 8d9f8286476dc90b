/**
 * The rows a window is read from, layer by layer: for each hour, the batch rows of its published
 * version (as day, hour or minute rows, the coarsest that fits the buckets asked for), else the
 * speed rows. The metrics planner and the ad-hoc query language both read through it.
 */
import { type Cube, type Dimension } from './dimensions';
import { type Served, hoursOf, wholeDaysOf } from './layers';
import { batchRollupTable, dayRollupTable, speedRollupTable } from './rollups';
import { DAY_MS, HOUR_MS } from './time';

/** Query parameters by name, as the OLAP store binds them. */
export type SqlParams = Record<string, string | number | string[] | number[]>;

export interface SourceSpec {
  /** The window [from, to), epoch ms. */
  from: number;
  to: number;
  /** How much time one bucket of the answer spans: what decides which rows may serve it. */
  bucketMs: number;
  /** The dimensions the rows must expose (filters applied inside need not be among them). */
  columns: readonly Dimension[];
  /** Whether `unique_users` may read exact user sets where every row has one. */
  exactUsers: boolean;
  /** Expose `tenant` too, for a caller that filters outside. */
  withTenant?: boolean;
}

export interface Source {
  /** The FROM clause, given the conditions every row must meet. */
  from: (conditions: readonly string[]) => string;
  /** Whether rows carry `exact` and `users_set`, for metrics' exactSql. */
  exact: boolean;
}

/**
 * The FROM clause over the window's rows: a UNION ALL, each part exposing `minute`, of:
 *   - day rows, for the current whole days, when buckets are days or longer;
 *   - 1h batch rows, for other published hours inside the window, when buckets are hours or longer;
 *   - 1m batch rows, for the remaining published hours;
 *   - speed rows, for the unpublished hours.
 * Where each bucket spans a day or less, rows also say whether they carry an exact user set (day
 * and 1h rows do), so that an hourly or daily `unique_users` is exact.
 */
export function layeredSource(
  spec: SourceSpec, cube: Cube, table: (name: string) => string, served: Served, params: SqlParams,
): Source {
  const { published, days } = served;
  const windowHours = hoursOf(spec.from, spec.to);
  const speedTable = table(speedRollupTable(cube));
  const speedWindow = ['tenant = {tenant:String}', "minute >= toDateTime({from:UInt32}, 'UTC')", "minute < toDateTime({to:UInt32}, 'UTC')"];
  const span = spec.bucketMs;
  const inside = (start: number, length: number) => start >= spec.from && start + length <= spec.to;
  const dayList = span >= DAY_MS ? wholeDaysOf(spec.from, spec.to).filter((d) => days.has(d)) : [];
  const byDay = new Set(dayList.flatMap((d) => Array.from({ length: 24 }, (_, i) => d + i * HOUR_MS)));
  const hourRows = windowHours.filter((h) => published.has(h) && !byDay.has(h) && span >= HOUR_MS && inside(h, HOUR_MS));
  const minuteRows = windowHours.filter((h) => published.has(h) && !byDay.has(h) && !hourRows.includes(h));
  const speedHours = windowHours.filter((h) => !published.has(h));
  const exact = spec.exactUsers && span <= DAY_MS && (hourRows.length > 0 || dayList.length > 0);

  const columns = [...(spec.withTenant ? ['tenant'] : []), ...new Set<Dimension>(spec.columns)].join(', ');
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

