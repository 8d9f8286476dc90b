/**
 * How each target engine spells what the compiler writes: `rollups` compile to ClickHouse,
 * `events` to DuckDB. Every identifier here comes from the schema; values arrive as parameter
 * names only.
 */
import { BUILT_IN_DIMENSIONS } from '../dimensions';
import type { AggregateFn } from './ir';
import type { BucketUnit } from './schema';

/** How a parameter is used: it decides the type it is bound as. */
export type ParamType = 'string' | 'number' | 'time' | 'count';

export interface Dialect {
  /** A parameter by name; `time` ones carry epoch milliseconds and read as a time. */
  param(name: string, type: ParamType): string;
  /** A column of the table, `tenant` included. */
  column(name: string): string;
  /** A key of the events' properties, given the parameter SQL holding its JSON path. */
  property(path: string): string;
  bucket(unit: BucketUnit, arg: string): string;
  aggregate(fn: AggregateFn, arg: string | undefined): string;
}

/**
 * ClickHouse over the rollups source (`minute`, `tenant`, the dimensions, events, sessions,
 * revenue, users). Parameters are `{name:Type}`, bound server-side; times go as Int64 ms, so that
 * no precision is lost and no time zone is assumed.
 */
export const clickhouse: Dialect = {
  param: (name, type) => {
    switch (type) {
      case 'string': return `{${name}:String}`;
      case 'number': return `{${name}:Float64}`;
      case 'time': return `fromUnixTimestamp64Milli({${name}:Int64}, 'UTC')`;
      case 'count': return `{${name}:UInt32}`;
    }
  },
  column: (name) => (name === 'time' ? 'minute' : name),
  property: () => {
    throw new Error('rollups have no properties');
  },
  bucket: (unit, arg) => {
    switch (unit) {
      case 'minute': return `toStartOfMinute(${arg})`;
      case 'hour': return `toStartOfHour(${arg})`;
      case 'day': return `toStartOfDay(${arg})`;
      // toMonday and toStartOfMonth give a Date; the column's type stays a UTC time.
      case 'week': return `toDateTime(toMonday(${arg}), 'UTC')`;
      case 'month': return `toDateTime(toStartOfMonth(${arg}), 'UTC')`;
    }
  },
  aggregate: (fn, arg) => {
    switch (fn) {
      case 'count': return 'count()';
      case 'countDistinct': return `count(DISTINCT ${arg})`;
      // Rollup rows carry uniqCombined states; merging them is the only meaningful read.
      case 'uniq': return `uniqCombinedMerge(${arg})`;
      default: return `${fn}(${arg})`;
    }
  },
};

/** `event` is a column of the archive's own; the other dimensions live in the struct `dims`. */
const DIMS_STRUCT = new Set<string>(BUILT_IN_DIMENSIONS.filter((d) => d !== 'event'));

/**
 * DuckDB over the archive's columns. Parameters are named (`$q_0`), which @duckdb/node-api binds
 * from an object; each is cast, so that the SQL does not depend on the types the binding infers
 * from JavaScript values.
 */
export const duckdb: Dialect = {
  param: (name, type) => {
    switch (type) {
      case 'string': return `CAST($${name} AS VARCHAR)`;
      case 'number': return `CAST($${name} AS DOUBLE)`;
      case 'time': return `epoch_ms(CAST($${name} AS BIGINT))`;
      case 'count': return `CAST($${name} AS BIGINT)`;
    }
  },
  column: (name) => (DIMS_STRUCT.has(name) ? `"dims"."${name}"` : `"${name}"`),
  property: (path) => `json_extract_string("properties", ${path})`,
  bucket: (unit, arg) => `date_trunc('${unit}', ${arg})`,
  aggregate: (fn, arg) => {
    switch (fn) {
      case 'count': return 'count(*)';
      case 'countDistinct': return `count(DISTINCT ${arg})`;
      case 'uniq': throw new Error('events have no uniq()');
      default: return `${fn}(${arg})`;
    }
  },
};
