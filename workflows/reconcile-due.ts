/**
 * reconcileDue: what the Schedule starts every minute. It asks which hours are due (closed and
 * never published, quiet, or dirty past the debounce) and reconciles them, two at a time; then
 * which days are due (all 24 hours published, and no day build from those versions) and builds them.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { inLanes } from '../core/lanes';
import { reconcileDays } from './reconcile-days';
import { reconcileHourExclusively } from './reconcile-hour';

const { dueHours, dueDays } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

export async function reconcileDue(concurrency = 2): Promise<number> {
  // The schedule's own start time, not the wall clock: replays must see the same "now".
  const now = workflowInfo().startTime.toISOString();
  const due = await dueHours(now);
  await inLanes(due, concurrency, ({ tenant, hour }) => reconcileHourExclusively(tenant, hour));
  await reconcileDays(await dueDays(), concurrency);
  return due.length;
}
