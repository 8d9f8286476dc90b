/**
 * Backfills on Temporal: each one is a `backfill` workflow whose id is the backfill's id, so the
 * API, the Temporal UI and `temporal workflow …` all name the same thing.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { BackfillState, Backfills } from '../../core/backfill';

export interface TemporalBackfillOptions {
  address: string;
  namespace: string;
  taskQueue: string;
}

interface Progress { hours_total: number; hours_done: number }

const STATES: Record<string, BackfillState> = {
  RUNNING: 'running', CONTINUED_AS_NEW: 'running', COMPLETED: 'completed', CANCELLED: 'cancelled',
  FAILED: 'failed', TERMINATED: 'failed', TIMED_OUT: 'failed',
};

export async function createTemporalBackfills(options: TemporalBackfillOptions): Promise<Backfills & { close(): Promise<void> }> {
  const connection = await Connection.connect({ address: options.address });
  const client = new Client({ connection, namespace: options.namespace });
  const notFound = (err: unknown): undefined => {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  };
  return {
    async start(request) {
      const id = `backfill-${randomUUID()}`;
      const input = { from: new Date(request.from).toISOString(), to: new Date(request.to).toISOString(), ...(request.tenant ? { tenant: request.tenant } : {}) };
      await client.workflow.start('backfill', { taskQueue: options.taskQueue, workflowId: id, args: [input] });
      return id;
    },
    async get(id) {
      const handle = client.workflow.getHandle(id);
      const description = await handle.describe().catch(notFound);
      if (!description || description.type !== 'backfill') return undefined;
      const status = STATES[description.status.name] ?? 'failed';
      // A finished workflow's result is its final progress; a running one answers the query.
      const progress = status === 'completed'
        ? await handle.result() as Progress
        : await handle.query<Progress>('progress').catch(() => ({ hours_total: 0, hours_done: 0 }));
      return { id, status, hours_total: progress.hours_total, hours_done: progress.hours_done };
    },
    async cancel(id) {
      const handle = client.workflow.getHandle(id);
      const description = await handle.describe().catch(notFound);
      if (!description || description.type !== 'backfill') return false;
      if (description.status.name === 'RUNNING') await handle.cancel();
      return true;
    },
    close: () => connection.close(),
  };
}
