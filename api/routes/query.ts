/**
 * `POST /v1/query`: the ad-hoc query language (docs/query-language.md) over `rollups` (the merged
 * layers, in the OLAP store) and `events` (the raw archive, in DuckDB). The text is parsed and
 * checked once here; nothing the user wrote reaches SQL but as a bound parameter.
 */
import { Router } from 'express';
import { z } from 'zod';
import { StrataError } from '../../core/errors';
import { MAX_QUERY_LENGTH, prepareQuery } from '../../core/query';
import type { ObjectStore } from '../../infra/objectstore/objectstore';
import type { OlapStore } from '../../infra/olap/olap';
import type { Telemetry } from '../../infra/telemetry';
import { jsonBody } from '../json-body';
import { QUERY_TIMEOUT_MS, asServingError } from '../olap-errors';
import { runEvents } from '../query/run-events';
import { runRollups } from '../query/run-rollups';
import { resolveTenant } from '../tenant';

export const QUERY_BODY = z.object({ query: z.string().min(1).max(MAX_QUERY_LENGTH) }).strict();

export interface QueryDeps {
  olap: OlapStore;
  telemetry: Telemetry;
  openLoopback: boolean;
  /** The archive, for queries over `events`; without it they answer 503. */
  objects?: ObjectStore;
  /** Scratch space for archive files fetched for a query. */
  workDir?: string;
  /** @default Date.now */
  now?: () => number;
}

export function queryRouter(deps: QueryDeps): Router {
  const router = Router();
  const now = deps.now ?? Date.now;
  router.post('/v1/query', jsonBody(MAX_QUERY_LENGTH * 4 + 1024), async (req, res) => {
    const started = process.hrtime.bigint();
    const tenant = resolveTenant(req, deps.openLoopback);
    const body = QUERY_BODY.safeParse(req.body);
    if (!body.success) {
      throw new StrataError('STRATA_BAD_REQUEST', `expected {"query":"SELECT …"} with a query of 1–${MAX_QUERY_LENGTH} characters`);
    }
    const query = prepareQuery(body.data.query, { now: now() });
    try {
      if (query.target === 'rollups') {
        res.json(await runRollups(deps.olap, tenant, query, QUERY_TIMEOUT_MS));
      } else {
        if (!deps.objects || !deps.workDir) throw new StrataError('STRATA_UNAVAILABLE', 'this process has no archive to query; ask the API of a full deployment');
        res.json(await runEvents({ olap: deps.olap, objects: deps.objects, workDir: deps.workDir }, tenant, query, QUERY_TIMEOUT_MS));
      }
    } catch (err) {
      throw asServingError(err, QUERY_TIMEOUT_MS);
    } finally {
      deps.telemetry.queryDuration.observe({ route: 'query' }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  });
  return router;
}
