/**
 * OLAP failures as the contract's statuses: an engine that cannot be reached is a 503 with
 * Retry-After, so clients retry instead of reporting a server bug.
 */
import { StrataError } from '../core/errors';
import { OlapQueryError } from '../infra/olap/errors';

/** The contract's bound on one query; the engine cancels past it. */
export const QUERY_TIMEOUT_MS = 30_000;

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

export function asOlapUnavailable(err: unknown): unknown {
  if (err instanceof StrataError) return err;
  if (CONNECTION_CODES.has(String((err as NodeJS.ErrnoException | undefined)?.code))) {
    return new StrataError('STRATA_UNAVAILABLE', 'the OLAP store is unreachable; retry shortly');
  }
  return err;
}

/**
 * What a query's failure means to its client: past the time bound a 504 (the engine cancelled it);
 * an engine that cannot be reached a 503; an engine's refusal of a query it was given stays an
 * OlapQueryError (a 500: the planner or compiler wrote SQL the engine rejects, a bug of ours).
 */
export function asServingError(err: unknown, timeoutMs: number): unknown {
  if (err instanceof OlapQueryError && err.type === 'TIMEOUT_EXCEEDED') {
    return new StrataError('STRATA_QUERY_TIMEOUT', `the query ran past ${timeoutMs / 1000} s and was cancelled; ask for a shorter window or a coarser granularity`);
  }
  if (err instanceof OlapQueryError) return err;
  return asOlapUnavailable(err);
}
