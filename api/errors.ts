/**
 * The one place that maps error codes to HTTP statuses and writes the error envelope
 * `{"error":{"code","message",…details}}`.
 */
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ERROR_CODES, type ErrorCode, StrataError } from '../core/errors';

export function sendError(res: Response, error: StrataError): void {
  const status = ERROR_CODES[error.code];
  if (status === 503) res.setHeader('Retry-After', '1');
  if (status === 429 && error.details?.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(error.details.retryAfterSeconds));
  const { retryAfterSeconds: _ignored, ...details } = error.details ?? {};
  res.status(status).json({ error: { code: error.code, message: error.message, ...details } });
}

export function fail(code: ErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new StrataError(code, message, details);
}

/** Turns anything thrown by a route into the envelope; unknown errors become a logged 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    if (err instanceof StrataError) return sendError(res, err);
    const bodyError = err as { type?: string; status?: number };
    if (bodyError.type === 'entity.too.large') return sendError(res, new StrataError('STRATA_PAYLOAD_TOO_LARGE', 'the request body is larger than 1 MiB'));
    if (bodyError.type === 'entity.parse.failed') return sendError(res, new StrataError('STRATA_INVALID_JSON', 'the request body is not valid JSON'));
    logger.error({ err }, 'unhandled error');
    sendError(res, new StrataError('STRATA_INTERNAL', 'internal error; the server log has details'));
  };
}
