/**
 * The OLAP store: the ClickHouse engine, in-process through chdb (chdb.ts) or a server through
 * @clickhouse/client (clickhouse-http.ts). Both speak the same SQL.
 */
export type QueryParams = Record<string, string | number | boolean | null | readonly (string | number)[]>;

export interface QueryOptions {
  /** Server-side parameters, referenced in SQL as {name:Type}. */
  params?: QueryParams;
  /** Cancels the query; the rejection is an AbortError. */
  signal?: AbortSignal;
  /** Upper bound in milliseconds, enforced by the engine (max_execution_time). */
  timeoutMs?: number;
}

export type RowFormat = 'JSONEachRow' | 'JSONCompactEachRow';

export interface OlapStore {
  /** The database every table lives in; created by the adapter if missing. */
  readonly database: string;
  /** Runs a statement that returns no rows (DDL, INSERT … SELECT, ALTER). */
  exec(sql: string, options?: QueryOptions): Promise<void>;
  /** Runs a SELECT and returns its rows as objects (JSONEachRow semantics: 64-bit ints are strings). */
  query<T = Record<string, unknown>>(sql: string, options?: QueryOptions): Promise<T[]>;
  /** Inserts rows in one batch. */
  insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void>;
  /**
   * Inserts rows already serialised, one per line, as they are: for a producer that builds the
   * bytes on another thread, so nothing is parsed or re-encoded here. JSONCompactEachRow (arrays
   * in the table's column order) parses about twice as fast as JSONEachRow (objects).
   */
  insertRows(table: string, body: Buffer, format: RowFormat, columns?: readonly string[]): Promise<void>;
  /**
   * Inserts a local Parquet file's rows (columns matched by name) into a table: read in place by
   * the engine in-process, streamed as the request body to a server.
   */
  insertParquet(table: string, file: string): Promise<void>;
  /** `db`.`table`, quoted for SQL. */
  table(name: string): string;
  close(): Promise<void>;
}
