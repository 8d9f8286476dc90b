/**
 * `GET /v1/metrics` (alias `/metrics`): series, breakdowns and totals over the rollups.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import { Router } from 'express';
import type { Logger } from 'pino';
import { planDictionaryLookup, resolveCappedFilters } from '../../core/capped-filters';
import { buildReply, type Row } from '../../core/metrics-reply';
import { type MetricsRequest, type RawParams, parseMetricsRequest } from '../../core/metrics-request';
import { type Served, hoursOf, readServed, readTenantLayers } from '../../core/layers';
import { bucketMs, planDayBuilds, planMetrics, planPublishedHours, planTenantLayers, type PlannedQuery } from '../../core/planner';
import type { OlapStore } from '../../infra/olap/olap';
import type { Telemetry } from '../../infra/telemetry';
import { sendFailure, writeJsonText } from '../errors';
import { resolveTenant } from '../tenant';
import { QUERY_TIMEOUT_MS, asServingError } from '../olap-errors';
import type { MetricsCache } from '../metrics-cache';

export interface MetricsDeps {
  olap: OlapStore;
  telemetry: Telemetry;
  logger: Logger;
  openLoopback: boolean;
  /** @default Date.now */
  now?: () => number;
  /** Caches answers (metrics-cache.ts); without it every request reads the store. */
  queryCache?: MetricsCache;
}

export const METRICS_PATHS = ['/v1/metrics', '/metrics'];

export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * The metrics handler in plain node:http terms, like ingest's: the server calls it before express
 * for the exact paths, as a cached answer is so cheap that express's routing and `send` were half
 * of its cost; express mounts the same function for every other form of the path.
 */
export function createMetricsHandler(deps: MetricsDeps): MetricsHandler {
  const now = deps.now ?? Date.now;
  const run = async (query: PlannedQuery | undefined): Promise<Row[] | undefined> => {
    if (!query) return undefined;
    try {
      return await deps.olap.query<Row>(query.sql, { params: query.params, timeoutMs: QUERY_TIMEOUT_MS });
    } catch (err) {
      throw asServingError(err, QUERY_TIMEOUT_MS);
    }
  };

  const table = (name: string) => deps.olap.table(name);

  /** The answer as cacheable text: the total-groups header's value on the first line, then the body. */
  const compute = async (request: MetricsRequest, tenant: string, { published, days }: Served): Promise<string> => {
    const plan = planMetrics(request, tenant, table, published, days);
    const [ranking, total] = await Promise.all([run(plan.ranking), run(plan.total)]);
    const series = plan.series && (!ranking || ranking.length > 0) ? await run(plan.series(ranking ?? [])) : undefined;
    const reply = buildReply(request, { ranking, series, total: total?.[0], published });
    return `${reply.totalGroups ?? ''}\n${JSON.stringify(reply.body)}`;
  };

  /** The answer's text, and the Strata-Warning for filters on values that fell into (other). */
  const answer = async (asked: MetricsRequest, tenant: string): Promise<{ text: string; warning: string }> => {
    // Read once, then bound into every query: the layer a point states is the one it was read from.
    const dictionary = planDictionaryLookup(asked, tenant, table);
    const cache = deps.queryCache;
    const generations = await cache?.generations(tenant);
    if (!cache || !generations) {
      // Without the cache, only the window's own hours and days are looked up.
      if (cache) deps.telemetry.cacheRequests.inc({ result: 'bypass' });
      const [admitted, hourRows, dayRows] = await Promise.all([
        run(dictionary), run(planPublishedHours(asked, tenant, table)), run(planDayBuilds(asked, bucketMs(asked), tenant, table)),
      ]);
      const { request, warning } = resolveCappedFilters(asked, admitted ?? []);
      return { text: await compute(request, tenant, readServed(hourRows ?? [], dayRows ?? [])), warning };
    }
    const readDictionary = async () => JSON.stringify((await run(dictionary)) ?? []);
    // The dictionary grows only as the speed layer admits values: cached under the speed generation.
    // Which hours are published changes only with a publish: cached under the batch generation.
    // (The tables' database is in every key already: the store's key prefix names it.)
    // All of the tenant's layers at once: a request for any window then reads no lookup of its own.
    const readLayers = async () => JSON.stringify((await run(planTenantLayers(tenant, table))) ?? []);
    // Both kept parsed beside their text in this process: a hit parses nothing.
    const [admitted, { value: layers }] = await Promise.all([
      dictionary ? cache.parsedThrough(['dictionary', tenant, dictionary, generations.speed], readDictionary, parseRows).then((c) => c.value) : [],
      cache.parsedThrough(['layers', tenant, generations.batch], readLayers, (text) => readTenantLayers(parseRows(text))),
    ]);
    const { request, warning } = resolveCappedFilters(asked, admitted);
    // An answer that reads no speed rows does not change with a flush.
    const live = hoursOf(request.from, request.to).some((h) => !layers.published.has(h));
    const key = ['answer', tenant, requestKey(request), generations.batch, live ? generations.speed : null];
    const cached = await cache.through(key, () => compute(request, tenant, layers));
    deps.telemetry.cacheRequests.inc({ result: cached.result });
    return { text: cached.value, warning };
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint();
    const tenant = resolveTenant(req, deps.openLoopback);
    const { text, warning } = await answer(parseMetricsRequest(queryOf(req.url ?? ''), now()), tenant);
    const newline = text.indexOf('\n');
    const headers: Record<string, string> = {};
    if (warning) headers['Strata-Warning'] = warning;
    if (newline > 0) headers['Strata-Total-Groups'] = text.slice(0, newline);
    deps.telemetry.queryDuration.observe({ route: 'metrics' }, Number(process.hrtime.bigint() - started) / 1e9);
    writeJsonText(res, 200, text.slice(newline + 1), headers);
  };
  return (req, res) => serve(req, res).catch((err: unknown) => sendFailure(res, err, deps.logger));
}

export function metricsRouter(handler: MetricsHandler): Router {
  const router = Router();
  router.get(METRICS_PATHS, (req, res) => handler(req, res));
  return router;
}

/** The query string as express's simple parser gives it: strings, and arrays of repeated keys. */
function queryOf(url: string): RawParams {
  const mark = url.indexOf('?');
  return mark < 0 ? {} : parseQueryString(url.slice(mark + 1));
}

const parseRows = (text: string): Row[] => JSON.parse(text) as Row[];

/** The request as a cache key: the same answer for filters given in another order. */
function requestKey(request: MetricsRequest): unknown {
  const filters = [...request.filters].sort(([a], [b]) => (a < b ? -1 : 1)).map(([d, values]) => [d, [...new Set(values)].sort()]);
  return {
    metrics: request.metrics.map((m) => m.name), shape: request.shape, from: request.from, to: request.to,
    granularity: request.granularity ?? null, groupBy: request.groupBy, limit: request.limit, filters,
  };
}
