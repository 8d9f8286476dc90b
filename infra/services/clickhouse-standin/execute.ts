/**
 * Turns one parsed request into engine work: plain statements run as they are; insert data that
 * arrives as the body goes through a temporary file (binary formats such as Parquet cannot travel
 * inside SQL text); `KILL QUERY WHERE query_id = …` is answered from the engine's registry.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ChdbEngine } from '../../olap/chdb-engine';
import { formatParamText, quoteString } from '../../olap/sql';
import { StandinError } from './errors';
import { readAll, type StandinRequest } from './request';
import { analyse, type Statement } from './statement';

export interface ExecContext { engine: ChdbEngine; tmpDir: string }

export interface Outcome {
  body: Uint8Array;
  /** The output format, for X-ClickHouse-Format and Content-Type. */
  format: string;
  /** X-ClickHouse-Summary; chdb reports reads only, so written_* and result_rows stay 0. */
  summary: Record<string, string>;
}

export async function execute(ctx: ExecContext, req: StandinRequest, body: Readable | undefined, signal: AbortSignal): Promise<Outcome> {
  if (req.urlQuery !== undefined && body) {
    const st = analyse(req.urlQuery);
    if (takesBodyAsData(req.urlQuery, st)) return insertFromBody(ctx, req, st, body, signal);
  }
  // Otherwise the body continues the URL's query, as in ClickHouse (the query, or inline data).
  const rest = body ? (await readAll(body)).toString('utf8') : '';
  const sql = req.urlQuery === undefined ? rest : rest ? `${req.urlQuery}\n${rest}` : req.urlQuery;
  const st = analyse(sql);
  if (st.killQueryId) return kill(ctx, req, st.killQueryId, outputFormat(req, st));
  return run(ctx, req, sql, outputFormat(req, st), signal);
}

function outputFormat(req: StandinRequest, st: Statement): string {
  const fromSql = st.kind === 'INSERT' ? undefined : st.format?.name;
  return fromSql ?? req.defaultFormat ?? 'TabSeparated';
}

/** `INSERT … FORMAT X` with nothing after it, or `… FROM input(…) … FORMAT X`: the body is the data. */
function takesBodyAsData(sql: string, st: Statement): boolean {
  if (st.kind !== 'INSERT' || !st.format || st.dataStart === undefined) return false;
  return st.input !== undefined || sql.slice(st.dataStart).trim() === '';
}

async function insertFromBody(ctx: ExecContext, req: StandinRequest, st: Statement, body: Readable, signal: AbortSignal): Promise<Outcome> {
  const sql = req.urlQuery ?? '';
  const format = st.format;
  if (!format) throw new StandinError(62, 'SYNTAX_ERROR', 'INSERT data needs a FORMAT clause');
  const file = join(ctx.tmpDir, `${randomUUID()}.${format.name}`);
  try {
    await pipeline(body, createWriteStream(file), { signal });
    const path = quoteString(file);
    const rewritten = st.input
      // input() reads the request body on a real server; here it reads the file the body went to.
      ? `${sql.slice(0, st.input.start)}file(${path}, ${quoteString(format.name)}, ${st.input.args})${sql.slice(st.input.end, format.start)}${sql.slice(format.end)}`
      // FROM INFILE maps columns by name for Parquet, as the server does for a body.
      : `${sql.slice(0, st.settingsAt ?? format.start)}FROM INFILE ${path} ${sql.slice(st.settingsAt ?? format.start)}`;
    return await run(ctx, req, rewritten, req.defaultFormat ?? 'TabSeparated', signal);
  } finally {
    await rm(file, { force: true });
  }
}

async function run(ctx: ExecContext, req: StandinRequest, sql: string, format: string, signal: AbortSignal, exempt = false): Promise<Outcome> {
  const result = await ctx.engine.run(sql, {
    database: req.database, settings: req.settings, params: req.params, format, timeoutMs: req.timeoutMs, signal, queryId: req.queryId, exempt,
  });
  const bytes = result.bytes();
  return {
    body: bytes,
    format,
    summary: {
      read_rows: String(result.rowsRead),
      read_bytes: String(result.bytesRead),
      written_rows: '0',
      written_bytes: '0',
      total_rows_to_read: String(result.rowsRead),
      result_rows: '0',
      result_bytes: String(bytes.length),
      elapsed_ns: String(Math.round(result.elapsed * 1e9)),
    },
  };
}

/** KILL QUERY by query_id, against the ids clients gave (chdb's own ids are internal). */
async function kill(ctx: ExecContext, req: StandinRequest, target: { id: string; mode: string }, format: string): Promise<Outcome> {
  const found = target.mode === 'TEST'
    ? ctx.engine.running().find((q) => q.queryId === target.id)
    : ctx.engine.kill(target.id);
  if (found && target.mode === 'SYNC') {
    await Promise.race([ctx.engine.settled(target.id), new Promise((r) => setTimeout(r, 30_000))]);
  }
  const status = target.mode === 'SYNC' ? 'finished' : 'waiting';
  const reply = 'SELECT {status:String} AS kill_status, {id:String} AS query_id, \'default\' AS user, {query:String} AS query FROM system.one WHERE {found:UInt8}';
  const params = { status, id: formatParamText(target.id), query: formatParamText(found?.sql ?? ''), found: found ? '1' : '0' };
  // Exempt from the slot limit: a KILL must answer even when long queries hold every slot.
  return run(ctx, { ...req, params, settings: {}, timeoutMs: undefined, queryId: randomUUID() }, reply, format, new AbortController().signal, true);
}
