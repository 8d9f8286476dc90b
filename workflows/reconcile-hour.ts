/**
 * One hour's reconciliation as a child workflow whose id names the hour, `reconcile-<tenant>-<hour>`:
 * Temporal then refuses a second run of the same hour while one is open, across every worker and
 * process, so two runs of an hour never overlap. A backfill or schedule that finds the hour busy
 * waits for that run to end, then runs its own.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { reconcileHour } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  // The activity heartbeats every 5 s: a worker that died is noticed in 30 s, not 10 minutes.
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** Reconciles one hour (RFC 3339 start) of one tenant. */
export async function reconcileHourWorkflow(tenant: string, hour: string): Promise<void> {
  await reconcileHour(tenant, hour);
}

const BUSY_RETRY = '5 seconds';

/** Runs reconcileHourWorkflow for the hour as a child, waiting out a run of the hour already open. */
export async function reconcileHourExclusively(tenant: string, hour: string): Promise<void> {
  for (;;) {
    try {
      await executeChild(reconcileHourWorkflow, { workflowId: `reconcile-${tenant}-${hour}`, args: [tenant, hour] });
      return;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      await sleep(BUSY_RETRY);
    }
  }
}
