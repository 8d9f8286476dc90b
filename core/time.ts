/**
 * Time semantics of the API contract: the range grammar, granularities and bucket edges. All in UTC,
 * all in epoch milliseconds.
 */
import { StrataError } from './errors';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export const GRANULARITIES = ['1m', '1h', '1d', 'all'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export type BucketGranularity = Exclude<Granularity, 'all'>;

export const GRANULARITY_MS: Record<BucketGranularity, number> = { '1m': MINUTE_MS, '1h': HOUR_MS, '1d': DAY_MS };

const RANGE_UNIT_MS: Record<string, number> = {
  m: MINUTE_MS,
  h: HOUR_MS,
  d: DAY_MS,
  w: 7 * DAY_MS,
  y: 365 * DAY_MS,
};

/** Parses `<n>m|h|d|w|y` (1y = 365 d) into milliseconds. */
export function parseRange(text: string): number {
  const match = /^([1-9][0-9]{0,5})([mhdwy])$/.exec(text);
  if (!match) {
    throw new StrataError(
      'STRATA_INVALID_PARAMETER',
      `"range" has invalid value "${text}": expected <n>m|h|d|w|y, such as 15m, 24h, 7d, 4w or 1y`,
    );
  }
  return Number(match[1]) * (RANGE_UNIT_MS[match[2] as string] as number);
}

/** Parses an RFC 3339 time with a zone, or epoch milliseconds, for the query parameter `name`. */
export function parseInstant(name: string, text: string): number {
  const ms = /^[0-9]{1,15}$/.test(text) ? Number(text) : parseRfc3339(text);
  if (ms === undefined) {
    throw new StrataError(
      'STRATA_INVALID_PARAMETER',
      `"${name}" has invalid value "${text}": expected RFC 3339 with a zone (2026-01-31T12:00:00Z) or epoch milliseconds`,
    );
  }
  return ms;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an RFC 3339 timestamp with a zone, or undefined when it is not one. */
export function parseRfc3339(text: string): number | undefined {
  if (!RFC3339.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

export function floorTo(ms: number, step: number): number {
  return Math.floor(ms / step) * step;
}

export function ceilTo(ms: number, step: number): number {
  return Math.ceil(ms / step) * step;
}

/** The contract's default: 1m up to 2 h, 1h up to 7 d, 1d beyond. */
export function defaultGranularity(spanMs: number): BucketGranularity {
  if (spanMs <= 2 * HOUR_MS) return '1m';
  if (spanMs <= 7 * DAY_MS) return '1h';
  return '1d';
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
