/**
 * The rows a window is read from, layer by layer: for each hour, the batch rows of its published
 * version (as day, hour or minute rows, the coarsest that fits the buckets asked for), else the
 * speed rows. The metrics planner and the ad-hoc query language both read through it.
 */
import { type Cube, type Dimension } from './dimensions';
import { type Served, hoursOf, wholeDaysOf } from './layers';
import { batchRollupTable, dayRollupTable, speedRollupTable } from './rollups';
import { DAY_MS, HOUR_MS, floorTo } from './time';

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
  /** Whether rows carry `exact`, `users_set` and `users_exact`, for metrics' exactSql. */
  exact: boolean;
  /** Whether each bucket flagged exact is one row, whose `users_exact` is then its count (exactRowSql). */
  exactRows: boolean;
}

/** The cube each layer's rows are read from (cubesFor): the batch layer keeps cubes speed does not. */
export interface LayerCubes {
  batch: Cube;
  speed: Cube;
}

/**
 * The FROM clause over the window's rows: a UNION ALL, each part exposing `minute`, of:
 *   - day rows, for the current whole days, when buckets are days or longer;
 *   - 1h batch rows, for other published hours inside the window, when buckets are hours or longer;
 *   - 1m batch rows, for the remaining published hours;
 *   - speed rows, for the unpublished hours.
 * Where each bucket spans a day or less, rows also say whether their bucket is read wholly from
 * rows with an exact user set (day and 1h rows), so that an hourly or daily `unique_users` is exact
 * wherever it can be, and no bucket pays for both merges.
 */
export function layeredSource(
  spec: SourceSpec, cubes: LayerCubes, table: (name: string) => string, served: Served, params: SqlParams,
): Source {
  const { published, days } = served;
  const windowHours = hoursOf(spec.from, spec.to);
  const speedTable = table(speedRollupTable(cubes.speed));
  const speedWindow = ['tenant = {tenant:String}', "minute >= toDateTime({from:UInt32}, 'UTC')", "minute < toDateTime({to:UInt32}, 'UTC')"];
  const span = spec.bucketMs;
  const inside = (start: number, length: number) => start >= spec.from && start + length <= spec.to;
  const dayList = span >= DAY_MS ? wholeDaysOf(spec.from, spec.to).filter((d) => days.has(d)) : [];
  const byDay = new Set(dayList.flatMap((d) => Array.from({ length: 24 }, (_, i) => d + i * HOUR_MS)));
  const hourRows = windowHours.filter((h) => published.has(h) && !byDay.has(h) && span >= HOUR_MS && inside(h, HOUR_MS));
  const minuteRows = windowHours.filter((h) => published.has(h) && !byDay.has(h) && !hourRows.includes(h));
  const speedHours = windowHours.filter((h) => !published.has(h));
  const { exact, exactRows, inExactBucket } = exactBucketsOf(spec, cubes.batch, hourRows, dayList, byDay);

  const keys = [...(spec.withTenant ? ['tenant'] : []), ...new Set<Dimension>(spec.columns)];
  // The bucket's time as `minute`, then the keys asked for (maybe none), then the values.
  const columns = (time: string) => [time, ...keys].join(', ');
  const values = (users: 'combined' | 'set') => (!exact ? 'events, sessions, revenue, users'
    : users === 'set' ? `events, sessions, revenue, ${EMPTY_COMBINED} AS users, users_set, users_exact, 1 AS exact`
      : `events, sessions, revenue, users, ${EMPTY_USER_SET} AS users_set, 0 AS users_exact, 0 AS exact`);
  const parts: ((conditions: readonly string[]) => string)[] = [];
  if (speedHours.length > 0) {
    params.speed_hours = speedHours.map((h) => h / 1000);
    const where = [...speedWindow, 'toUnixTimestamp(toStartOfHour(minute)) IN {speed_hours:Array(UInt32)}'];
    parts.push((conditions) => `SELECT ${columns('minute')}, ${values('combined')} FROM ${speedTable} WHERE ${[...where, ...conditions].join(' AND ')}`);
  }
  const batchPart = (hours: number[], granularity: '1m' | '1h', name: string, users: 'combined' | 'set') => {
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
    parts.push((conditions) => `SELECT ${columns('bucket AS minute')}, ${values(users)} FROM ${table(batchRollupTable(cubes.batch))} WHERE ${[...where, ...conditions].join(' AND ')}`);
  };
  const dayPart = (list: number[], prefix: '' | 'approx_', users: 'combined' | 'set') => {
    if (list.length === 0) return;
    params[`${prefix}days`] = list.map((d) => d / 1000);
    params[`${prefix}day_versions`] = list.map((d) => days.get(d) ?? 0);
    const where = ['tenant = {tenant:String}', versionedIn('day', `${prefix}days`, `${prefix}day_versions`)];
    parts.push((conditions) => `SELECT ${columns('day AS minute')}, ${values(users)} FROM ${table(dayRollupTable(cubes.batch))} WHERE ${[...where, ...conditions].join(' AND ')}`);
  };
  batchPart(hourRows.filter(inExactBucket), '1h', 'hour', 'set');
  batchPart(hourRows.filter((h) => !inExactBucket(h)), '1h', exact ? 'approx_hour' : 'hour', 'combined');
  batchPart(minuteRows, '1m', 'minute', 'combined');
  dayPart(dayList.filter(inExactBucket), '', 'set');
  dayPart(dayList.filter((d) => !inExactBucket(d)), exact ? 'approx_' : '', 'combined');
  return { from: (conditions) => `FROM (${parts.map((part) => part(conditions)).join(' UNION ALL ')})`, exact, exactRows };
}

/**
 * Rows of the listed (hour or day, version) pairs, given as two parallel array parameters (epoch
 * seconds, versions). A tuple IN over a set built once lets the engine use the primary key
 * (tenant, hour, version, …); looking each row's version up with indexOf cost 5× more.
 */
export function versionedIn(column: 'hour' | 'day', starts: string, versions: string): string {
  return `(${column}, version) IN (SELECT toDateTime(pair.1, 'UTC'), pair.2 FROM (SELECT arrayJoin(arrayZip({${starts}:Array(UInt32)}, {${versions}:Array(UInt64)})) AS pair))`;
}

/**
 * Day and 1h rows carry exact user sets. Where a bucket is read wholly from them, its rows say
 * exact = 1 and bring their sets; every other row says 0 and brings its uniqCombined state. So no
 * bucket mixes the two, and no row is read for a state its bucket does not merge: reading one
 * hour's large state costs milliseconds. Where each exact bucket is a single row (a cube without
 * dimensions), that row's exact count is the answer.
 */
function exactBucketsOf(
  spec: SourceSpec, batch: Cube, hourRows: readonly number[], dayList: readonly number[], byDay: ReadonlySet<number>,
) {
  const buckets = spec.exactUsers && spec.bucketMs <= DAY_MS ? bucketsOf(spec) : [];
  const setHours = new Set([...byDay, ...hourRows]);
  const exactBuckets = buckets.filter((b) => hoursOf(b.from, b.to).every((h) => setHours.has(h)));
  const rowsIn = (b: Bucket) => [...hourRows, ...dayList].filter((t) => t >= b.from && t < b.to).length;
  return {
    exact: exactBuckets.length > 0,
    exactRows: exactBuckets.length > 0 && batch.dimensions.length === 0 && exactBuckets.every((b) => rowsIn(b) === 1),
    inExactBucket: (t: number) => exactBuckets.some((b) => t >= b.from && t < b.to),
  };
}

/** The part of a bucket inside the window: [from, to). */
interface Bucket { from: number; to: number }

/** The window's buckets; a span that covers the whole window (a total or a breakdown) is one. */
function bucketsOf(spec: SourceSpec): Bucket[] {
  if (spec.bucketMs >= spec.to - spec.from) return [{ from: spec.from, to: spec.to }];
  const buckets: Bucket[] = [];
  for (let start = floorTo(spec.from, spec.bucketMs); start < spec.to; start += spec.bucketMs) {
    buckets.push({ from: Math.max(start, spec.from), to: Math.min(start + spec.bucketMs, spec.to) });
  }
  return buckets;
}

/** Empty states, for rows beside others that bring the other kind, in one union. */
const EMPTY_USER_SET = "arrayReduce('uniqExactState', emptyArrayString())";
const EMPTY_COMBINED = "arrayReduce('uniqCombinedState', emptyArrayString())";

