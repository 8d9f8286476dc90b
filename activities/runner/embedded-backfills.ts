/**
 * The embedded runner's backfills: the same reconcileHour and reconcileDay activities, run in-process with bounded
 * concurrency when no Temporal is configured. Each backfill's state lives in the OLAP store, so one
 * interrupted by a restart resumes where it stopped (at most the hours in flight run again, which
 * reconciliation makes harmless: a rerun publishes the same numbers under a newer version).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { BackfillRequest, BackfillState, BackfillStatus, Backfills } from '../../core/backfill';
import { inLanes } from '../../core/lanes';
import { withRetries } from './retry';
import { DAY_MS, HOUR_MS, floorTo } from '../../core/time';
import type { OlapStore } from '../../infra/olap/olap';
import { dateTime64Text } from '../../infra/olap/sql';

export interface EmbeddedBackfillDeps {
  olap: OlapStore;
  logger: Logger;
  reconcileHour: (tenant: string, hour: number) => Promise<unknown>;
  /** Builds a day once all 24 of its hours are published (otherwise does nothing). */
  reconcileDay: (tenant: string, day: number) => Promise<unknown>;
  /** Tenants with archived events in [from, to), for a backfill of every tenant. */
  archivedTenants: (from: number, to: number) => Promise<string[]>;
  /** @default 2 */
  concurrency?: number;
}

interface Job {
  id: string;
  from: number;
  to: number;
  tenants: string[];
  status: BackfillState;
  hoursTotal: number;
  hoursDone: number;
  /** Every work item below this index is done: where a resumed job starts. */
  resumeAt: number;
}

const TABLE = 'backfills';

export async function createEmbeddedBackfills(deps: EmbeddedBackfillDeps): Promise<Backfills & { close(): Promise<void> }> {
  const { olap, logger } = deps;
  await olap.exec(`CREATE TABLE IF NOT EXISTS ${olap.table(TABLE)} (
      id String, from_hour DateTime('UTC'), to_hour DateTime('UTC'), tenants Array(String), status LowCardinality(String),
      hours_total UInt32, hours_done UInt32, resume_at UInt32, updated_at DateTime64(3, 'UTC')
    ) ENGINE = ReplacingMergeTree(updated_at)
    ORDER BY id`);
  const jobs = new Map<string, Job>();
  const runs = new Set<Promise<void>>();
  let closing = false;

  const save = (job: Job): Promise<void> => olap.insert(TABLE, [{
    id: job.id, from_hour: job.from / 1000, to_hour: job.to / 1000, tenants: job.tenants, status: job.status,
    hours_total: job.hoursTotal, hours_done: job.hoursDone, resume_at: job.resumeAt,
    updated_at: dateTime64Text(Date.now()),
  }]);

  const run = async (job: Job): Promise<void> => {
    const work: [string, number][] = [];
    for (const tenant of job.tenants) for (let hour = job.from; hour < job.to; hour += HOUR_MS) work.push([tenant, hour]);
    const finished = new Set<number>();
    let next = job.resumeAt;
    const lane = async (): Promise<void> => {
      while (next < work.length && job.status === 'running' && !closing) {
        const index = next++;
        const [tenant, hour] = work[index] as [string, number];
        await withRetries(`reconciling ${tenant} ${new Date(hour).toISOString()}`, logger, () => deps.reconcileHour(tenant, hour));
        finished.add(index);
        while (finished.has(job.resumeAt)) finished.delete(job.resumeAt++);
        job.hoursDone++;
        await save(job);
      }
    };
    try {
      await Promise.all(Array.from({ length: deps.concurrency ?? 2 }, lane));
      // Then the days the range touches, as the backfill workflow does.
      const days: [string, number][] = [];
      for (const tenant of job.tenants) for (let day = floorTo(job.from, DAY_MS); day < job.to; day += DAY_MS) days.push([tenant, day]);
      await inLanes(days, deps.concurrency ?? 2, ([tenant, day]) => withRetries(`building ${tenant} ${new Date(day).toISOString()}`, logger, () => deps.reconcileDay(tenant, day)), () => job.status === 'running' && !closing);
      if (job.status === 'running' && !closing) job.status = 'completed';
    } catch (err) {
      logger.error({ err, backfill: job.id }, 'backfill failed');
      job.status = 'failed';
    }
    // A job interrupted by close stays `running` in the store, and resumes on the next start.
    if (!closing || job.status !== 'running') await save(job);
  };
  const launch = (job: Job): void => {
    const running = run(job).finally(() => runs.delete(running));
    runs.add(running);
  };

  // Resume what a previous process left running.
  const stored = await olap.query<{ id: string; from_hour: number; to_hour: number; tenants: string[]; status: BackfillState; hours_total: number; hours_done: number; resume_at: number }>(
    `SELECT id, toUnixTimestamp(from_hour) AS from_hour, toUnixTimestamp(to_hour) AS to_hour, tenants, status, hours_total, hours_done, resume_at
     FROM ${olap.table(TABLE)} FINAL`);
  for (const row of stored) {
    const job: Job = {
      id: row.id, from: row.from_hour * 1000, to: row.to_hour * 1000, tenants: row.tenants, status: row.status,
      hoursTotal: row.hours_total, hoursDone: row.resume_at, resumeAt: row.resume_at,
    };
    if (row.status !== 'running') job.hoursDone = row.hours_done;
    jobs.set(job.id, job);
    if (job.status === 'running') {
      logger.info({ backfill: job.id, resumeAt: job.resumeAt, hoursTotal: job.hoursTotal }, 'resuming backfill');
      launch(job);
    }
  }

  return {
    async start(request: BackfillRequest) {
      const tenants = request.tenant ? [request.tenant] : await deps.archivedTenants(request.from, request.to);
      const hoursTotal = tenants.length * ((request.to - request.from) / HOUR_MS);
      const job: Job = { id: `backfill-${randomUUID()}`, from: request.from, to: request.to, tenants, status: 'running', hoursTotal, hoursDone: 0, resumeAt: 0 };
      await save(job);
      jobs.set(job.id, job);
      launch(job);
      return job.id;
    },
    async get(id) {
      const job = jobs.get(id);
      return job && toStatus(job);
    },
    async cancel(id) {
      const job = jobs.get(id);
      if (!job) return false;
      if (job.status === 'running') {
        job.status = 'cancelled';
        await save(job);
      }
      return true;
    },
    async close() {
      closing = true;
      await Promise.all(runs);
    },
  };
}

function toStatus(job: Job): BackfillStatus {
  return { id: job.id, status: job.status, hours_total: job.hoursTotal, hours_done: job.hoursDone };
}
