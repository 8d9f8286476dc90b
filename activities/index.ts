/**
 * Temporal activities, built from their dependencies so that the embedded runner and the Temporal
 * worker call the very same functions.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { HOUR_MS } from '../core/time';
import type { OlapStore } from '../infra/olap/olap';
import { MANIFEST_TABLE } from '../stream/archive/manifest';
import { dueDays } from './reconcile/due-days';
import { dueHours } from './reconcile/due-hours';
import { type ReconcileDayResult, reconcileDay } from './reconcile/reconcile-day';
import { type ReconcileDeps, type ReconcileResult, reconcileHour } from './reconcile/reconcile-hour';

export interface ActivityDeps {
  /** Where the activity runs, reported back by the smoke workflow. */
  hostname: string;
  /** The stores reconciliation reads and writes; a worker without them runs only the smoke workflow. */
  reconcile?: ReconcileDeps;
}

export function createActivities(deps: ActivityDeps) {
  // Runs for one hour never overlap in this process: a backfill waits for the schedule's run of
  // the same hour (and the other way round), then runs its own.
  const running = new Map<string, Promise<unknown>>();
  const oneAtATime = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const previous = running.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    running.set(key, next);
    void next.finally(() => running.get(key) === next && running.delete(key)).catch(() => undefined);
    return next;
  };
  const stores = (): ReconcileDeps => {
    if (!deps.reconcile) throw ApplicationFailure.nonRetryable('this worker has no OLAP store or object store configured', 'STRATA_UNAVAILABLE');
    return deps.reconcile;
  };
  return {
    /** Answers a greeting: proves a workflow can reach an activity on this worker. */
    async greet(name: string): Promise<string> {
      return `hello, ${name}, from ${deps.hostname}`;
    },
    /** Reconciles one tenant's hour (RFC 3339 start) and publishes it. */
    async reconcileHour(tenant: string, hour: string): Promise<ReconcileResult> {
      return withHeartbeats(() => oneAtATime(`${tenant}\u0000${hour}`, () => reconcileHour(stores(), tenant, Date.parse(hour))));
    },
    /** Builds one tenant's day (RFC 3339 start) once all 24 of its hours are published. */
    async reconcileDay(tenant: string, day: string): Promise<ReconcileDayResult> {
      return withHeartbeats(() => reconcileDay(stores(), tenant, Date.parse(day)));
    },
    /** The days the schedule should build now: every hour published, no build from those versions. */
    async dueDays(): Promise<{ tenant: string; day: string }[]> {
      const due = await dueDays(stores().olap);
      return due.map((d) => ({ tenant: d.tenant, day: new Date(d.day).toISOString() }));
    },
    /** The hours the schedule should reconcile now (closed and unpublished, quiet, or dirty). */
    async dueHours(now: string): Promise<{ tenant: string; hour: string }[]> {
      const due = await dueHours(stores().olap, Date.parse(now));
      return due.map((d) => ({ tenant: d.tenant, hour: new Date(d.hour).toISOString() }));
    },
    /** Tenants with archived events in [from, to): a backfill without a tenant covers them all. */
    async archivedTenants(from: string, to: string): Promise<string[]> {
      return archivedTenants(stores().olap, Date.parse(from), Date.parse(to));
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

/**
 * Heartbeats while `work` runs, under Temporal: a worker that dies mid-activity is then noticed
 * within the heartbeat timeout, not the activity's whole time budget. Outside Temporal (the
 * embedded runner) there is no activity context, and the work just runs.
 */
async function withHeartbeats<T>(work: () => Promise<T>): Promise<T> {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    return work();
  }
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

const HEARTBEAT_MS = 5_000;

async function archivedTenants(olap: OlapStore, from: number, to: number): Promise<string[]> {
  const rows = await olap.query<{ tenant: string }>(
    `SELECT DISTINCT tenant FROM ${olap.table(MANIFEST_TABLE)}
     WHERE hour >= toDateTime({from:UInt32}, 'UTC') AND hour < toDateTime({to:UInt32}, 'UTC') ORDER BY tenant`,
    { params: { from: Math.floor(from / HOUR_MS) * 3600, to: Math.ceil(to / HOUR_MS) * 3600 } },
  );
  return rows.map((r) => r.tenant);
}
