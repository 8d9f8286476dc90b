/**
 * `POST /v1/events` (alias `/events`): normalise, validate, and acknowledge only after the event log
 * has durably accepted every valid event.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router } from 'express';
import type { Logger } from 'pino';
import { StrataError } from '../../core/errors';
import { type SamplingRules, compileSampling } from '../../core/sampling';
import type { EventLog } from '../../infra/eventlog/eventlog';
import type { Telemetry } from '../../infra/telemetry';
import { bodyFormat, readRawBody } from '../body';
import { sendFailure, writeJson } from '../errors';
import { type PreparedBatch, prepareBatch } from '../ingest-batch';
import type { IngestPool } from '../ingest-pool';
import { resolveTenant } from '../tenant';

export interface IngestDeps {
  log: EventLog;
  logger: Logger;
  telemetry: Telemetry;
  openLoopback: boolean;
  /** Threads that prepare bodies; without one, the request's own thread does. */
  pool?: IngestPool;
  /**
   * Sampling rules (STRATA_SAMPLING) for bodies prepared on the request's thread; a pool applies
   * the rules it was started with.
   * @default {} (nothing sampled)
   */
  sampling?: SamplingRules;
  /** Told of every acknowledged batch, for /v1/status. */
  onAccepted?: (count: number, receivedAt: number) => void;
}

export const INGEST_PATHS = ['/v1/events', '/events'];

export type IngestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * The ingest handler in plain node:http terms: the server calls it before express for the hot
 * path (express's routing cost about 2 µs an event in a 100-event body), and express mounts the
 * same function for everything else that builds the app.
 */
export function createIngestHandler(deps: IngestDeps): IngestHandler {
  const sample = compileSampling(deps.sampling ?? {});
  const ingest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const tenant = resolveTenant(req, deps.openLoopback);
    const format = bodyFormat(req);
    const body = await readRawBody(req);
    const input = { body, format, tenant, receivedAt: Date.now(), partitions: deps.log.partitions };
    let batch: PreparedBatch;
    try {
      batch = deps.pool ? await deps.pool.prepare(input) : prepareBatch(input, sample);
    } catch (err) {
      const rejected = err instanceof StrataError && Array.isArray(err.details?.errors) ? err.details.errors.length : 0;
      if (rejected > 0) deps.telemetry.ingestEvents.inc({ status: 'rejected' }, rejected);
      throw err;
    }
    if (batch.errors.length > 0) deps.telemetry.ingestEvents.inc({ status: 'rejected' }, batch.errors.length);
    try {
      await deps.log.append(batch.records);
    } catch (err) {
      deps.logger.error({ err }, 'event log append failed');
      throw new StrataError('STRATA_UNAVAILABLE', 'the event log is unavailable; nothing in this request was accepted, retry it');
    }
    // Outcomes partition the events seen: `accepted` counts the appended ones, so the statuses sum.
    deps.telemetry.ingestEvents.inc({ status: 'accepted' }, batch.accepted - batch.sampledOut);
    if (batch.sampledOut > 0) deps.telemetry.ingestEvents.inc({ status: 'sampled_out' }, batch.sampledOut);
    deps.onAccepted?.(batch.accepted, input.receivedAt);
    writeJson(res, 200, batch.errors.length === 0
      ? { status: 'accepted', count: batch.accepted }
      : { status: 'partial', count: batch.accepted, errors: batch.errors });
  };
  return (req, res) => ingest(req, res).catch((err: unknown) => sendFailure(res, err, deps.logger));
}

export function eventsRouter(handler: IngestHandler): Router {
  const router = Router();
  router.post(INGEST_PATHS, (req, res) => handler(req, res));
  return router;
}
