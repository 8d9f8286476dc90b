/**
 * The event as normalised at ingest. Everything decided once (tenant, received_at, sample weight)
 * is stored on the event itself, so a rebuild from the archive never asks anything again.
 */
import { z } from 'zod';
import { uuidv7 } from './uuid';
import { DAY_MS, parseRfc3339 } from './time';

export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_NESTING = 8;
export const FUTURE_LIMIT_MS = DAY_MS;
export const HOT_WINDOW_MS = 90 * DAY_MS;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Fields only the server sets; a client's values are ignored. */
const SERVER_FIELDS = new Set(['tenant', 'received_at', 'sample_weight']);
const KNOWN_FIELDS = new Set(['event', 'timestamp', 'event_id', 'user_id', 'properties']);

/** The accepted input shape; the OpenAPI document is generated from it. */
export const EventInputSchema = z
  .object({
    event: z.string().min(1).max(200),
    timestamp: z.union([z.string(), z.number().int().nonnegative()]).optional(),
    event_id: z.string().min(1).max(64).optional(),
    user_id: z.union([z.string().max(256), z.number().finite()]).nullable().optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
  })
  .catchall(z.unknown());

export interface NormalizedEvent {
  event_id: string;
  event: string;
  /** Event time, epoch ms. */
  timestamp: number;
  tenant: string;
  user_id: string | null;
  received_at: number;
  sample_weight: number;
  properties: Record<string, unknown>;
}

export type NormalizeResult =
  | { ok: true; event: NormalizedEvent }
  | { ok: false; message: string };

export interface NormalizeContext {
  tenant: string;
  receivedAt: number;
}

export function normalizeEvent(raw: unknown, ctx: NormalizeContext): NormalizeResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, message: 'an event must be a JSON object' };
  }
  const parsed = EventInputSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, message: describeIssue(parsed.error.issues[0]) };
  const input = parsed.data;

  let timestamp = ctx.receivedAt;
  if (input.timestamp !== undefined) {
    const ms = typeof input.timestamp === 'number' ? input.timestamp : parseRfc3339(input.timestamp);
    if (ms === undefined) {
      return { ok: false, message: `"timestamp" has invalid value "${String(input.timestamp)}": expected RFC 3339 with a zone or epoch milliseconds` };
    }
    if (ms > ctx.receivedAt + FUTURE_LIMIT_MS) return { ok: false, message: '"timestamp" is more than 1 day in the future' };
    if (ms < ctx.receivedAt - HOT_WINDOW_MS) {
      return { ok: false, message: '"timestamp" is older than the 90-day hot window: load history with `strata import`' };
    }
    timestamp = ms;
  } else if (input.event_id !== undefined) {
    // A retry must land in the same hour as the first attempt, which only a client time guarantees.
    return { ok: false, message: '"event_id" requires a "timestamp", so that a retry lands in the same hour' };
  }

  const properties: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    if (KNOWN_FIELDS.has(key) || SERVER_FIELDS.has(key) || FORBIDDEN_KEYS.has(key)) continue;
    properties[key] = (raw as Record<string, unknown>)[key];
  }
  if (input.properties) Object.assign(properties, input.properties);
  const clean = sanitize(properties, 1);
  if (clean === undefined) return { ok: false, message: `"properties" nests deeper than ${MAX_NESTING} levels` };

  return {
    ok: true,
    event: {
      event_id: input.event_id ?? uuidv7(),
      event: input.event,
      timestamp,
      tenant: ctx.tenant,
      user_id: input.user_id === undefined || input.user_id === null ? null : String(input.user_id),
      received_at: ctx.receivedAt,
      sample_weight: 1,
      properties: clean as Record<string, unknown>,
    },
  };
}

/** Drops prototype-polluting keys and enforces the nesting limit; undefined when too deep. */
function sanitize(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_NESTING) return undefined;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const clean = sanitize(item, depth + 1);
      if (clean === undefined && item !== undefined) return undefined;
      out.push(clean);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    const clean = sanitize(item, depth + 1);
    if (clean === undefined && item !== undefined) return undefined;
    out[key] = clean;
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid event';
  const field = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the event';
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${field} is required`;
  return `${field} ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}`;
}

/** Log key: events of one user (or one id) stay in one partition, in order. */
export function partitionKey(event: NormalizedEvent): string {
  return `${event.tenant}\u0000${event.user_id ?? event.event_id}`;
}

/** The event log's wire format: one JSON document per event. */
export function encodeEvent(event: NormalizedEvent): Buffer {
  return Buffer.from(JSON.stringify(event));
}

export function decodeEvent(value: Buffer): NormalizedEvent | undefined {
  try {
    const event = JSON.parse(value.toString('utf8')) as NormalizedEvent;
    return typeof event.event === 'string' && typeof event.timestamp === 'number' && typeof event.tenant === 'string'
      ? event
      : undefined;
  } catch {
    return undefined;
  }
}
