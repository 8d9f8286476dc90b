/**
 * Every workflow the `strata` task queue runs. Workflows are deterministic: they import activities
 * as types only and reach them through proxyActivities.
 */
export { smoke } from './smoke';
export { backfill } from './backfill';
export { reconcileDue } from './reconcile-due';
export { reconcileHourWorkflow } from './reconcile-hour';
