/**
 * `POST /v1/events` (alias `/events`): normalise, validate, and acknowledge only after the event log
 * has durably accepted every valid event.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router } from 'express';
import type { Logger } from 'pino';
import { StrataError } from '../../core/errors';
import { MAX_EVENT_BYTES, type NormalizedEvent, encodeEvents, normalizeEvent, partitionKey } from '../../core/event';
import type { EventLog, LogMessage } from '../../infra/eventlog/eventlog';
import { partitionFor } from '../../infra/eventlog/partition';
import type { Telemetry } from '../../infra/telemetry';
import { readEventsBody } from '../body';
import { sendFailure, writeJson } from '../errors';
import { resolveTenant } from '../tenant';

export interface IngestDeps {
  log: EventLog;
  logger: Logger;
  telemetry: Telemetry;
  openLoopback: boolean;
  /** Told of every acknowledged batch, for /v1/status. */
  onAccepted?: (count: number, receivedAt: number) => void;
}

interface EventError { index: number; code: 'STRATA_INVALID_EVENT'; message: string }

/** What normalisation adds to an event beyond its input: id, tenant, times and weight. */
const SERVER_FIELDS_BYTES = 256;

export const INGEST_PATHS = ['/v1/events', '/events'];

export type IngestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * The ingest handler in plain node:http terms: the server calls it before express for the hot
 * path (express's routing cost about 2 µs an event in a 100-event body), and express mounts the
 * same function for everything else that builds the app.
 */
export function createIngestHandler(deps: IngestDeps): IngestHandler {
  const ingest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const tenant = resolveTenant(req, deps.openLoopback);
    const body = await readEventsBody(req);
    const receivedAt = Date.now();
    // Only a body near the limit can hold an oversized event; smaller ones skip measuring each.
    const measure = body.bytes + SERVER_FIELDS_BYTES > MAX_EVENT_BYTES;
    const byPartition = new Map<number, { key: string; events: NormalizedEvent[] }>();
    const errors: EventError[] = [];
    let accepted = 0;
    body.items.forEach((item, index) => {
      if ('error' in item) return errors.push({ index, code: 'STRATA_INVALID_EVENT', message: item.error });
      const result = normalizeEvent(item.value, { tenant, receivedAt });
      if (!result.ok) return errors.push({ index, code: 'STRATA_INVALID_EVENT', message: result.message });
      const size = measure ? Buffer.byteLength(JSON.stringify(result.event)) : 0;
      if (size > MAX_EVENT_BYTES) {
        return errors.push({ index, code: 'STRATA_INVALID_EVENT', message: `the event is ${size} bytes; the limit is ${MAX_EVENT_BYTES} (32 KiB)` });
      }
      const key = partitionKey(result.event);
      const partition = partitionFor(key, deps.log.partitions);
      const group = byPartition.get(partition);
      if (group) group.events.push(result.event);
      else byPartition.set(partition, { key, events: [result.event] });
      accepted++;
    });
    if (errors.length > 0) deps.telemetry.ingestEvents.inc({ status: 'rejected' }, errors.length);
    if (accepted === 0) {
      const message = body.items.length === 0 ? 'the request holds no events' : 'every event in the request is invalid';
      throw new StrataError('STRATA_INVALID_EVENT', message, { errors });
    }
    // A group's first key routes the whole record to the partition every one of its events hashes to.
    const messages: LogMessage[] = [...byPartition.values()].map((g) => ({ key: g.key, value: encodeEvents(g.events) }));
    try {
      await deps.log.append(messages);
    } catch (err) {
      deps.logger.error({ err }, 'event log append failed');
      throw new StrataError('STRATA_UNAVAILABLE', 'the event log is unavailable; nothing in this request was accepted, retry it');
    }
    deps.telemetry.ingestEvents.inc({ status: 'accepted' }, accepted);
    deps.onAccepted?.(accepted, receivedAt);
    writeJson(res, 200, errors.length === 0 ? { status: 'accepted', count: accepted } : { status: 'partial', count: accepted, errors });
  };
  return (req, res) => ingest(req, res).catch((err: unknown) => sendFailure(res, err, deps.logger));
}

export function eventsRouter(handler: IngestHandler): Router {
  const router = Router();
  router.post(INGEST_PATHS, (req, res) => handler(req, res));
  return router;
}
