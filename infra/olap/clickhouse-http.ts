/**
 * The OLAP store of the distributed mode: a ClickHouse server over HTTP through @clickhouse/client.
 * On a bare machine the server is our stand-in over chdb (infra/services/clickhouse-standin).
 */
import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { OlapQueryError } from './errors';
import type { OlapStore, QueryOptions } from './olap';
import { abortError, quoteIdentifier } from './sql';

export interface ClickhouseStoreOptions {
  /** e.g. http://127.0.0.1:8123 */
  url: string;
  /** Created if missing. */
  database: string;
  /** @default "default" */
  username?: string;
  /** @default "" */
  password?: string;
  /**
   * How long one HTTP request may take. Queries are bounded by timeoutMs on the server; this only
   * catches a server that stopped answering, so it is generous for long reconciliation inserts.
   * @default 600_000
   */
  requestTimeoutMs?: number;
}

/** What the interface promises for JSONEachRow: 64-bit integers as strings, whatever the server default. */
const SETTINGS: ClickHouseSettings = { output_format_json_quote_64bit_integers: 1 };

export async function createClickhouseStore(options: ClickhouseStoreOptions): Promise<OlapStore> {
  const { database } = options;
  const connection = {
    url: options.url,
    username: options.username ?? 'default',
    password: options.password ?? '',
    request_timeout: options.requestTimeoutMs ?? 600_000,
    // Every failure reaches the caller as a rejection; the client's own error log would say it twice.
    log: { level: ClickHouseLogLevel.OFF },
  };
  // The database must exist before a client may name it as its default.
  const admin = createClient(connection);
  try {
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)}` }).catch(errorMapper(admin)(undefined));
  } finally {
    await admin.close();
  }
  const client = createClient({ ...connection, database, clickhouse_settings: SETTINGS });
  return httpStore(client, database);
}

function httpStore(client: ClickHouseClient, database: string): OlapStore {
  const request = (sql: string, o: QueryOptions = {}) => ({
    query: sql,
    ...(o.params ? { query_params: o.params } : {}),
    ...(o.signal ? { abort_signal: o.signal } : {}),
    ...(o.timeoutMs !== undefined && o.timeoutMs > 0 ? { clickhouse_settings: { max_execution_time: o.timeoutMs / 1000 } } : {}),
  });
  const rethrow = errorMapper(client);
  return {
    database,
    async exec(sql, o) {
      if (o?.signal?.aborted) throw abortError();
      await client.command(request(sql, o)).catch(rethrow(o?.signal));
    },
    async query<T>(sql: string, o?: QueryOptions): Promise<T[]> {
      if (o?.signal?.aborted) throw abortError();
      const rs = await client.query({ ...request(sql, o), format: 'JSONEachRow' }).catch(rethrow(o?.signal));
      return rs.json<T>().catch(rethrow(o?.signal));
    },
    async insert(table, rows) {
      if (rows.length === 0) return;
      await client.insert({ table: `${quoteIdentifier(database)}.${quoteIdentifier(table)}`, values: [...rows], format: 'JSONEachRow' })
        .catch(rethrow(undefined));
    },
    async insertRows(table, body, format, columns) {
      if (body.length === 0) return;
      // exec sends the bytes as the body untouched; insert() would JSON-encode each chunk again.
      const list = columns ? ` (${columns.map(quoteIdentifier).join(', ')})` : '';
      const query = `INSERT INTO ${quoteIdentifier(database)}.${quoteIdentifier(table)}${list} FORMAT ${format}`;
      const result = await client.exec({ query, values: Readable.from([body]) }).catch(rethrow(undefined));
      // The reply must be read to the end, or its socket never returns to the pool.
      for await (const _chunk of result.stream) { /* drain */ }
    },
    async insertParquet(table, file) {
      const query = `INSERT INTO ${quoteIdentifier(database)}.${quoteIdentifier(table)} FORMAT Parquet`;
      const result = await client.exec({ query, values: createReadStream(file) }).catch(rethrow(undefined));
      for await (const _chunk of result.stream) { /* drain */ }
    },
    table: (name) => `${quoteIdentifier(database)}.${quoteIdentifier(name)}`,
    close: () => client.close(),
  };
}

/**
 * The same errors as the chdb adapter: OlapQueryError from the server, AbortError on cancel.
 * The client's parser takes the first "(ABC)" in the text for the error name, which a syntax error
 * quoting an upper-case token fools, so the name is looked up from the code (and cached).
 */
function errorMapper(client: ClickHouseClient): (signal: AbortSignal | undefined) => (err: unknown) => Promise<never> {
  const names = new Map<string, string>();
  const nameOf = async (code: string, fallback: string): Promise<string> => {
    if (!/^\d+$/.test(code)) return fallback;
    if (!names.has(code)) {
      const rs = await client.query({ query: `SELECT errorCodeToName(${code}) AS name`, format: 'JSONEachRow' }).catch(() => undefined);
      const [row] = (await rs?.json<{ name: string }>().catch(() => undefined)) ?? [];
      if (!row?.name) return fallback;
      names.set(code, row.name);
    }
    return names.get(code) ?? fallback;
  };
  return (signal) => async (err) => {
    if (signal?.aborted) throw abortError();
    if (err instanceof ClickHouseError) {
      const type = await nameOf(err.code, err.type ?? 'UNKNOWN_EXCEPTION');
      throw new OlapQueryError(Number(err.code), type, err.message.trim(), { cause: err });
    }
    throw err;
  };
}
