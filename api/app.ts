/**
 * The HTTP API: ingest and serving, one express app. Routes validate at the edge; errors leave
 * through one handler.
 */
import { type Server, createServer } from 'node:http';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { StrataError } from '../core/errors';
import { errorHandler, sendError } from './errors';
import { INGEST_PATHS, type IngestDeps, type IngestHandler, createIngestHandler, eventsRouter } from './routes/events';
import { type MetricsDeps, metricsRouter } from './routes/metrics';
import { type OpsDeps, opsRouter } from './routes/ops';

export type ApiDeps = IngestDeps & MetricsDeps & OpsDeps & { logger: Logger };

export interface Api {
  app: Express;
  ingest: IngestHandler;
}

export function createApi(deps: ApiDeps): Api {
  const ingest = createIngestHandler(deps);
  const app = express();
  app.disable('x-powered-by');
  // The simple parser yields only strings and string arrays: no nested objects from user input.
  app.set('query parser', 'simple');
  app.use(opsRouter(deps));
  app.use(eventsRouter(ingest));
  app.use(metricsRouter(deps));
  app.use((req, res) => sendError(res, new StrataError('STRATA_NOT_FOUND', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.logger));
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
  const app = express();
  app.disable('x-powered-by');
  app.use(opsRouter(deps));
  app.use((req, res) => sendError(res, new StrataError('STRATA_NOT_FOUND', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.logger));
  return app;
}
