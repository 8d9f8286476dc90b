/**
 * The OLAP store of the embedded mode: the ClickHouse engine in-process through chdb. The data
 * directory is locked to this process; commands against a running system go through its API.
 */
import { openChdbEngine, type ChdbEngine } from './chdb-engine';
import { toOlapError } from './errors';
import type { OlapStore, QueryOptions } from './olap';
import { assertPlainName, formatParamText, quoteIdentifier, quoteString } from './sql';

export interface ChdbStoreOptions {
  /** The data directory. chdb binds one per process; a second store must use the same one. */
  path: string;
  /** Created if missing. */
  database: string;
  /** Queries running at once. @default libuv pool size − 1 */
  maxConcurrent?: number;
}

/** What the interface promises for JSONEachRow: 64-bit integers as strings, as the server did. */
const SETTINGS = { output_format_json_quote_64bit_integers: '1' } as const;

export async function createChdbStore(options: ChdbStoreOptions): Promise<OlapStore> {
  const { database } = options;
  // The raw insert path takes `db.table` unquoted.
  assertPlainName('Database', database);
  const engine = openChdbEngine(options.path, options.maxConcurrent === undefined ? {} : { maxConcurrent: options.maxConcurrent });
  try {
    await engine.run(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)}`);
  } catch (err) {
    await engine.release();
    throw err;
  }
  return chdbStore(engine, database);
}

function chdbStore(engine: ChdbEngine, database: string): OlapStore {
  const run = (sql: string, o: QueryOptions = {}) => engine.run(sql, {
    database,
    settings: SETTINGS,
    format: 'JSONEachRow',
    ...(o.params ? { params: Object.fromEntries(Object.entries(o.params).map(([k, v]) => [k, formatParamText(v)])) } : {}),
    ...(o.timeoutMs !== undefined && o.timeoutMs > 0 ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  }).catch((err: unknown) => { throw toOlapError(err); });
  return {
    database,
    async exec(sql, o) {
      await run(sql, o);
    },
    async query<T>(sql: string, o?: QueryOptions): Promise<T[]> {
      const text = (await run(sql, o)).text();
      const rows: T[] = [];
      for (const line of text.split('\n')) if (line) rows.push(JSON.parse(line) as T);
      return rows;
    },
    async insert(table, rows) {
      if (rows.length === 0) return;
      assertPlainName('Table', table);
      const payload = Buffer.from(`${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
      await engine.insertRows(`${database}.${table}`, payload, 'JSONEachRow').catch((err: unknown) => { throw toOlapError(err); });
    },
    async insertRows(table, body, format, columns) {
      if (body.length === 0) return;
      assertPlainName('Table', table);
      await engine.insertRows(`${database}.${table}`, body, format, columns).catch((err: unknown) => { throw toOlapError(err); });
    },
    async insertParquet(table, file) {
      await run(`INSERT INTO ${quoteIdentifier(database)}.${quoteIdentifier(table)} SELECT * FROM file(${quoteString(file)}, Parquet)`);
    },
    table: (name) => `${quoteIdentifier(database)}.${quoteIdentifier(name)}`,
    close: () => engine.release(),
  };
}
