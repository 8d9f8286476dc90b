/**
 * backfill({from, to, tenant?}): recomputes every hour in the range, clean or not, with bounded
 * concurrency. `from` is floored and `to` ceiled to the hour; `to` is exclusive. Progress is a
 * query; cancelling the workflow (Temporal, or DELETE /v1/backfills/:id) stops it between hours.
 */
import { defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { inLanes } from '../core/lanes';

export interface BackfillInput {
  from: string;
  to: string;
  /** One tenant; every tenant with archived events in the range when absent. */
  tenant?: string;
  /** Hours reconciled at once. @default 2 */
  concurrency?: number;
}

export interface BackfillProgress {
  hours_total: number;
  hours_done: number;
}

export const progressQuery = defineQuery<BackfillProgress>('progress');

const { reconcileHour, archivedTenants } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  // The activity heartbeats every 5 s: a worker that died is noticed in 30 s, not 10 minutes.
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

const HOUR_MS = 3_600_000;

export async function backfill(input: BackfillInput): Promise<BackfillProgress> {
  const from = Math.floor(Date.parse(input.from) / HOUR_MS) * HOUR_MS;
  const to = Math.ceil(Date.parse(input.to) / HOUR_MS) * HOUR_MS;
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
    throw new Error(`backfill needs "from" before "to", as RFC 3339 times; got ${JSON.stringify({ from: input.from, to: input.to })}`);
  }
  const progress: BackfillProgress = { hours_total: 0, hours_done: 0 };
  setHandler(progressQuery, () => progress);
  const tenants = input.tenant ? [input.tenant] : await archivedTenants(new Date(from).toISOString(), new Date(to).toISOString());
  const work: [string, string][] = [];
  for (const tenant of tenants) for (let hour = from; hour < to; hour += HOUR_MS) work.push([tenant, new Date(hour).toISOString()]);
  progress.hours_total = work.length;

  // A cancellation fails the activities in flight and ends the workflow as cancelled.
  await inLanes(work, input.concurrency ?? 2, async ([tenant, hour]) => {
    await reconcileHour(tenant, hour);
    progress.hours_done++;
  });
  return progress;
}
