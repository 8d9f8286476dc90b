/**
 * The first half of running an ad-hoc query: parse, check, and work out what the executor must
 * know before it can build the rows to read (the window, the dimensions, how coarse rollup rows
 * may be). compileQuery (compile.ts) then writes the SQL over the source the executor built.
 */
import type { Dimension } from '../dimensions';
import { checkQuery } from './check';
import { type CheckedQuery, type OutputColumn, type Predicate, type Value, columnsOf } from './ir';
import { parseQuery } from './parser';
import { type Table, TIME_COLUMN, findColumn } from './schema';
import { type TimeWindow, conjuncts, timeBound, windowOf } from './window';

/** The coarsest rollup rows that answer a query exactly, window edges aside. */
export type Grain = 'minute' | 'hour' | 'day';

export interface PreparedQuery {
  /** `rollups` compile to ClickHouse SQL, `events` to DuckDB SQL. */
  target: Table;
  /** The reply's columns, in row order. */
  columns: OutputColumn[];
  /** [from, to) in epoch ms; see windowOf for the defaults and limits. */
  window: TimeWindow;
  /** The dimensions the query reads, so that a rollups source can use the smallest cube holding them. */
  dimensions: Dimension[];
  /**
   * For rollups: the coarsest time grain of rows that gives the same answer, inside whole buckets
   * of that grain. Hour or day rows may serve the hours (days) wholly inside the window; its
   * edges, when not aligned, still need minute rows.
   */
  grain: Grain;
  limit: number;
  /** The checked query, for compileQuery. */
  checked: CheckedQuery;
}

export interface PrepareOptions {
  /** Epoch ms that `now()` stands for, and where windows end by default. */
  now: number;
}

/** Parses and checks query text; throws StrataError STRATA_QUERY_SYNTAX or STRATA_QUERY_INVALID. */
export function prepareQuery(text: string, options: PrepareOptions): PreparedQuery {
  const { now } = options;
  if (!Number.isSafeInteger(now)) throw new TypeError(`now must be epoch milliseconds, not ${now}`);
  const query = parseQuery(text);
  const checked = checkQuery(query, text, now);
  const window = windowOf(checked, now, text, query.fromAt);
  const all = conjuncts(checked.where);
  const values = valuesOf(checked, all);
  // The window's own bounds say nothing about grain: the executor handles the window's edges.
  const unbounded = valuesOf(checked, all.filter((p) => timeBound(checked, p) === undefined));
  return {
    target: checked.table,
    columns: checked.select.map((s) => s.column),
    window,
    dimensions: dimensionsOf(checked.table, values),
    grain: grainOf(checked.table, unbounded),
    limit: checked.limit,
    checked,
  };
}

/** Every value the query reads, with `conditions` standing for its WHERE. */
function valuesOf(query: CheckedQuery, conditions: readonly Predicate[]): Value[] {
  const values: Value[] = [...query.select.map((s) => s.value), ...query.groupBy];
  for (const o of query.orderBy) if ('value' in o) values.push(o.value);
  const visit = (p: Predicate): void => {
    if (p.kind === 'compare') values.push(p.left, p.right);
    else if (p.kind === 'in') values.push(p.left, ...p.list);
    else if (p.kind === 'not') visit(p.operand);
    else p.parts.forEach(visit);
  };
  conditions.forEach(visit);
  return values;
}

function dimensionsOf(table: Table, values: readonly Value[]): Dimension[] {
  const found = new Set<Dimension>();
  for (const value of values) {
    for (const name of columnsOf(value)) {
      const dimension = findColumn(table, name)?.dimension;
      if (dimension) found.add(dimension);
    }
  }
  return [...found];
}

const GRAIN_OF_UNIT = { minute: 'minute', hour: 'hour', day: 'day', week: 'day', month: 'day' } as const;
const GRAINS: readonly Grain[] = ['minute', 'hour', 'day'];

/** The finest grain any use of the time column needs: a bare use needs minutes. */
function grainOf(table: Table, values: readonly Value[]): Grain {
  const time = TIME_COLUMN[table];
  let finest = 2;
  const visit = (value: Value): void => {
    if (value.kind === 'bucket' && value.arg.kind === 'column' && value.arg.name === time) {
      finest = Math.min(finest, GRAINS.indexOf(GRAIN_OF_UNIT[value.unit]));
    } else if (value.kind === 'column' && value.name === time) {
      finest = 0;
    } else if (value.kind === 'aggregate' && value.arg) {
      visit(value.arg);
    }
  };
  values.forEach(visit);
  return GRAINS[finest] as Grain;
}
