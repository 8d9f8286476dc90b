/**
 * Reads an HTTP request the way ClickHouse's HTTP handler does: URL parameters (or multipart form
 * fields) for the query, database, formats, query_id, param_* and settings; the body, decoded by
 * Content-Encoding, as the rest of the query or as insert data.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { StandinError } from './errors';

export interface StandinRequest {
  /** SQL from the `query` parameter; the body, if any, continues it. */
  urlQuery: string | undefined;
  /** @default "default" */
  database: string | undefined;
  defaultFormat: string | undefined;
  queryId: string;
  params: Record<string, string>;
  settings: Record<string, string>;
  /** From max_execution_time: enforced by the engine, and also bounds the wait for a slot. */
  timeoutMs: number | undefined;
  /** enable_http_compression=1 and the client accepts gzip. */
  gzipResponse: boolean;
  /** Parameters that are neither known settings nor HTTP options; ignored, and logged. */
  ignored: string[];
}

/** HTTP-layer options that ClickHouse reads itself rather than passing on as query settings. */
const HTTP_OPTIONS = new Set([
  'query', 'database', 'default_format', 'query_id', 'session_id', 'session_timeout', 'session_check', 'user',
  'password', 'quota_key', 'role', 'buffer_size', 'wait_end_of_query', 'compress', 'decompress', 'stacktrace',
  'enable_http_compression', 'http_zlib_compression_level', 'send_progress_in_http_headers',
  'http_headers_progress_interval_ms', 'http_wait_end_of_query', 'add_http_cors_header', 'max_execution_time',
]);

export function parseRequest(
  method: string, entries: Iterable<[string, string]>, headers: IncomingMessage['headers'], knownSettings: ReadonlySet<string>,
): StandinRequest {
  const p = new Map<string, string>();
  const r: StandinRequest = { urlQuery: undefined, database: undefined, defaultFormat: undefined, queryId: '', params: {}, settings: {}, timeoutMs: undefined, gzipResponse: false, ignored: [] };
  for (const [key, value] of entries) {
    if (key.startsWith('param_')) r.params[key.slice('param_'.length)] = value;
    else if (HTTP_OPTIONS.has(key)) p.set(key, value);
    else if (knownSettings.has(key)) r.settings[key] = value;
    else r.ignored.push(key);
  }
  if (p.get('decompress') === '1' || p.get('compress') === '1') {
    throw new StandinError(48, 'NOT_IMPLEMENTED', "ClickHouse's native block compression (compress/decompress=1) is not supported by the stand-in; use Content-Encoding");
  }
  r.urlQuery = p.get('query');
  r.database = p.get('database') ?? header(headers, 'x-clickhouse-database');
  r.defaultFormat = p.get('default_format') ?? header(headers, 'x-clickhouse-format');
  r.queryId = p.get('query_id') || randomUUID();
  const seconds = p.get('max_execution_time');
  if (seconds !== undefined && seconds !== '') {
    const n = Number(seconds);
    if (!Number.isFinite(n) || n < 0) throw new StandinError(27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', `Cannot parse max_execution_time "${seconds}"`);
    if (n > 0) r.timeoutMs = n * 1000;
  }
  // GET is read-only in ClickHouse, so that a link or a crawler cannot change data.
  if (method === 'GET') r.settings.readonly ??= '2';
  r.gzipResponse = p.get('enable_http_compression') === '1' && /\bgzip\b/.test(header(headers, 'accept-encoding') ?? '');
  return r;
}

function header(headers: IncomingMessage['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The request body, decoded by Content-Encoding (what @clickhouse/client's request compression sends). */
export function decodedBody(req: IncomingMessage): Readable {
  const encoding = (header(req.headers, 'content-encoding') ?? 'identity').toLowerCase();
  if (encoding === 'identity' || encoding === '') return req;
  const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip()
    : encoding === 'deflate' ? createInflate()
    : encoding === 'br' ? createBrotliDecompress()
    : undefined;
  if (!decoder) throw new StandinError(48, 'NOT_IMPLEMENTED', `Content-Encoding "${encoding}" is not supported by the stand-in (gzip, deflate, br are)`);
  req.on('error', (err) => decoder.destroy(err));
  return req.pipe(decoder);
}

/** Reads a whole (decoded) body; queries and small inline data only, so it is bounded. */
export async function readAll(body: Readable, limit = 256 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new StandinError(229, 'QUERY_IS_TOO_LARGE', `Request body is larger than ${limit} bytes; send insert data with the query in the URL`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** multipart/form-data fields (how @clickhouse/client sends large query parameters). */
export function parseMultipart(body: Buffer, contentType: string): Array<[string, string]> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker) throw new StandinError(36, 'BAD_ARGUMENTS', 'multipart/form-data without a boundary');
  const fields: Array<[string, string]> = [];
  for (const part of body.toString('utf8').split(`--${marker}`).slice(1)) {
    if (part.startsWith('--')) break;
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const name = /name="([^"]*)"/i.exec(part.slice(0, split))?.[1];
    if (name !== undefined) fields.push([name, part.slice(split + 4).replace(/\r\n$/, '')]);
  }
  return fields;
}
