/**
 * The day step that follows hourly reconciliation: reconcileDay for each given (tenant, day), which
 * publishes the day only if all 24 of its hours are published.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { inLanes } from '../core/lanes';

const { reconcileDay } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

export async function reconcileDays(days: readonly { tenant: string; day: string }[], concurrency: number): Promise<void> {
  await inLanes(days, concurrency, ({ tenant, day }) => reconcileDay(tenant, day));
}
