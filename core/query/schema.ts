/**
 * What a query may name: the two tables, their columns, and the functions. These lists are the
 * only source of identifiers in the SQL the compiler writes; nothing a user typed is copied there.
 */
import { BUILT_IN_DIMENSIONS, type Dimension } from '../dimensions';

export type ValueType = 'string' | 'number' | 'time';

export const TABLES = ['rollups', 'events'] as const;
export type Table = (typeof TABLES)[number];

/**
 * How a column may be used.
 * - `time`: the table's time column; its top-level bounds in WHERE make the query's window.
 * - `attribute`: anything selectable, groupable and filterable as is.
 * - `measure`: a rollup row's partial sum, only meaningful summed: `sum(events)`.
 * - `state`: a rollup row's distinct-user state, only meaningful merged: `uniq(users)`.
 * - `json`: the events' properties, read one key at a time: `properties.plan`.
 */
export type ColumnRole = 'time' | 'attribute' | 'measure' | 'state' | 'json';

export interface ColumnDef {
  name: string;
  type: ValueType;
  role: ColumnRole;
  /** Set on the columns that are dimensions. */
  dimension?: Dimension;
}

const dimensionColumns = (except: readonly string[]): ColumnDef[] => BUILT_IN_DIMENSIONS
  .filter((d) => !except.includes(d))
  .map((d) => ({ name: d, type: 'string', role: 'attribute', dimension: d }));

/** The merged layers, one row per (minute, dimension values) and layer part. */
const ROLLUP_COLUMNS: readonly ColumnDef[] = [
  { name: 'time', type: 'time', role: 'time' },
  ...dimensionColumns([]),
  { name: 'events', type: 'number', role: 'measure' },
  { name: 'sessions', type: 'number', role: 'measure' },
  { name: 'revenue', type: 'number', role: 'measure' },
  { name: 'users', type: 'number', role: 'state' },
];

/**
 * The archive (core/archive.ts), minus the columns that only place a row in the log. `event` is
 * the archive's own column (the name as sent); the other dimensions are read from `dims`, as
 * decided at ingest.
 */
const EVENT_COLUMNS: readonly ColumnDef[] = [
  { name: 'event_id', type: 'string', role: 'attribute' },
  { name: 'event', type: 'string', role: 'attribute', dimension: 'event' },
  { name: 'timestamp', type: 'time', role: 'time' },
  { name: 'received_at', type: 'time', role: 'attribute' },
  { name: 'user_id', type: 'string', role: 'attribute' },
  { name: 'revenue', type: 'number', role: 'attribute' },
  { name: 'sample_weight', type: 'number', role: 'attribute' },
  ...dimensionColumns(['event']),
  { name: 'properties', type: 'string', role: 'json' },
];

export const TABLE_COLUMNS: Record<Table, readonly ColumnDef[]> = { rollups: ROLLUP_COLUMNS, events: EVENT_COLUMNS };

/** The column whose bounds make a query's window. */
export const TIME_COLUMN: Record<Table, string> = { rollups: 'time', events: 'timestamp' };

export function findColumn(table: Table, name: string): ColumnDef | undefined {
  return TABLE_COLUMNS[table].find((c) => c.name === name);
}

/** Column names as the reference lists them (`properties.<name>` for the JSON column). */
export function columnNames(table: Table): string[] {
  return TABLE_COLUMNS[table].map((c) => (c.role === 'json' ? `${c.name}.<name>` : c.name));
}

/** The aggregates each table allows, as error messages list them. */
export const AGGREGATES: Record<Table, readonly string[]> = {
  rollups: ['sum', 'uniq', 'min', 'max'],
  events: ['count', 'count(DISTINCT …)', 'sum', 'avg', 'min', 'max'],
};

export type BucketUnit = 'minute' | 'hour' | 'day' | 'week' | 'month';
export const BUCKET_FUNCTIONS: Record<string, BucketUnit> = {
  tostartofminute: 'minute', tostartofhour: 'hour', tostartofday: 'day',
};
export const DATE_TRUNC_UNITS: readonly BucketUnit[] = ['minute', 'hour', 'day', 'week', 'month'];

/** Every function a table allows, for error messages. */
export function functionNames(table: Table): string[] {
  return [...AGGREGATES[table], 'toStartOfMinute', 'toStartOfHour', 'toStartOfDay', 'date_trunc', 'now'];
}

/**
 * JSON property names are validated identifiers, and bound as parameters besides; a property
 * whose key needs quoting cannot be queried.
 */
export const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
