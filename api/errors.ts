/**
 * The one place that maps error codes to HTTP statuses and writes the error envelope
 * `{"error":{"code","message",…details}}`.
 */
import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { ERROR_CODES, StrataError } from '../core/errors';

/** Writes a JSON reply with plain node:http, so the fast paths and express share it. */
export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  writeJsonText(res, status, JSON.stringify(body));
}

/**
 * Writes JSON already serialised (a cached answer), with any further headers. A string body goes
 * out in one write with the headers; a Buffer would take a second.
 */
export function writeJsonText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

export function sendError(res: ServerResponse, error: StrataError): void {
  const status = ERROR_CODES[error.code];
  if (status === 503) res.setHeader('Retry-After', '1');
  // The rest of an oversized body is not read; closing stops the client from sending it.
  if (status === 413) res.setHeader('Connection', 'close');
  if (status === 429 && error.details?.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(error.details.retryAfterSeconds));
  const { retryAfterSeconds: _ignored, ...details } = error.details ?? {};
  writeJson(res, status, { error: { code: error.code, message: error.message, ...details } });
}

/** Maps anything a handler threw to the envelope; unknown errors become a logged 500. */
export function sendFailure(res: ServerResponse, err: unknown, logger: Logger): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  if ((err as NodeJS.ErrnoException).code === 'ECONNRESET') {
    // The client went away mid-request: nobody is left to answer, and nothing was accepted.
    logger.debug({ err }, 'client aborted the request');
    res.destroy();
    return;
  }
  if (err instanceof StrataError) return sendError(res, err);
  // The router rejects a path parameter that is not valid percent-encoding before any handler runs.
  if (err instanceof URIError && (err as { status?: unknown }).status === 400) {
    return sendError(res, new StrataError('STRATA_BAD_REQUEST', `the path is not valid percent-encoding: ${err.message}`));
  }
  logger.error({ err }, 'unhandled error');
  sendError(res, new StrataError('STRATA_INTERNAL', 'internal error; the server log has details'));
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  // Four parameters: express recognises error handlers by their arity.
  return (err: unknown, _req, res, _next) => sendFailure(res, err, logger);
}
