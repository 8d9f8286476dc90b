/**
 * Operational endpoints: liveness, readiness, status and Prometheus metrics.
 */
import { Router } from 'express';
import type { Telemetry } from '../../infra/telemetry';
import { toIso } from '../../core/time';

export interface SystemStatus {
  freshnessLagMs: number | null;
  lastEventAt: number | null;
  lastFlushAt: number | null;
  ingestedTotal: number;
}

export interface OpsDeps {
  telemetry: Telemetry;
  status: () => SystemStatus;
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
  router.get('/v1/status', (_req, res) => {
    const s = deps.status();
    const iso = (ms: number | null) => (ms === null ? null : toIso(ms));
    res.json({
      freshness_lag_ms: s.freshnessLagMs,
      last_event_at: iso(s.lastEventAt),
      last_flush_at: iso(s.lastFlushAt),
      // The batch layer has not reconciled anything yet.
      reconciled_through: null,
      dirty_hours: [],
      ingested_total: s.ingestedTotal,
    });
  });
  router.get('/internal/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.telemetry.registry.contentType);
    res.send(await deps.telemetry.registry.metrics());
  });
  return router;
}
