/**
 * Backfills as the API speaks of them, whichever engine runs them (Temporal, or the embedded
 * runner): a request, and its status with progress in hours.
 */
import { z } from 'zod';
import { StrataError } from './errors';
import { HOUR_MS, ceilTo, floorTo, parseInstant } from './time';

export interface BackfillRequest {
  /** Hour starts, epoch ms: `from` floored, `to` ceiled; `to` is exclusive. */
  from: number;
  to: number;
  tenant?: string;
}

export type BackfillState = 'running' | 'completed' | 'failed' | 'cancelled';

export interface BackfillStatus {
  id: string;
  status: BackfillState;
  hours_total: number;
  hours_done: number;
}

/** What starts, follows and cancels backfills. */
export interface Backfills {
  start(request: BackfillRequest): Promise<string>;
  /** Undefined when there is no such backfill. */
  get(id: string): Promise<BackfillStatus | undefined>;
  /** False when there is no such backfill. */
  cancel(id: string): Promise<boolean>;
}

const MAX_HOURS = 366 * 24;

export const BACKFILL_BODY = z.object({ from: z.string(), to: z.string(), tenant: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional() }).strict();

/** Validates a request body at the edge: RFC 3339 bounds, `from` before `to`, a well-formed tenant. */
export function parseBackfillRequest(body: unknown): BackfillRequest {
  const parsed = BACKFILL_BODY.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || (issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : 'body');
    throw new StrataError('STRATA_BAD_REQUEST', `backfill body: "${field}" ${issue?.message ?? 'is invalid'}; expected {"from":"<RFC 3339>","to":"<RFC 3339>","tenant"?:"<name>"}`);
  }
  const from = floorTo(parseInstant('from', parsed.data.from), HOUR_MS);
  const to = ceilTo(parseInstant('to', parsed.data.to), HOUR_MS);
  if (to <= from) throw new StrataError('STRATA_BAD_REQUEST', '"from" must be before "to"');
  if (to - from > MAX_HOURS * HOUR_MS) throw new StrataError('STRATA_BAD_REQUEST', `a backfill covers at most ${MAX_HOURS} hours (a year); split the range`);
  return { from, to, ...(parsed.data.tenant ? { tenant: parsed.data.tenant } : {}) };
}
