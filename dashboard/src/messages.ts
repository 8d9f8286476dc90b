/** What a failed request tells the user, and what to do about it. */
import { ApiError } from './api';

/** What a failed request tells the user to do. */
export function explain(err: unknown): string {
  if (!(err instanceof ApiError)) return `Something went wrong: ${String(err)}`;
  if (err.code === 'STRATA_TOO_MANY_POINTS') return `${err.message} Choose a coarser granularity or a shorter range.`;
  if (err.status === 503 || err.status === 0) return `${err.message} Retrying with the next refresh; check that the server is up.`;
  return err.message;
}
