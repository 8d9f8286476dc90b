/**
 * `GET /v1/metrics` (alias `/metrics`): series, breakdowns and totals over the rollups.
 */
import { Router } from 'express';
import { buildReply, type Row } from '../../core/metrics-reply';
import { type RawParams, parseMetricsRequest } from '../../core/metrics-request';
import { currentDays, readDayBuilds, readPublishedHours } from '../../core/layers';
import { planDayBuilds, planMetrics, planPublishedHours, type PlannedQuery } from '../../core/planner';
import type { OlapStore } from '../../infra/olap/olap';
import type { Telemetry } from '../../infra/telemetry';
import { resolveTenant } from '../tenant';
import { StrataError } from '../../core/errors';
import { OlapQueryError } from '../../infra/olap/errors';
import { asOlapUnavailable } from '../olap-errors';

export interface MetricsDeps {
  olap: OlapStore;
  telemetry: Telemetry;
  openLoopback: boolean;
  /** @default Date.now */
  now?: () => number;
}

/** The contract's bound on one query; the engine cancels past it. */
const QUERY_TIMEOUT_MS = 30_000;

export function metricsRouter(deps: MetricsDeps): Router {
  const router = Router();
  const now = deps.now ?? Date.now;
  const run = async (query: PlannedQuery | undefined): Promise<Row[] | undefined> => {
    if (!query) return undefined;
    try {
      return await deps.olap.query<Row>(query.sql, { params: query.params, timeoutMs: QUERY_TIMEOUT_MS });
    } catch (err) {
      throw asServingError(err);
    }
  };

  router.get(['/v1/metrics', '/metrics'], async (req, res) => {
    const started = process.hrtime.bigint();
    const tenant = resolveTenant(req, deps.openLoopback);
    const request = parseMetricsRequest(req.query as RawParams, now());
    const table = (name: string) => deps.olap.table(name);
    // Read once, then bound into every query: the layer a point states is the one it was read from.
    const [hourRows, dayRows] = await Promise.all([run(planPublishedHours(request, tenant, table)), run(planDayBuilds(request, tenant, table))]);
    const published = readPublishedHours(hourRows ?? []);
    const plan = planMetrics(request, tenant, table, published, currentDays(readDayBuilds(dayRows ?? []), published));
    const [ranking, total] = await Promise.all([run(plan.ranking), run(plan.total)]);
    const series = plan.series && (!ranking || ranking.length > 0) ? await run(plan.series(ranking ?? [])) : undefined;
    const reply = buildReply(request, { ranking, series, total: total?.[0], published });
    if (reply.totalGroups !== undefined) res.setHeader('Strata-Total-Groups', String(reply.totalGroups));
    deps.telemetry.queryDuration.observe({ route: 'metrics' }, Number(process.hrtime.bigint() - started) / 1e9);
    res.json(reply.body);
  });
  return router;
}

/** Engine timeouts are the contract's 504; an engine that cannot be reached is a 503. */
function asServingError(err: unknown): unknown {
  if (err instanceof OlapQueryError && err.type === 'TIMEOUT_EXCEEDED') {
    return new StrataError('STRATA_QUERY_TIMEOUT', `the query ran past ${QUERY_TIMEOUT_MS / 1000} s and was cancelled; ask for a shorter window or a coarser granularity`);
  }
  if (err instanceof OlapQueryError) return err;
  return asOlapUnavailable(err);
}
