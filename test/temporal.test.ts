/**
 * Temporal smoke test: a workflow with one activity runs on the real dev server, on this run's own
 * task queue.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../activities';
import { WORKFLOWS_PATH } from '../infra/temporal/worker';
import { recordHistory } from './support/histories';

const { temporalAddress } = inject('services');
let connection: Connection;
let client: Client;

beforeAll(async () => {
  connection = await Connection.connect({ address: temporalAddress });
  client = new Client({ connection });
});

afterAll(async () => {
  await connection?.close();
});

describe('temporal', () => {
  it('runs a workflow with one activity on the dev server', async () => {
    const taskQueue = `smoke-${randomBytes(4).toString('hex')}`;
    const workerConnection = await NativeConnection.connect({ address: temporalAddress });
    try {
      const worker = await Worker.create({
        connection: workerConnection,
        taskQueue,
        workflowsPath: WORKFLOWS_PATH,
        activities: createActivities({ hostname: 'test-host' }),
      });
      const result = await worker.runUntil(
        client.workflow.execute('smoke', { taskQueue, workflowId: `smoke-${taskQueue}`, args: ['strata'] }),
      );
      expect(result).toBe('hello, strata, from test-host');
      const history = await client.workflow.getHandle(`smoke-${taskQueue}`).fetchHistory();
      const types = history.events?.map((e) => e.eventType) ?? [];
      expect(types.length).toBeGreaterThan(5);
      await recordHistory(client, temporalAddress, `smoke-${taskQueue}`, 'smoke.json');
    } finally {
      await workerConnection.close();
    }
  });
});
