/**
 * Starts the roles a configuration asks for on top of its adapters: `embedded` runs every role in
 * one process (chdb locks its data directory); the distributed roles run one each.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { type Activities, createActivities } from '../activities';
import { createEmbeddedBackfills } from '../activities/runner/embedded-backfills';
import { startEmbeddedSchedule } from '../activities/runner/embedded-schedule';
import { hourStates } from '../activities/reconcile/due-hours';
import { createApi, createApiServer, createOpsApi } from '../api/app';
import { createMetricsCache } from '../api/metrics-cache';
import { type IngestPool, startIngestPool } from '../api/ingest-pool';
import type { SystemStatus } from '../api/routes/ops';
import { type Adapters, createAdapters } from '../infra/adapters';
import type { Cache } from '../infra/cache/cache';
import { type DataLayer, bumpGeneration } from '../infra/cache/generations';
import { guardCache } from '../infra/cache/guard';
import type { Config } from '../infra/config';
import type { OlapStore } from '../infra/olap/olap';
import type { Backfills } from '../core/backfill';
import { createTemporalBackfills } from '../infra/temporal/backfills';
import { ensureRollupSchema } from '../infra/olap/schema';
import { createTelemetry } from '../infra/telemetry';
import { createProfileStore, ensureProfileSchema } from '../stream/enrichment/profile-store';
import { createDashboardStore } from '../api/dashboard-store';
import { warmServingEngine } from '../api/warm-engine';
import { type SpeedLayer, speedScratchDir, startSpeedLayer } from '../stream/speed-layer';
import { startWorker, type StrataWorker } from '../infra/temporal/worker';

export interface System {
  /** Base URL of this process's HTTP server: the API, or health and metrics for other roles. */
  url: string;
  adapters: Adapters;
  /** Flushes the speed layer now, when this process runs it. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSystem(config: Config, logger: Logger): Promise<System> {
  const adapters = await createAdapters(config, logger);
  logger.info({ role: config.role, ...adapters.describe }, 'adapters ready');
  await ensureRollupSchema(adapters.olap);
  await ensureProfileSchema(adapters.olap);
  const profiles = createProfileStore({ olap: adapters.olap, cache: adapters.cache });
  const telemetry = createTelemetry({ defaultMetrics: true });
  const status: SystemStatus = { freshnessLagMs: null, lastEventAt: null, lastFlushAt: null, ingestedTotal: 0 };
  const runsApi = config.role === 'embedded' || config.role === 'api';
  const runsStream = config.role === 'embedded' || config.role === 'stream';
  const bump = generationBumper(adapters.cache, logger);
  if (config.role !== 'embedded' && config.role !== 'api' && !config.REDIS_URL) {
    logger.warn('STRATA_REDIS_URL is not set: API processes will not learn of this process\'s writes, and may serve cached answers up to their TTL (60 s ± 10 s) old');
  }

  let speed: SpeedLayer | undefined;
  if (runsStream) {
    speed = await startSpeedLayer({
      log: adapters.log, olap: adapters.olap, objects: adapters.objects, logger, tmpDir: speedScratchDir(resolve(config.DATA_DIR)),
      enrichment: { lookup: (tenant, userIds) => profiles.lookup(tenant, userIds), tenants: () => profiles.profiledTenants() },
      onFlush: (report) => {
        telemetry.streamEvents.inc({ stage: 'archived' }, report.archivedEvents);
        if (report.events === 0) return;
        telemetry.streamEvents.inc({ stage: 'folded' }, report.events);
        status.lastFlushAt = report.flushedAt;
        status.freshnessLagMs = report.flushedAt - report.oldestReceivedAt;
        telemetry.freshnessLag.observe(status.freshnessLagMs / 1000);
        adapters.log.lag('speed').then((lag) => telemetry.consumerLag.set(lag), (err: unknown) => logger.debug({ err }, 'consumer lag unavailable'));
        return bump('speed', report.tenants);
      },
    });
  }

  const reconcile = {
    olap: adapters.olap, objects: adapters.objects, workDir: join(resolve(config.DATA_DIR), 'tmp', `reconcile-${process.pid}`),
    onPublished: (tenant: string) => bump('batch', [tenant]),
  };
  let worker: StrataWorker | undefined;
  // chdb is in-process, so an embedded system with Temporal runs its worker itself.
  if ((config.role === 'worker' || config.role === 'embedded') && config.TEMPORAL_ADDRESS) {
    worker = await startWorker({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, logger, reconcile });
  }
  // One set of activities for the embedded runner's backfills and schedule, so they share its per-hour lock.
  const activities = createActivities({ hostname: hostname(), reconcile });
  const backfills = runsApi ? await startBackfills(config, logger, activities, adapters.olap) : undefined;
  // Without Temporal, the embedded process reconciles due hours itself, as the Schedule would.
  const schedule = config.role === 'embedded' && !config.TEMPORAL_ADDRESS ? startEmbeddedSchedule(activities, logger) : undefined;

  const ops = {
    logger, telemetry, openLoopback: config.openLoopback,
    batchStatus: (tenant: string) => hourStates(adapters.olap, tenant),
    status: () => status,
    ready: async () => {
      await adapters.olap.query('SELECT 1');
      return config.REDIS_URL ? adapters.cache.ping() : true;
    },
  };
  const pool: IngestPool | undefined = runsApi ? startIngestPool(undefined, { sampling: config.SAMPLING }) : undefined;
  const server = runsApi
    ? createApiServer(createApi({
      ...ops, log: adapters.log, olap: adapters.olap, openLoopback: config.openLoopback, pool, sampling: config.SAMPLING, profiles, ...(backfills ? { backfills } : {}),
      queryCache: createMetricsCache({ cache: guardCache(adapters.cache) }),
      ...(config.RATE_LIMIT_RPS ? { rateLimitRps: config.RATE_LIMIT_RPS } : {}),
      objects: adapters.objects, workDir: join(resolve(config.DATA_DIR), 'tmp', `query-${process.pid}`),
      dashboards: createDashboardStore(adapters.objects),
      onAccepted: (count, receivedAt) => {
        status.ingestedTotal += count;
        status.lastEventAt = receivedAt;
      },
    }))
    : createServer(createOpsApi(ops));
  // Ready means serving at speed: the engine warmed, and the threads done loading their modules,
  // which otherwise take a core for a second or so from the first requests.
  await Promise.all([runsApi ? warmServingEngine(adapters.olap, logger) : undefined, pool?.loaded(), speed?.loaded]);
  await listen(server, config.HOST, config.PORT);
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url }, runsApi ? 'api listening' : 'health and metrics listening');

  return {
    url,
    adapters,
    flush: () => speed?.flush() ?? Promise.resolve(),
    async stop() {
      await closeGracefully(server);
      await pool?.close();
      await backfills?.close();
      await schedule?.stop();
      await speed?.stop();
      await worker?.stop();
      await adapters.close();
    },
  };
}

/**
 * Moves tenants' data generations on in the cache store that the API processes read (embedded: the
 * memory cache of this very process). A bump that fails leaves cached answers stale until their
 * TTL; it is logged and never fails the flush or publish it follows.
 */
function generationBumper(cache: Cache, logger: Logger): (layer: DataLayer, tenants: readonly string[]) => Promise<void> {
  return async (layer, tenants) => {
    const failed = (await Promise.allSettled(tenants.map((tenant) => bumpGeneration(cache, layer, tenant)))).find((r) => r.status === 'rejected');
    if (failed) logger.warn({ err: failed.reason, layer }, 'could not bump the query cache generation; cached answers may lag until their TTL');
  };
}

/** Temporal runs backfills when configured; else the embedded runner, where this process holds the stores. */
async function startBackfills(config: Config, logger: Logger, activities: Activities, olap: OlapStore): Promise<(Backfills & { close(): Promise<void> }) | undefined> {
  if (config.TEMPORAL_ADDRESS) {
    return createTemporalBackfills({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE });
  }
  if (config.role !== 'embedded') return undefined;
  const iso = (ms: number) => new Date(ms).toISOString();
  return createEmbeddedBackfills({
    olap, logger,
    reconcileHour: (tenant, hour) => activities.reconcileHour(tenant, iso(hour)),
    reconcileDay: (tenant, day) => activities.reconcileDay(tenant, iso(day)),
    archivedTenants: (from, to) => activities.archivedTenants(iso(from), iso(to)),
  });
}

function listen(server: Server, host: string, port: number): Promise<void> {
  // Clients such as load generators hold connections open; the default 5 s would churn them.
  server.keepAliveTimeout = 65_000;
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done();
    });
  });
}

/** How long in-flight requests may take to finish when the server stops. */
const DRAIN_MS = 5_000;

/**
 * Stops accepting, lets in-flight requests finish (an ingest request awaiting its append must
 * get its acknowledgement, or the client's retry duplicates it), then cuts what is left.
 */
async function closeGracefully(server: Server): Promise<void> {
  const closed = new Promise<void>((done) => server.close(() => done()));
  const deadline = Date.now() + DRAIN_MS;
  const sweep = setInterval(() => {
    if (Date.now() > deadline) server.closeAllConnections();
    else server.closeIdleConnections();
  }, 50);
  try {
    await closed;
  } finally {
    clearInterval(sweep);
  }
}
