/**
 * Small JSON request bodies for express routes (profiles, and later queries and backfills): the
 * content type is checked before a byte is read, the size is bounded, the bytes must be UTF-8, and
 * every failure leaves as the error envelope rather than express's HTML page.
 */
import { isUtf8 } from 'node:buffer';
import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import { StrataError } from '../core/errors';

/** Middleware that leaves the parsed body in `req.body` (undefined when the request has none). */
export function jsonBody(limitBytes: number): Router {
  const requireJson: RequestHandler = (req, _res, next) => {
    const [type = '', ...params] = (req.headers['content-type'] ?? '').split(';').map((p) => p.trim().toLowerCase());
    const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
    if (type !== 'application/json' || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
      throw new StrataError('STRATA_UNSUPPORTED_MEDIA_TYPE', `Content-Type "${req.headers['content-type'] ?? ''}" is not accepted: send application/json (UTF-8)`);
    }
    next();
  };
  const parse = express.json({
    limit: limitBytes,
    // Only objects and arrays; the route says which it wants.
    strict: true,
    type: () => true,
    // iconv would replace invalid bytes with U+FFFD and store them; the contract says 400.
    verify: (_req, _res, bytes) => {
      if (!isUtf8(bytes)) throw new StrataError('STRATA_INVALID_JSON', 'the request body is not valid UTF-8');
    },
  });
  const envelope: ErrorRequestHandler = (err, _req, _res, next) => next(asBodyError(err, limitBytes));
  // One router, so a route takes the three as one handler and the envelope sees only their errors.
  return Router().use(requireJson, parse, envelope);
}

/** body-parser's errors, by their `type`, as coded errors with messages a client can act on. */
function asBodyError(err: unknown, limitBytes: number): unknown {
  if (err instanceof StrataError || typeof err !== 'object' || err === null) return err;
  const { type, message } = err as { type?: unknown; message?: unknown };
  switch (type) {
    case 'entity.too.large':
      return new StrataError('STRATA_PAYLOAD_TOO_LARGE', `the request body is larger than ${limitBytes} bytes`);
    case 'entity.parse.failed':
      return new StrataError('STRATA_INVALID_JSON', `the request body is not valid JSON: ${String(message)}`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new StrataError('STRATA_UNSUPPORTED_MEDIA_TYPE', String(message));
    case 'request.aborted':
    case 'request.size.invalid':
      return new StrataError('STRATA_BAD_REQUEST', String(message));
    default:
      return err;
  }
}
