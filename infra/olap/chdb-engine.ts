/**
 * The ClickHouse engine in-process (chdb), shared by the chdb OlapStore and the HTTP stand-in.
 *
 * What chdb 3.4 does, and why this module is shaped the way it is:
 * - One data directory per process. Sessions on the same path coexist, each with its own native
 *   connection; a different path throws. openChdbEngine refcounts the path and refuses another.
 * - One connection runs one query at a time (concurrent queryAsync calls on one Session are safe
 *   but queue natively), so every operation gets a fresh Session (< 1 ms). That also keeps `USE`,
 *   `SET` and parameter state from leaking between callers.
 * - queryBindAsync is serialised process-wide by chdb itself (a parameter-state race in libchdb),
 *   so parameters are bound with `SET param_x = '…'` on the operation's own connection instead.
 * - Aborting a queryAsync only settles the promise; the engine keeps computing. Real cancellation
 *   is `KILL QUERY` from another connection, matched on a `log_comment` marker (system.processes
 *   shows multi-statement queries re-formatted, so a comment in the SQL text does not survive).
 *   `KILL … SYNC` hangs in chdb; only ASYNC is used.
 * - Each running query holds a libuv pool thread, so at most `maxConcurrent` run at once; the rest
 *   queue. One thread stays free for KILL, fs and zlib.
 * - A query's threads default to the machine's cores, whatever else runs. Queries started beside
 *   others share the cores instead (`threadsBeside`), as a server's concurrent_threads_soft_limit
 *   would (chdb cannot set it): five dashboard panels at once on 2 cores ran 10% faster at p99.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Session, drainPending, type ChdbResult } from 'chdb';
import { createSlots, type Slots } from './chdb-slots';
import type { RowFormat } from './olap';
import { abortError, assertPlainName, quoteIdentifier, quoteString } from './sql';

export interface RunOptions {
  /** Default database for unqualified names. @default "default" */
  database?: string;
  /** Query-level settings; values are text, as on the HTTP interface. */
  settings?: Readonly<Record<string, string>>;
  /** `{name:Type}` values in ClickHouse's escaped text form (what `param_<name>` carries). */
  params?: Readonly<Record<string, string>>;
  /** Output format when the SQL has no FORMAT clause. @default "TabSeparated" */
  format?: string;
  /** Wall-clock limit: the wait for a slot plus max_execution_time for the rest. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The key kill() finds the query by; unique among running queries. @default a random UUID */
  queryId?: string;
  /** Skips the concurrency limit: for tiny internal queries (a KILL's reply) that must not queue behind long ones. */
  exempt?: boolean;
}

export interface RunningQuery { queryId: string; sql: string; startedAt: number }

export interface ChdbEngine {
  readonly path: string;
  run(sql: string, options?: RunOptions): Promise<ChdbResult>;
  /** Inserts a payload of rows through chdb's zero-copy raw insert. */
  insertRows(table: string, payload: Buffer, format: RowFormat, columns?: readonly string[]): Promise<void>;
  /** Cancels a running or queued query; the query itself then rejects with QUERY_WAS_CANCELLED. */
  kill(queryId: string): RunningQuery | undefined;
  /** Resolves once the query with this id has settled (or at once if none runs). */
  settled(queryId: string): Promise<void>;
  running(): RunningQuery[];
  /** Releases this handle; the last one closes the data directory. */
  release(): Promise<void>;
}

export interface EngineOptions {
  /** Queries running at once. @default libuv pool size − 1 (UV_THREADPOOL_SIZE, 4 by default) */
  maxConcurrent?: number;
}

const MARK = 'strata-qid:';

interface Entry extends RunningQuery { cancel(reason: 'abort' | 'kill'): void; done: Promise<void> }

interface Shared { path: string; root: Session; refs: number; slots: Slots; entries: Map<string, Entry> }
let shared: Shared | undefined;

/** Opens (or joins) the process's chdb data directory. */
export function openChdbEngine(path: string, options: EngineOptions = {}): ChdbEngine {
  const abs = resolve(path);
  if (shared && shared.path !== abs) {
    throw new Error(`chdb already has ${shared.path} open in this process; it binds one data directory per process (asked for ${abs})`);
  }
  if (!shared) {
    const pool = Number(process.env.UV_THREADPOOL_SIZE ?? 4) || 4;
    // The root session keeps the engine loaded between operations.
    shared = { path: abs, root: new Session(abs), refs: 0, slots: createSlots(options.maxConcurrent ?? Math.max(1, pool - 1)), entries: new Map() };
  }
  shared.refs++;
  return handle(shared);
}

function handle(s: Shared): ChdbEngine {
  let released = false;
  return {
    path: s.path,
    run: (sql, options = {}) => run(s, sql, options),
    async insertRows(table, payload, format, columns) {
      const release = await s.slots.acquire();
      const session = new Session(s.path);
      try {
        // Parallel parsing costs more than it saves on the batches the speed layer sends (measured
        // 1.8 µs a row without it, 2.0 with), and the other core is busy anyway.
        await session.insert({ table, values: payload, format, ...(columns ? { columns } : {}), settings: { input_format_parallel_parsing: 0 } });
      } finally {
        session.close();
        release();
      }
    },
    kill(queryId) {
      const e = s.entries.get(queryId);
      e?.cancel('kill');
      return e && { queryId: e.queryId, sql: e.sql, startedAt: e.startedAt };
    },
    settled: async (queryId) => s.entries.get(queryId)?.done,
    running: () => [...s.entries.values()].map(({ queryId, sql, startedAt }) => ({ queryId, sql, startedAt })),
    async release() {
      if (released) return;
      released = true;
      if (--s.refs > 0) return;
      for (const e of s.entries.values()) e.cancel('kill');
      shared = undefined;
      s.root.close();
      await drainPending(); // so another path can be opened right after
    },
  };
}

async function run(s: Shared, sql: string, o: RunOptions): Promise<ChdbResult> {
  const queryId = o.queryId ?? randomUUID();
  if (s.entries.has(queryId)) {
    throw new Error(`Code: 216. DB::Exception: Query with id = ${queryId} is already running. (QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING)`);
  }
  const marker = `${MARK}${randomUUID()}`;
  const deadline = o.timeoutMs === undefined ? undefined : Date.now() + o.timeoutMs;
  const stop = new AbortController();
  let killed = false;
  let started = false;
  let stopped: Promise<unknown> | undefined; // settles when the engine is done with the query
  let finish = (): void => {};
  const entry: Entry = {
    queryId, sql, startedAt: Date.now(),
    done: new Promise<void>((r) => { finish = r; }),
    cancel(reason) {
      if (stop.signal.aborted) return;
      killed = reason === 'kill';
      stop.abort();
      if (stopped) void killUntilStopped(s.path, marker, stopped);
    },
  };
  // The entry lives until the engine is really done, so a KILL … SYNC can wait for that.
  const forget = (): void => { s.entries.delete(queryId); finish(); };
  const onAbort = (): void => entry.cancel('abort');
  s.entries.set(queryId, entry);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();
  try {
    const release = o.exempt ? () => {} : await s.slots.acquire(stop.signal, deadline);
    let text: string;
    try {
      if (stop.signal.aborted) throw abortError();
      text = buildSql(sql, o, marker, deadline, threadsBeside(s.entries.size - 1));
    } catch (err) {
      release();
      throw err;
    }
    started = true;
    const session = new Session(s.path);
    const native = session.queryAsync(text, { format: o.format ?? 'TabSeparated' });
    // The slot and the connection are held until the engine has stopped, not just our promise.
    const settle = (): void => { session.close(); release(); forget(); };
    stopped = native.then(settle, settle);
    return await Promise.race([native, rejectOn(stop.signal)]);
  } catch (err) {
    if (!started) forget();
    if (killed) throw killedError(err);
    if (o.signal?.aborted) throw abortError();
    throw err;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}

const CORES = availableParallelism();

/** max_threads for a query starting while `others` are running or queued; undefined: the engine's default. */
export function threadsBeside(others: number, cores = CORES): number | undefined {
  return others <= 0 ? undefined : Math.max(1, Math.floor(cores / (others + 1)));
}

/** `USE db; SET …; <sql>`: one statement per concern, on the operation's own connection. */
function buildSql(sql: string, o: RunOptions, marker: string, deadline: number | undefined, threads: number | undefined): string {
  const assignments: string[] = [`log_comment = ${quoteString(marker)}`];
  if (threads !== undefined && o.settings?.max_threads === undefined) assignments.push(`max_threads = ${threads}`);
  for (const [name, value] of Object.entries(o.params ?? {})) {
    assertPlainName('Query parameter', name);
    assignments.push(`param_${name} = ${quoteString(value)}`);
  }
  let readonly: string | undefined;
  for (const [name, value] of Object.entries(o.settings ?? {})) {
    assertPlainName('Setting', name);
    if (name === 'log_comment') continue; // ours: the kill marker
    // readonly goes last, or it would forbid the assignments after it.
    if (name === 'readonly') readonly = value;
    else assignments.push(`${name} = ${quoteString(value)}`);
  }
  if (deadline !== undefined) {
    const seconds = Math.max(0.001, (deadline - Date.now()) / 1000);
    assignments.push(`max_execution_time = ${seconds.toFixed(3)}`);
  }
  if (readonly !== undefined) assignments.push(`readonly = ${quoteString(readonly)}`);
  const use = o.database && o.database !== 'default' ? `USE ${quoteIdentifier(o.database)};\n` : '';
  return `${use}SET ${assignments.join(', ')};\n${sql}`;
}

/**
 * KILLs the query until the engine lets go of it: a KILL that lands before the query shows up in
 * system.processes (it was only just sent) finds nothing, so it is repeated.
 */
async function killUntilStopped(path: string, marker: string, stopped: Promise<unknown>): Promise<void> {
  let done = false;
  void stopped.then(() => { done = true; });
  for (let attempt = 0; attempt < 50 && !done; attempt++) {
    const session = new Session(path);
    try {
      await session.queryAsync(`KILL QUERY WHERE Settings['log_comment'] = ${quoteString(marker)} ASYNC`);
    } catch {
      // Nothing to undo: the next round, or the query's own end, settles it.
    } finally {
      session.close();
    }
    await Promise.race([stopped, new Promise((r) => setTimeout(r, 200))]);
  }
}

function rejectOn(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(abortError()), { once: true }));
}

function killedError(err: unknown): Error {
  if (err instanceof Error && /QUERY_WAS_CANCELLED/.test(err.message)) return err;
  return new Error('Code: 394. DB::Exception: Query was cancelled. (QUERY_WAS_CANCELLED)');
}
