/**
 * Workflow histories as replay fixtures: a history must replay on today's workflow code, and with
 * STRATA_RECORD_HISTORIES=1 it is kept in infra/temporal/histories/, which replay.test.ts replays
 * in every run, so a change that breaks determinism fails without a server.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { temporalBinary } from '../../infra/services/temporal';
import { HISTORIES_DIR } from '../../infra/temporal/histories';
import { WORKFLOWS_PATH } from '../../infra/temporal/worker';

export async function recordHistory(client: Client, address: string, workflowId: string, file: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, workflowId);
  if (process.env.STRATA_RECORD_HISTORIES === '1') {
    const shown = await promisify(execFile)(temporalBinary(), ['workflow', 'show', '--address', address, '--workflow-id', workflowId, '--output', 'json']);
    writeFileSync(join(HISTORIES_DIR, file), shown.stdout);
  }
}
