/**
 * backfill({from, to, tenant?}): recomputes every hour in the range, clean or not, with bounded
 * concurrency, then the days the range touches (a day is built once all 24 of its hours are
 * published). `from` is floored and `to` ceiled to the hour; `to` is exclusive. Progress, in hours,
 * is a query; cancelling the workflow (Temporal, or DELETE /v1/backfills/:id) stops it.
 */
import { defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { inLanes } from '../core/lanes';
import { reconcileDays } from './reconcile-days';
import { reconcileHourExclusively } from './reconcile-hour';

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

const { archivedTenants } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

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
    await reconcileHourExclusively(tenant, hour);
    progress.hours_done++;
  });
  const days: { tenant: string; day: string }[] = [];
  for (const tenant of tenants) {
    for (let day = Math.floor(from / DAY_MS) * DAY_MS; day < to; day += DAY_MS) days.push({ tenant, day: new Date(day).toISOString() });
  }
  await reconcileDays(days, input.concurrency ?? 2);
  return progress;
}
