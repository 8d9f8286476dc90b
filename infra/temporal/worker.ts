/**
 * Runs a Temporal worker for the workflows in workflows/ and the activities from createActivities.
 */
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Client, Connection, ScheduleAlreadyRunning } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from '../../activities';
import type { ReconcileDeps } from '../../activities/reconcile/reconcile-hour';

export interface WorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  logger: Logger;
  /** The stores reconciliation uses; without them the worker runs the smoke workflow only. */
  reconcile?: ReconcileDeps;
}

export interface StrataWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

export async function startWorker(options: WorkerOptions): Promise<StrataWorker> {
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities: createActivities({ hostname: hostname(), ...(options.reconcile ? { reconcile: options.reconcile } : {}) }),
  });
  const running = worker.run();
  options.logger.info({ taskQueue: options.taskQueue, address: options.address }, 'temporal worker running');
  if (options.reconcile) await ensureReconcileSchedule(options);
  return {
    worker,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/** The Schedule that reconciles due hours every minute (overlapping runs are skipped). Created once; a restart finds it. */
async function ensureReconcileSchedule(options: WorkerOptions): Promise<void> {
  const connection = await Connection.connect({ address: options.address });
  try {
    const client = new Client({ connection, namespace: options.namespace });
    await client.schedule.create({
      scheduleId: `strata-reconcile-${options.taskQueue}`,
      spec: { intervals: [{ every: '1 minute' }] },
      action: { type: 'startWorkflow', workflowType: 'reconcileDue', taskQueue: options.taskQueue },
    }).catch((err: unknown) => {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    });
  } finally {
    await connection.close();
  }
}
