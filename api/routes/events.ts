/**
 * `POST /v1/events` (alias `/events`): normalise, validate, and acknowledge only after the event log
 * has durably accepted every valid event.
 */
import { Router } from 'express';
import type { Logger } from 'pino';
import { StrataError } from '../../core/errors';
import { MAX_EVENT_BYTES, encodeEvent, normalizeEvent, partitionKey } from '../../core/event';
import type { EventLog, LogMessage } from '../../infra/eventlog/eventlog';
import type { Telemetry } from '../../infra/telemetry';
import { readEventsBody } from '../body';
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

export function eventsRouter(deps: IngestDeps): Router {
  const router = Router();
  router.post(['/v1/events', '/events'], async (req, res) => {
    const tenant = resolveTenant(req, deps.openLoopback);
    const items = await readEventsBody(req);
    const receivedAt = Date.now();
    const messages: LogMessage[] = [];
    const errors: EventError[] = [];
    items.forEach((item, index) => {
      if ('error' in item) return errors.push({ index, code: 'STRATA_INVALID_EVENT', message: item.error });
      const result = normalizeEvent(item.value, { tenant, receivedAt });
      if (!result.ok) return errors.push({ index, code: 'STRATA_INVALID_EVENT', message: result.message });
      const value = encodeEvent(result.event);
      if (value.length > MAX_EVENT_BYTES) {
        return errors.push({ index, code: 'STRATA_INVALID_EVENT', message: `the event is ${value.length} bytes; the limit is ${MAX_EVENT_BYTES} (32 KiB)` });
      }
      messages.push({ key: partitionKey(result.event), value });
    });
    if (errors.length > 0) deps.telemetry.ingestEvents.inc({ status: 'rejected' }, errors.length);
    if (messages.length === 0) {
      const message = items.length === 0 ? 'the request holds no events' : 'every event in the request is invalid';
      throw new StrataError('STRATA_INVALID_EVENT', message, { errors });
    }
    try {
      await deps.log.append(messages);
    } catch (err) {
      deps.logger.error({ err }, 'event log append failed');
      throw new StrataError('STRATA_UNAVAILABLE', 'the event log is unavailable; nothing in this request was accepted, retry it');
    }
    deps.telemetry.ingestEvents.inc({ status: 'accepted' }, messages.length);
    deps.onAccepted?.(messages.length, receivedAt);
    res.json(errors.length === 0
      ? { status: 'accepted', count: messages.length }
      : { status: 'partial', count: messages.length, errors });
  });
  return router;
}
