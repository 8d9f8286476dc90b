/**
 * The backfill workflow on the real Temporal dev server, over archive files in chdb and a local
 * object store: started by the client and by the `temporal` CLI (the data engineer's path), its
 * progress watched through the query, and a second one cancelled midway.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../activities';
import type { NormalizedEvent } from '../core/event';
import { HOUR_MS } from '../core/time';
import { createFsObjectStore } from '../infra/objectstore/fs';
import type { ObjectStore } from '../infra/objectstore/objectstore';
import { createChdbStore } from '../infra/olap/chdb';
import type { OlapStore } from '../infra/olap/olap';
import { ensureRollupSchema } from '../infra/olap/schema';
import { temporalBinary } from '../infra/services/temporal';
import { WORKFLOWS_PATH } from '../infra/temporal/worker';
import { createSequence, ensureManifestSchema } from '../stream/archive/manifest';
import { type ParquetWriter, createParquetWriter } from '../stream/archive/parquet-writer';
import type { BackfillProgress } from '../workflows/backfill';
import { archiveEvents } from './support/archive';
import { recordHistory } from './support/histories';

const { temporalAddress } = inject('services');
const run = randomBytes(4).toString('hex');
const taskQueue = `backfill-${run}`;
const tenant = `bf${run}`;
const dir = mkdtempSync(join(tmpdir(), 'strata-backfill-'));
const start = Date.parse('2026-11-20T00:00:00Z');
let olap: OlapStore;
let objects: ObjectStore;
let writer: ParquetWriter;
let connection: Connection;
let client: Client;
let worker: Worker;
let workerConnection: NativeConnection;
let running: Promise<void>;

beforeAll(async () => {
  olap = await createChdbStore({ path: join(dir, 'olap'), database: `backfill_${run}` });
  await ensureRollupSchema(olap);
  await ensureManifestSchema(olap);
  objects = createFsObjectStore({ root: join(dir, 'objects') });
  writer = await createParquetWriter({ objects, tmpDir: join(dir, 'tmp') });
  // Three busy hours at the start of the day, with duplicates: 30 events, 10 an hour, 5 copied.
  const events: NormalizedEvent[] = Array.from({ length: 30 }, (_, i) => ({
    event_id: `e${i}`, event: 'page_view', timestamp: start + Math.floor(i / 10) * HOUR_MS + i * 1000, tenant,
    user_id: `u${i % 4}`, received_at: start + 4 * HOUR_MS, sample_weight: 1, properties: { country: 'SE' },
  }));
  await archiveEvents({ olap, writer, seq: createSequence() }, events, 0, 0);
  await archiveEvents({ olap, writer, seq: createSequence() }, events.slice(0, 5), 1, 0);

  connection = await Connection.connect({ address: temporalAddress });
  client = new Client({ connection });
  workerConnection = await NativeConnection.connect({ address: temporalAddress });
  worker = await Worker.create({
    connection: workerConnection, taskQueue, workflowsPath: WORKFLOWS_PATH,
    activities: createActivities({ hostname: 'test', reconcile: { olap, objects, workDir: join(dir, 'work') } }),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await workerConnection?.close();
  await connection?.close();
  await writer?.close();
  await olap?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Polls the progress query until the workflow ends; returns every answer seen. */
async function watch(workflowId: string): Promise<BackfillProgress[]> {
  const handle = client.workflow.getHandle(workflowId);
  const seen: BackfillProgress[] = [];
  for (;;) {
    const status = (await handle.describe()).status.name;
    if (status !== 'RUNNING') break;
    seen.push(await handle.query<BackfillProgress>('progress').catch(() => seen.at(-1) ?? { hours_total: 0, hours_done: 0 }));
    await new Promise((r) => setTimeout(r, 100));
  }
  return seen;
}

const execFileAsync = promisify(execFile);

describe('backfill on Temporal', () => {
  it('runs 24 hours started with `temporal workflow start`, its progress never going backwards, ending at 24 of 24', async () => {
    const workflowId = `backfill-cli-${run}`;
    const input = JSON.stringify({ from: new Date(start).toISOString(), to: new Date(start + 24 * HOUR_MS).toISOString(), tenant });
    await execFileAsync(temporalBinary(), ['workflow', 'start', '--address', temporalAddress, '--type', 'backfill', '--task-queue', taskQueue, '--workflow-id', workflowId, '--input', input]);
    const seen = await watch(workflowId);
    const result = await client.workflow.getHandle(workflowId).result() as BackfillProgress;
    expect(result).toEqual({ hours_total: 24, hours_done: 24 });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.hours_done).toBeGreaterThanOrEqual(seen[i - 1]!.hours_done);
    // Every hour is published, the quiet ones as empty; the busy ones hold each event once.
    const state = await olap.query<{ hours: string; events: string }>(
      `SELECT toString(uniqExact(hour)) AS hours, toString(sum(events)) AS events FROM ${olap.table('reconcile_state')} WHERE tenant = {t:String}`, { params: { t: tenant } });
    expect(state).toEqual([{ hours: '24', events: '30' }]);
    const served = await olap.query<{ events: number }>(
      `SELECT sum(events) AS events FROM ${olap.table('rollup_batch_geo_device')} WHERE tenant = {t:String} AND granularity = '1h'`, { params: { t: tenant } });
    expect(served).toEqual([{ events: 30 }]);

    await recordHistory(client, temporalAddress, workflowId, 'backfill.json');
    await recordHistory(client, temporalAddress, `reconcile-${tenant}-${new Date(start).toISOString()}`, 'reconcile-hour.json');
    // The backfill then built the day, all 24 hours being published.
    const day = await olap.query<{ events: string }>(
      `SELECT toString(events) AS events FROM ${olap.table('reconcile_day_state')} WHERE tenant = {t:String} AND day = toDateTime({d:UInt32}, 'UTC')`,
      { params: { t: tenant, d: start / 1000 } });
    expect(day).toEqual([{ events: '30' }]);
  }, 180_000);

  it('runs a second reconcile of an hour only after the open one ends (one workflow id per hour)', async () => {
    const hour = new Date(start + HOUR_MS).toISOString();
    // A run of the hour is open: started by hand under the id every reconcile of that hour uses.
    const open = await client.workflow.start('reconcileHourWorkflow', { taskQueue: `${taskQueue}-paused`, workflowId: `reconcile-${tenant}-${hour}`, args: [tenant, hour] });
    const backfill = await client.workflow.start('backfill', {
      taskQueue, workflowId: `backfill-wait-${run}`, args: [{ from: hour, to: new Date(start + 2 * HOUR_MS).toISOString(), tenant }],
    });
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await backfill.query<BackfillProgress>('progress')).hours_done).toBe(0);
    // No worker polls the paused queue: the open run ends when it is terminated, then the backfill's own runs.
    await open.terminate('test: the open run ends');
    expect(await backfill.result()).toEqual({ hours_total: 1, hours_done: 1 });
  }, 120_000);

  it('reconciles due hours and builds due days when the schedule starts reconcileDue', async () => {
    const workflowId = `reconcile-due-${run}`;
    const reconciled = await client.workflow.execute('reconcileDue', { taskQueue, workflowId, args: [] }) as number;
    // Every closed hour from the tenant's first on is due (quiet ones published as empty), 100 a run.
    expect(reconciled).toBe(100);
    const days = await olap.query<{ n: string }>(
      `SELECT toString(uniqExact(day)) AS n FROM ${olap.table('reconcile_day_state')} WHERE tenant = {t:String}`, { params: { t: tenant } });
    // 2026-11-20 from the first test's backfill; then 2026-11-21 to 24 from these 100 hours.
    expect(days).toEqual([{ n: '5' }]);
    await recordHistory(client, temporalAddress, workflowId, 'reconcile-due.json');
    // 100 hours and 4 days, beside the other fork's tests (a browser and a server, say) on 2 cores.
  }, 420_000);

  it('ends a backfill cancelled midway as cancelled', async () => {
    const workflowId = `backfill-cancel-${run}`;
    const handle = await client.workflow.start('backfill', {
      taskQueue, workflowId,
      args: [{ from: new Date(start).toISOString(), to: new Date(start + 48 * HOUR_MS).toISOString(), tenant, concurrency: 1 }],
    });
    for (;;) {
      const progress = await handle.query<BackfillProgress>('progress');
      if (progress.hours_done >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    const progress = await handle.query<BackfillProgress>('progress');
    expect(progress.hours_done).toBeLessThan(48);
  }, 180_000);
});
