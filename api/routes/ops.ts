/**
 * Operational endpoints: liveness, readiness, status and Prometheus metrics.
 */
import { Router } from 'express';
import type { Telemetry } from '../../infra/telemetry';
import { toIso } from '../../core/time';
import { resolveTenant } from '../tenant';

export interface SystemStatus {
  freshnessLagMs: number | null;
  lastEventAt: number | null;
  lastFlushAt: number | null;
  ingestedTotal: number;
}

/** The batch layer's view of a tenant's hours, for /v1/status. */
export interface BatchStatus {
  dirty: number[];
  reconciledThrough: number | null;
}

export interface OpsDeps {
  telemetry: Telemetry;
  status: () => SystemStatus;
  /** Reads the batch layer's state of a tenant; without it, nothing is reported as reconciled. */
  batchStatus?: (tenant: string) => Promise<BatchStatus>;
  /** Who may ask without a key (see api/tenant.ts). @default false */
  openLoopback?: boolean;
  /** True once every dependency answers. */
  ready: () => Promise<boolean>;
}

export function opsRouter(deps: OpsDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const ready = await deps.ready().catch(() => false);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable' });
  });
  router.get('/v1/status', async (req, res) => {
    const tenant = resolveTenant(req, deps.openLoopback ?? false);
    const s = deps.status();
    const iso = (ms: number | null) => (ms === null ? null : toIso(ms));
    const batch = deps.batchStatus ? await deps.batchStatus(tenant) : { dirty: [], reconciledThrough: null };
    res.json({
      freshness_lag_ms: s.freshnessLagMs,
      last_event_at: iso(s.lastEventAt),
      last_flush_at: iso(s.lastFlushAt),
      reconciled_through: iso(batch.reconciledThrough),
      dirty_hours: batch.dirty.map(toIso),
      ingested_total: s.ingestedTotal,
    });
  });
  router.get('/internal/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.telemetry.registry.contentType);
    res.send(await deps.telemetry.registry.metrics());
  });
  return router;
}
