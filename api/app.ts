/**
 * The HTTP API: ingest and serving. The two hot paths (ingest, metrics) are plain node:http
 * handlers the server calls first; everything else is one express app. Routes validate at the
 * edge; errors leave through one envelope.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { StrataError } from '../core/errors';
import { errorHandler, sendError } from './errors';
import { DASHBOARD_OPENAPI, openApiRouter } from './openapi';
import { type RateLimit, createRateLimit, rateLimitMiddleware } from './rate-limit';
import { INGEST_PATHS, type IngestDeps, type IngestHandler, createIngestHandler, eventsRouter } from './routes/events';
import { METRICS_PATHS, type MetricsDeps, type MetricsHandler, createMetricsHandler, metricsRouter } from './routes/metrics';
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
  app: (req: IncomingMessage, res: ServerResponse) => void;
  ingest: IngestHandler;
  metrics: MetricsHandler;
  rateLimit: RateLimit;
}

export function createApi(deps: ApiDeps): Api {
  const ingest = createIngestHandler(deps);
  const metrics = createMetricsHandler(deps);
  const rateLimit = createRateLimit(deps.rateLimitRps);
  const app = expressApp(deps.logger, [
    opsRouter(deps), openApiRouter(DASHBOARD_OPENAPI), dashboardAssetsRouter(), rateLimitMiddleware(rateLimit),
    eventsRouter(ingest), metricsRouter(metrics), queryRouter(deps), profilesRouter(deps), backfillsRouter(deps), dashboardsRouter(deps),
  ]);
  return { app, ingest, metrics, rateLimit };
}

/**
 * An HTTP server that sends the two hot paths, ingest and metrics at their exact paths, straight
 * to their handlers behind the same rate limit, and everything else to express.
 */
export function createApiServer(api: Api): Server {
  const direct = (req: IncomingMessage): IngestHandler | MetricsHandler | undefined => {
    const url = req.url ?? '';
    if (req.method === 'POST') return INGEST_PATHS.includes(url) ? api.ingest : undefined;
    if (req.method !== 'GET') return undefined;
    const mark = url.indexOf('?');
    return METRICS_PATHS.includes(mark < 0 ? url : url.slice(0, mark)) ? api.metrics : undefined;
  };
  return createServer((req, res) => {
    const handler = direct(req);
    if (!handler) return api.app(req, res);
    const refused = api.rateLimit(req);
    if (refused) sendError(res, refused);
    else void handler(req, res);
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
