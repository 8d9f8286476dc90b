/**
 * Runs an `events` query in DuckDB over the raw archive: the live files of the window's hours are
 * fetched from object storage (at most 31 days of them, which the language enforces), every event
 * once (the earliest copy, as the batch layer keeps), so it counts what reconciliation will.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ARCHIVE_COLUMNS } from '../../core/archive';
import { StrataError } from '../../core/errors';
import { type PreparedQuery, compileQuery } from '../../core/query';
import { duckList } from '../../infra/duckdb-sql';
import { fetchAll } from '../../infra/objectstore/fetch-local';
import type { ObjectStore } from '../../infra/objectstore/objectstore';
import type { OlapStore } from '../../infra/olap/olap';
import { listArchiveFilesBetween } from '../../stream/archive/manifest';
import type { QueryReply } from './reply';
import { replyRows } from './values';

export interface EventsDeps {
  olap: OlapStore;
  objects: ObjectStore;
  /** Scratch space for the fetched files. */
  workDir: string;
}

export async function runEvents(deps: EventsDeps, tenant: string, query: PreparedQuery, timeoutMs: number): Promise<QueryReply> {
  const keys = await listArchiveFilesBetween(deps.olap, tenant, query.window.from, query.window.to);
  await mkdir(deps.workDir, { recursive: true });
  const dir = await mkdtemp(join(deps.workDir, 'query-'));
  try {
    const files = (await fetchAll(deps.objects, keys, dir, 'e')).read.map((f) => f.path);
    const compiled = compileQuery(query, { tenant, source: () => eventsSource(files) });
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await instance.connect();
    // DuckDB has no statement timeout: interrupting the connection cancels the running query.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      connection.interrupt();
    }, timeoutMs);
    try {
      const reader = await connection.runAndReadAll(compiled.sql, compiled.params);
      return { columns: compiled.columns, rows: replyRows(compiled.columns, reader.getRowObjectsJS()) };
    } catch (err) {
      if (timedOut) throw new StrataError('STRATA_QUERY_TIMEOUT', `the query ran past ${timeoutMs / 1000} s and was cancelled; narrow its time range`);
      throw err;
    } finally {
      clearTimeout(timer);
      connection.closeSync();
      instance.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Each event once, the earliest copy by (received_at, partition, offset); an empty, typed relation without files. */
function eventsSource(files: string[]): string {
  if (files.length === 0) {
    return `(SELECT ${ARCHIVE_COLUMNS.map(([name, type]) => `NULL::${type} AS "${name}"`).join(', ')} WHERE false)`;
  }
  return `(SELECT * FROM read_parquet(${duckList(files)})
    QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY received_at, "partition", "offset") = 1)`;
}
