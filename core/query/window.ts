/**
 * The time window of a query, [from, to) in epoch ms, read from the bounds its WHERE puts on the
 * table's time column. Only top-level AND conjuncts count: a bound under OR or NOT does not bound
 * the rows. The executor plans from the window (which layers, which archive files), and the
 * compiler ANDs it onto the SQL, so rows outside it are never returned either way.
 */
import { DAY_MS, toIso } from '../time';
import type { CompareOp } from './ast';
import { invalidError } from './errors';
import type { CheckedQuery, Predicate, Value } from './ir';
import { TIME_COLUMN } from './schema';

export interface TimeWindow {
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms; never after `now`, and never before `from` (an empty window is [to, to)). */
  to: number;
}

/** Every file a query on events reads is fetched from object storage; this bounds how many. */
export const EVENTS_MAX_SPAN_MS = 31 * DAY_MS;
/** A rollups query with no lower bound reads the 7 days before its upper bound. */
export const ROLLUPS_DEFAULT_SPAN_MS = 7 * DAY_MS;

const FLIPPED: Record<CompareOp, CompareOp> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** The top-level conjuncts of a WHERE: `a AND (b AND c)` gives a, b, c. */
export function conjuncts(where: Predicate | undefined): Predicate[] {
  if (!where) return [];
  return where.kind === 'and' ? where.parts.flatMap(conjuncts) : [where];
}

/** The comparison as `time op instant`, when it is one. */
export function timeBound(query: CheckedQuery, p: Predicate): { op: CompareOp; at: number } | undefined {
  if (p.kind !== 'compare') return undefined;
  const isTime = (v: Value) => v.kind === 'column' && v.name === TIME_COLUMN[query.table];
  const instant = (v: Value) => (v.kind === 'literal' && v.type === 'time' ? v.value : undefined);
  const right = instant(p.right);
  if (isTime(p.left) && right !== undefined) return { op: p.op, at: right };
  const left = instant(p.left);
  if (isTime(p.right) && left !== undefined) return { op: FLIPPED[p.op], at: left };
  return undefined;
}

/**
 * Reads the window. `> t` and `<= t` move the edge by 1 ms, the archive's precision. Without an
 * upper bound the window ends at now; rollups without a lower bound start 7 days before the end;
 * events must have a lower bound and span at most 31 days. `fromAt` places errors in the text.
 */
export function windowOf(query: CheckedQuery, now: number, text: string, fromAt: number): TimeWindow {
  let from = -Infinity;
  let to = Infinity;
  for (const p of conjuncts(query.where)) {
    const bound = timeBound(query, p);
    if (!bound) continue;
    const { op, at } = bound;
    if (op === '>=' || op === '=') from = Math.max(from, at);
    if (op === '>') from = Math.max(from, at + 1);
    if (op === '<') to = Math.min(to, at);
    if (op === '<=' || op === '=') to = Math.min(to, at + 1);
  }
  to = Math.min(to, now);
  if (query.table === 'rollups') {
    if (from === -Infinity) from = to - ROLLUPS_DEFAULT_SPAN_MS;
    return { from: Math.min(from, to), to };
  }
  const column = TIME_COLUMN.events;
  if (from === -Infinity) {
    throw invalidError(text, fromAt,
      `a query on events must bound ${column} from below and span at most 31 days, as in WHERE ${column} >= now() - INTERVAL 1 day, ` +
      'because every archive file it reads is fetched from object storage');
  }
  if (to - from > EVENTS_MAX_SPAN_MS) {
    throw invalidError(text, fromAt,
      `a query on events may span at most 31 days of ${column}, because every archive file it reads is fetched from object storage; ` +
      `this one spans [${toIso(from)}, ${toIso(to)}) (query rollups for longer windows)`);
  }
  return { from: Math.min(from, to), to };
}
