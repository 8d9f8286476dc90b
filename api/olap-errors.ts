/**
 * OLAP failures as the contract's statuses: an engine that cannot be reached is a 503 with
 * Retry-After, so clients retry instead of reporting a server bug.
 */
import { StrataError } from '../core/errors';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

export function asOlapUnavailable(err: unknown): unknown {
  if (err instanceof StrataError) return err;
  if (CONNECTION_CODES.has(String((err as NodeJS.ErrnoException | undefined)?.code))) {
    return new StrataError('STRATA_UNAVAILABLE', 'the OLAP store is unreachable; retry shortly');
  }
  return err;
}
