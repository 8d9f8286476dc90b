/**
 * Parses and validates `GET /v1/metrics` parameters into a request the planner can answer.
 * Every rule of the contract's time semantics lives here, once.
 */
import { BUILT_IN_DIMENSIONS, type Dimension, isDimension } from './dimensions';
import { StrataError } from './errors';
import { METRIC_NAMES, type MetricDefinition, findMetric } from './metrics';
import {
  type BucketGranularity, GRANULARITIES, GRANULARITY_MS, type Granularity, MINUTE_MS,
  ceilTo, defaultGranularity, floorTo, parseInstant, parseRange,
} from './time';

export const MAX_POINTS = 10_000;
export const MAX_LIMIT = 10_000;
const PARAMETERS = ['name', 'range', 'from', 'to', 'granularity', 'group_by', 'filter', 'limit'] as const;

export type MetricsShape = 'series' | 'breakdown' | 'total';

export interface MetricsRequest {
  metrics: MetricDefinition[];
  shape: MetricsShape;
  /** Effective window [from, to), epoch ms, already floored and ceiled. */
  from: number;
  to: number;
  /** Bucket size for series. */
  granularity: BucketGranularity | undefined;
  groupBy: Dimension[];
  limit: number;
  /** Values per dimension: OR within a dimension, AND across dimensions. */
  filters: Map<Dimension, string[]>;
}

export type RawParams = Record<string, string | string[] | undefined>;

export function parseMetricsRequest(params: RawParams, now: number): MetricsRequest {
  for (const key of Object.keys(params)) {
    if (!(PARAMETERS as readonly string[]).includes(key) && !isDimension(key)) {
      invalid(`unknown parameter "${key}"; valid parameters: ${PARAMETERS.join(', ')}, or a dimension: ${BUILT_IN_DIMENSIONS.join(', ')}`);
    }
  }
  const metrics = required(params, 'name').split(',').map((name) => {
    const metric = findMetric(name.trim());
    if (!metric) {
      throw new StrataError('STRATA_UNKNOWN_METRIC', `unknown metric "${name}"; valid metrics: ${METRIC_NAMES.join(', ')}`);
    }
    return metric;
  });
  if (new Set(metrics.map((m) => m.name)).size !== metrics.length) invalid('"name" lists a metric twice');

  const { from, to } = window(params, now);
  const granularityText = optional(params, 'granularity');
  if (granularityText !== undefined && !(GRANULARITIES as readonly string[]).includes(granularityText)) {
    invalid(`"granularity" has invalid value "${granularityText}"; valid values: ${GRANULARITIES.join(', ')}`);
  }
  const groupBy = parseGroupBy(optional(params, 'group_by'));
  const shape: MetricsShape =
    groupBy.length > 0 && (granularityText === undefined || granularityText === 'all') ? 'breakdown'
      : granularityText === 'all' ? 'total' : 'series';
  const limit = parseLimit(optional(params, 'limit'), shape === 'breakdown' ? 100 : 10);
  const filters = parseFilters(params);

  if (shape !== 'series') {
    // Breakdowns and totals cover [from, to) at minute resolution.
    return { metrics, shape, from: floorTo(from, MINUTE_MS), to: ceilTo(to, MINUTE_MS), granularity: undefined, groupBy, limit, filters };
  }
  const granularity = (granularityText as BucketGranularity | undefined) ?? defaultGranularity(to - from);
  const step = GRANULARITY_MS[granularity];
  const request = { metrics, shape, from: floorTo(from, step), to: ceilTo(to, step), granularity, groupBy, limit, filters };
  const points = metrics.length * (groupBy.length > 0 ? limit : 1) * ((request.to - request.from) / step);
  if (points > MAX_POINTS) {
    const coarser = granularity === '1m' ? '1h' : '1d';
    throw new StrataError('STRATA_TOO_MANY_POINTS',
      `the query asks for ${points} points (metrics × limit × buckets), more than ${MAX_POINTS}; use a coarser granularity such as granularity=${granularity === '1d' ? 'all' : coarser}, a shorter window or a smaller limit`);
  }
  return request;
}

function window(params: RawParams, now: number): { from: number; to: number } {
  const range = optional(params, 'range');
  const fromText = optional(params, 'from');
  const toText = optional(params, 'to');
  if (range !== undefined && (fromText !== undefined || toText !== undefined)) invalid('give either "range" or "from"/"to", not both');
  if (range !== undefined) return { from: now - parseRange(range), to: now };
  if (fromText === undefined) invalid('a window is required: "range" (such as 7d) or "from" [and "to"]');
  const from = parseInstant('from', fromText);
  // Buckets that start after now are not returned: a later `to` means now.
  const to = toText === undefined ? now : Math.min(parseInstant('to', toText), now);
  if (from >= to) invalid(`"from" (${fromText}) must be before "to" (${toText ?? 'now'})`);
  return { from, to };
}

function parseGroupBy(text: string | undefined): Dimension[] {
  if (text === undefined) return [];
  const names = text.split(',').map((n) => n.trim());
  for (const name of names) {
    if (!isDimension(name)) {
      throw new StrataError('STRATA_UNKNOWN_DIMENSION', `unknown dimension "${name}" in "group_by"; valid dimensions: ${BUILT_IN_DIMENSIONS.join(', ')}`);
    }
  }
  if (new Set(names).size !== names.length) invalid('"group_by" lists a dimension twice');
  return names as Dimension[];
}

function parseLimit(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^[1-9][0-9]*$/.test(text) || Number(text) > MAX_LIMIT) invalid(`"limit" has invalid value "${text}": expected a whole number from 1 to ${MAX_LIMIT}`);
  return Number(text);
}

function parseFilters(params: RawParams): Map<Dimension, string[]> {
  const filters = new Map<Dimension, string[]>();
  const add = (dimension: Dimension, values: string[]) => filters.set(dimension, [...(filters.get(dimension) ?? []), ...values]);
  for (const text of list(params, 'filter')) {
    const colon = text.indexOf(':');
    const name = colon < 0 ? text : text.slice(0, colon);
    if (colon < 0) invalid(`"filter" has invalid value "${text}": expected dimension:value`);
    if (!isDimension(name)) {
      throw new StrataError('STRATA_UNKNOWN_DIMENSION', `unknown dimension "${name}" in "filter"; valid dimensions: ${BUILT_IN_DIMENSIONS.join(', ')}`);
    }
    add(name, splitAlternatives(text.slice(colon + 1)));
  }
  for (const dimension of BUILT_IN_DIMENSIONS) {
    for (const value of list(params, dimension)) add(dimension, [value]);
  }
  return filters;
}

/** Splits on unescaped `|`; `\|` and `\\` are a literal bar and backslash. */
export function splitAlternatives(text: string): string[] {
  const values: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\\') {
      const next = text[i + 1];
      if (next !== '|' && next !== '\\') invalid(`"filter" has an invalid escape in "${text}": only \\| and \\\\ are escapes`);
      current += next;
      i++;
    } else if (ch === '|') {
      values.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  values.push(current);
  return values;
}

function list(params: RawParams, key: string): string[] {
  const value = params[key];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function optional(params: RawParams, key: string): string | undefined {
  const values = list(params, key);
  if (values.length > 1) invalid(`"${key}" is given ${values.length} times; give it once`);
  return values[0];
}

function required(params: RawParams, key: string): string {
  const value = optional(params, key);
  if (value === undefined || value === '') invalid(`"${key}" is required`);
  return value;
}

function invalid(message: string): never {
  throw new StrataError('STRATA_INVALID_PARAMETER', message);
}

export type { Granularity };
