/**
 * Shapes rows from the planned queries into the contract's replies: breakdowns, totals and
 * zero-filled series, one metric or several.
 */
import type { Dimension } from './dimensions';
import { type Layer, type PublishedHours, layerOf } from './layers';
import type { MetricsRequest } from './metrics-request';
import { roundValue } from './metrics';
import { metricAlias } from './planner';
import { GRANULARITY_MS, toIso } from './time';

export type { Layer };

export type Row = Record<string, unknown>;

export interface MetricsReply {
  body: unknown;
  totalGroups: number | undefined;
}

export interface ReplyInput {
  ranking: Row[] | undefined;
  series: Row[] | undefined;
  total: Row | undefined;
  /** The published hours the queries read from batch; every other hour was read from speed. */
  published: PublishedHours;
}

export function buildReply(request: MetricsRequest, input: ReplyInput): MetricsReply {
  const totalGroups = input.ranking ? Number(input.ranking[0]?.total_groups ?? 0) : undefined;
  if (request.shape === 'breakdown') return { body: breakdown(request, input), totalGroups };
  if (request.shape === 'total') return { body: totals(request, input), totalGroups };
  return { body: series(request, input), totalGroups };
}

function breakdown(request: MetricsRequest, input: ReplyInput): Row[] {
  const single = request.metrics.length === 1;
  const layer = layerOf(input.published, request.from, request.to);
  return (input.ranking ?? []).map((row) => {
    const out: Row = keysOf(request.groupBy, row);
    request.metrics.forEach((m, i) => (out[single ? 'value' : m.name] = value(row[metricAlias(i)])));
    out.layer = layer;
    return out;
  });
}

function totals(request: MetricsRequest, input: ReplyInput): unknown {
  const layer = layerOf(input.published, request.from, request.to);
  const one = (i: number) => ({
    name: request.metrics[i]?.name,
    from: toIso(request.from),
    to: toIso(request.to),
    value: value(input.total?.[metricAlias(i)]),
    layer,
  });
  return perMetric(request, one);
}

function series(request: MetricsRequest, input: ReplyInput): unknown {
  const step = GRANULARITY_MS[request.granularity ?? '1h'];
  const starts: number[] = [];
  for (let t = request.from; t < request.to; t += step) starts.push(t);
  // Zero-filled points carry a layer too: the layer that would have held their rows.
  const layers = starts.map((t) => layerOf(input.published, t, t + step));
  const rows = input.series ?? [];

  /** A group's rows by bucket start, built once and read for every metric. */
  const byBucket = (groupRows: Row[]) => new Map(groupRows.map((r) => [Number(r.t) * 1000, r]));
  const points = (i: number, byT: Map<number, Row>) =>
    starts.map((t, j) => ({ t: toIso(t), value: value(byT.get(t)?.[metricAlias(i)]), layer: layers[j] }));
  const groupKey = (row: Row) => JSON.stringify(request.groupBy.map((d) => row[d]));
  const rowsByGroup = new Map<string, Row[]>();
  for (const row of rows) {
    const key = groupKey(row);
    const list = rowsByGroup.get(key);
    if (list) list.push(row);
    else rowsByGroup.set(key, [row]);
  }
  const groups = request.groupBy.length === 0 ? undefined : (input.ranking ?? []).map((rankRow) => ({
    keys: keysOf(request.groupBy, rankRow),
    byT: byBucket(rowsByGroup.get(groupKey(rankRow)) ?? []),
  }));
  const ungrouped = groups ? undefined : byBucket(rows);
  const one = (i: number) => {
    const head = { name: request.metrics[i]?.name, granularity: request.granularity, from: toIso(request.from), to: toIso(request.to) };
    if (!groups) return { ...head, points: points(i, ungrouped ?? new Map()) };
    return { ...head, series: groups.map((g) => ({ ...g.keys, points: points(i, g.byT) })) };
  };
  return perMetric(request, one);
}

function perMetric(request: MetricsRequest, one: (index: number) => unknown): unknown {
  if (request.metrics.length === 1) return one(0);
  return { metrics: Object.fromEntries(request.metrics.map((m, i) => [m.name, one(i)])) };
}

function keysOf(dimensions: readonly Dimension[], row: Row): Row {
  return Object.fromEntries(dimensions.map((d) => [d, row[d]]));
}

/** Counts and sums are zero where a bucket has no rows; every value is a JSON number. */
function value(raw: unknown): number {
  if (raw === undefined || raw === null) return 0;
  const n = typeof raw === 'number' ? raw : Number(raw);
  return Number.isFinite(n) ? roundValue(n) : 0;
}
