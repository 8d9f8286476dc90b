/**
 * The HTTP API: ingest and serving, one express app. Routes validate at the edge; errors leave
 * through one handler.
 */
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { StrataError } from '../core/errors';
import { errorHandler, sendError } from './errors';
import { type IngestDeps, eventsRouter } from './routes/events';
import { type MetricsDeps, metricsRouter } from './routes/metrics';
import { type OpsDeps, opsRouter } from './routes/ops';

export type ApiDeps = IngestDeps & MetricsDeps & OpsDeps & { logger: Logger };

export function createApi(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // The simple parser yields only strings and string arrays: no nested objects from user input.
  app.set('query parser', 'simple');
  app.use(opsRouter(deps));
  app.use(eventsRouter(deps));
  app.use(metricsRouter(deps));
  app.use((req, res) => sendError(res, new StrataError('STRATA_NOT_FOUND', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.logger));
  return app;
}

/** Health, status and metrics only: what the stream and worker roles serve on their port. */
export function createOpsApi(deps: OpsDeps & { logger: Logger }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(opsRouter(deps));
  app.use((req, res) => sendError(res, new StrataError('STRATA_NOT_FOUND', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.logger));
  return app;
}
