/**
 * The HTTP side of the stand-in: routes, response headers, gzip, and cancellation when the client
 * goes away (its query is killed in the engine, as ClickHouse cancels a query on a closed socket).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ChdbEngine } from '../../olap/chdb-engine';
import { errorReply } from './errors';
import { execute } from './execute';
import { decodedBody, parseMultipart, parseRequest, readAll } from './request';

const gzipAsync = promisify(gzip);

export interface StandinOptions {
  engine: ChdbEngine;
  /** Where insert bodies are spooled before the engine reads them. */
  tmpDir: string;
  /** Names from system.settings: URL parameters among them become query settings. */
  knownSettings: ReadonlySet<string>;
  log: (line: string) => void;
}

export function createStandinServer(options: StandinOptions): Server {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((err: unknown) => {
      options.log(`internal error: ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  // Long inserts and queries are bounded by max_execution_time, not by the HTTP server.
  server.requestTimeout = 0;
  return server;
}

async function handle(o: StandinOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const method = req.method ?? 'GET';
  if (url.pathname === '/ping' || (url.pathname === '/' && method !== 'POST' && !url.searchParams.has('query'))) {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8' }).end('Ok.\n');
    return;
  }
  if (url.pathname !== '/' || (method !== 'GET' && method !== 'POST')) {
    req.resume();
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' })
      .end(`There is no handle ${url.pathname} for ${method}\n\nUse / or /ping for health checks.\n`);
    return;
  }
  const cancel = new AbortController();
  res.on('close', () => { if (!res.writableFinished) cancel.abort(); });
  let queryId: string | undefined;
  try {
    let entries: Array<[string, string]> = [...url.searchParams];
    let body = method === 'POST' ? decodedBody(req) : undefined;
    const contentType = req.headers['content-type'] ?? '';
    if (body && contentType.startsWith('multipart/form-data')) {
      entries = [...entries, ...parseMultipart(await readAll(body), contentType)];
      body = undefined;
    }
    const parsed = parseRequest(method, entries, req.headers, o.knownSettings);
    queryId = parsed.queryId;
    if (parsed.ignored.length > 0) o.log(`query ${queryId}: ignoring unknown parameters ${parsed.ignored.join(', ')}`);
    const outcome = await execute({ engine: o.engine, tmpDir: o.tmpDir }, parsed, body, cancel.signal);
    const payload = parsed.gzipResponse && outcome.body.length > 0 ? await gzipAsync(outcome.body) : outcome.body;
    res.writeHead(200, {
      'Content-Type': contentTypeOf(outcome.format),
      'X-ClickHouse-Query-Id': queryId,
      'X-ClickHouse-Format': outcome.format,
      'X-ClickHouse-Summary': JSON.stringify(outcome.summary),
      ...(payload !== outcome.body ? { 'Content-Encoding': 'gzip' } : {}),
      'Content-Length': payload.length,
    });
    res.end(payload);
  } catch (err) {
    if (cancel.signal.aborted) return; // nobody is listening any more
    req.resume(); // discard an unread body, so the keep-alive connection stays usable
    const reply = errorReply(err);
    res.writeHead(reply.status, {
      'Content-Type': 'text/plain; charset=UTF-8',
      'X-ClickHouse-Exception-Code': String(reply.code),
      ...(queryId ? { 'X-ClickHouse-Query-Id': queryId } : {}),
    });
    res.end(reply.body);
  }
}

function contentTypeOf(format: string): string {
  if (/^(JSON|NDJSON)/i.test(format)) return 'application/json; charset=UTF-8';
  if (/^(TabSeparated|TSV)/i.test(format)) return 'text/tab-separated-values; charset=UTF-8';
  if (/^CSV/i.test(format)) return 'text/csv; charset=UTF-8; header=absent';
  if (/^(Pretty|Vertical|Markdown|Values)/i.test(format)) return 'text/plain; charset=UTF-8';
  return 'application/octet-stream';
}
