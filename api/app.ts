/**
 * The HTTP API: ingest and serving, one express app. Routes validate at the edge; errors leave
 * through one handler.
 */
import { type Server, createServer } from 'node:http';
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { StrataError } from '../core/errors';
import { errorHandler, sendError } from './errors';
import { DASHBOARD_OPENAPI, openApiRouter } from './openapi';
import { rateLimit } from './rate-limit';
import { INGEST_PATHS, type IngestDeps, type IngestHandler, createIngestHandler, eventsRouter } from './routes/events';
import { type MetricsDeps, metricsRouter } from './routes/metrics';
import { type OpsDeps, opsRouter } from './routes/ops';
import { type BackfillDeps, backfillsRouter } from './routes/backfills';
import { dashboardAssetsRouter } from './routes/dashboard-assets';
import { type DashboardsDeps, dashboardsRouter } from './routes/dashboards';
import { type ProfilesDeps, profilesRouter } from './routes/profiles';
import { type QueryDeps, queryRouter } from './routes/query';

export type ApiDeps = IngestDeps & MetricsDeps & QueryDeps & OpsDeps & ProfilesDeps & BackfillDeps & DashboardsDeps & {
  logger: Logger;
  /** Requests per second per client on everything but health and metrics (STRATA_RATE_LIMIT_RPS); off when unset. */
  rateLimitRps?: number;
};

export interface Api {
  app: Express;
  ingest: IngestHandler;
}

export function createApi(deps: ApiDeps): Api {
  const ingest = createIngestHandler(deps);
  const app = expressApp(deps.logger, [
    opsRouter(deps), openApiRouter(DASHBOARD_OPENAPI), dashboardAssetsRouter(), rateLimit(deps.rateLimitRps),
    eventsRouter(ingest), metricsRouter(deps), queryRouter(deps), profilesRouter(deps), backfillsRouter(deps), dashboardsRouter(deps),
  ]);
  return { app, ingest };
}

/** An HTTP server that sends ingest straight to its handler and everything else to express. */
export function createApiServer(api: Api): Server {
  return createServer((req, res) => {
    if (req.method === 'POST' && INGEST_PATHS.includes(req.url ?? '')) void api.ingest(req, res);
    else api.app(req, res);
  });
}

/** Health, status and metrics only: what the stream and worker roles serve on their port. */
export function createOpsApi(deps: OpsDeps & { logger: Logger }): Express {
  return expressApp(deps.logger, [opsRouter(deps)]);
}

/** The routers (and middleware), in order, then a 404 in the envelope for anything they do not match, then the error handler. */
export function expressApp(logger: Logger, routers: (Router | RequestHandler)[]): Express {
  const app = express();
  app.disable('x-powered-by');
  // An ETag would hash every reply body; answers change with their data, and none is revalidated.
  app.disable('etag');
  // The simple parser yields only strings and string arrays: no nested objects from user input.
  app.set('query parser', 'simple');
  for (const router of routers) app.use(router);
  app.use((req, res) => sendError(res, new StrataError('STRATA_NOT_FOUND', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(logger));
  return app;
}
