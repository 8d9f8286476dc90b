/**
 * The ad-hoc query language of `POST /v1/query` (docs/query-language.md): prepareQuery parses and
 * checks the text, and returns what the executor needs to build the rows to read; compileQuery
 * then writes parameterised SQL over them, ClickHouse for `rollups` and DuckDB for `events`.
 */
export { prepareQuery, type Grain, type PrepareOptions, type PreparedQuery } from './prepare';
export { compileQuery, type CompileOptions, type CompiledQuery } from './compile';
export { DEFAULT_LIMIT, MAX_LIMIT } from './check';
export { MAX_QUERY_LENGTH, MAX_NESTING } from './parser';
export { EVENTS_MAX_SPAN_MS, ROLLUPS_DEFAULT_SPAN_MS, type TimeWindow } from './window';
export type { OutputColumn } from './ir';
export type { QueryPosition } from './errors';
export { TABLE_COLUMNS, type ColumnDef, type Table, type ValueType } from './schema';
