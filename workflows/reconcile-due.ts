/**
 * reconcileDue: what the Schedule starts every minute. It asks which hours are due (closed and
 * never published, quiet, or dirty past the debounce) and reconciles them, two at a time.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { inLanes } from '../core/lanes';

const { dueHours, reconcileHour } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  // The activity heartbeats every 5 s: a worker that died is noticed in 30 s, not 10 minutes.
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

export async function reconcileDue(concurrency = 2): Promise<number> {
  // The schedule's own start time, not the wall clock: replays must see the same "now".
  const due = await dueHours(workflowInfo().startTime.toISOString());
  await inLanes(due, concurrency, ({ tenant, hour }) => reconcileHour(tenant, hour));
  return due.length;
}
