/**
 * Turns one request body into log records: parse, normalise and validate each event, sample it,
 * group the kept ones by partition, encode each group as one record. Pure computation, so the
 * ingest pool can run it on any thread.
 */
import { StrataError } from '../core/errors';
import { MAX_EVENT_BYTES, type NormalizedEvent, encodeEvents, normalizeEvent, partitionKey } from '../core/event';
import type { Sampler } from '../core/sampling';
import type { LogMessage } from '../infra/eventlog/eventlog';
import { partitionFor } from '../infra/eventlog/partition';
import { type BodyFormat, parseEventsBody } from './body';

export interface BatchInput {
  body: Uint8Array;
  format: BodyFormat;
  tenant: string;
  receivedAt: number;
  partitions: number;
}

export interface EventError { index: number; code: 'STRATA_INVALID_EVENT'; message: string }

export interface PreparedBatch {
  records: LogMessage[];
  /** Valid events, sampled out or not: the reply's `count`, so that a client's arithmetic holds. */
  accepted: number;
  /** Of `accepted`, the events sampling dropped: acknowledged, never appended. */
  sampledOut: number;
  errors: EventError[];
}

/** What normalisation adds to an event beyond its input: id, tenant, times and weight. */
const SERVER_FIELDS_BYTES = 256;

/** @param sample compiled once (core/sampling.ts); undefined when nothing is sampled */
export function prepareBatch(input: BatchInput, sample?: Sampler): PreparedBatch {
  const body = parseEventsBody(input.body, input.format);
  // Only a body near the limit can hold an oversized event; smaller ones skip measuring each.
  const measure = body.bytes + SERVER_FIELDS_BYTES > MAX_EVENT_BYTES;
  const byPartition = new Map<number, { key: string; events: NormalizedEvent[] }>();
  const errors: EventError[] = [];
  let accepted = 0;
  let sampledOut = 0;
  body.items.forEach((item, index) => {
    if ('error' in item) return errors.push({ index, code: 'STRATA_INVALID_EVENT', message: item.error });
    const result = normalizeEvent(item.value, { tenant: input.tenant, receivedAt: input.receivedAt });
    if (!result.ok) return errors.push({ index, code: 'STRATA_INVALID_EVENT', message: result.message });
    const size = measure ? Buffer.byteLength(JSON.stringify(result.event)) : 0;
    if (size > MAX_EVENT_BYTES) {
      return errors.push({ index, code: 'STRATA_INVALID_EVENT', message: `the event is ${size} bytes; the limit is ${MAX_EVENT_BYTES} (32 KiB)` });
    }
    // Sampled after validation, so that whether an event is reported invalid never depends on luck.
    accepted++;
    if (sample) {
      const weight = sample(result.event.event, result.event.event_id, result.event.properties);
      if (weight === 0) return sampledOut++;
      result.event.sample_weight = weight;
    }
    const key = partitionKey(result.event);
    const partition = partitionFor(key, input.partitions);
    const group = byPartition.get(partition);
    if (group) group.events.push(result.event);
    else byPartition.set(partition, { key, events: [result.event] });
  });
  if (accepted === 0) {
    const message = body.items.length === 0 ? 'the request holds no events' : 'every event in the request is invalid';
    throw new StrataError('STRATA_INVALID_EVENT', message, { errors });
  }
  // A group's first key routes the whole record to the partition every one of its events hashes to.
  const records = [...byPartition.values()].map((g) => ({ key: g.key, value: encodeEvents(g.events) }));
  return { records, accepted, sampledOut, errors };
}
