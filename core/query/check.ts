/**
 * Checks a parsed query as a whole: the table, output names, what GROUP BY and ORDER BY refer to,
 * the grouping rule, and LIMIT. Expressions themselves are resolved in resolve.ts.
 */
import type { Expr, Query } from './ast';
import { invalidError } from './errors';
import { type CheckedQuery, type OutputColumn, type Value, isAggregate, nameOf, sameValue } from './ir';
import { type Scope, resolveCondition, resolveValue } from './resolve';
import { TABLES, type Table } from './schema';

/** Rows a query returns when it gives no LIMIT. */
export const DEFAULT_LIMIT = 1000;
/** The largest LIMIT; a reply holds every row at once. */
export const MAX_LIMIT = 100_000;

export function checkQuery(query: Query, text: string, now: number): CheckedQuery {
  if (!(TABLES as readonly string[]).includes(query.from)) {
    throw invalidError(text, query.fromAt, `unknown table "${query.from}"; the tables are ${TABLES.join(' and ')}`);
  }
  const scope: Scope = { text, table: query.from as Table, now };
  const select = selectItems(scope, query);
  const where = query.where && resolveCondition(scope, query.where);
  const groupBy = query.groupBy.map((expr) => {
    const item = selectReference(scope, select, expr, 'GROUP BY');
    if (item === undefined) return resolveValue(scope, expr, 'group');
    const value = (select[item] as CheckedQuery['select'][number]).value;
    if (isAggregate(value)) throw invalidError(text, expr.at, `GROUP BY cannot group by ${nameOf(value)}, an aggregate`);
    return value;
  });
  type Order = { select: number; descending: boolean } | { value: Value; descending: boolean; at: number };
  const orderBy = query.orderBy.map(({ expr, descending }): Order => {
    const item = selectReference(scope, select, expr, 'ORDER BY');
    if (item !== undefined) return { select: item, descending };
    const value = resolveValue(scope, expr, 'order');
    const same = select.findIndex((s) => sameValue(s.value, value));
    return same === -1 ? { value, descending, at: expr.at } : { select: same, descending };
  });

  const aggregated = groupBy.length > 0 || select.some((s) => isAggregate(s.value)) || orderBy.some((o) => 'value' in o && isAggregate(o.value));
  if (aggregated) {
    for (const item of select) ensureGrouped(scope, groupBy, item.value, item.at);
    for (const item of orderBy) if ('value' in item) ensureGrouped(scope, groupBy, item.value, item.at);
  }
  return {
    table: scope.table,
    select: select.map(({ value, column }) => ({ value, column })),
    where,
    groupBy,
    orderBy: orderBy.map((o) => ('value' in o ? { value: o.value, descending: o.descending } : o)),
    limit: limitOf(text, query),
  };
}

type Item = { value: Value; column: OutputColumn; at: number };

function selectItems(scope: Scope, query: Query): Item[] {
  const names = new Map<string, number>();
  return query.select.map((item) => {
    const value = resolveValue(scope, item.expr, 'select');
    const name = item.alias ?? nameOf(value);
    const key = name.toLowerCase();
    if (names.has(key)) throw invalidError(scope.text, item.at, `two columns are named ${name}: give one another name with AS`);
    names.set(key, item.at);
    return { value, column: { name, type: value.type }, at: item.at };
  });
}

/**
 * The select item a GROUP BY or ORDER BY entry names by position (1-based) or output name, if it
 * does. A name refers to the select item even when a column has it too (`sum(events) AS events`),
 * since that is what the query's author means; WHERE sees columns only.
 */
function selectReference(scope: Scope, select: readonly Item[], expr: Expr, clause: string): number | undefined {
  if (expr.kind === 'number') {
    if (!Number.isInteger(expr.value) || expr.value < 1 || expr.value > select.length) {
      throw invalidError(scope.text, expr.at, `${clause} ${expr.text} is not a select position: the positions are 1 to ${select.length}`);
    }
    return expr.value - 1;
  }
  if (expr.kind !== 'column' || expr.path !== undefined) return undefined;
  const index = select.findIndex((s) => s.column.name.toLowerCase() === expr.name);
  return index === -1 ? undefined : index;
}

/**
 * In an aggregating query every value outside an aggregate must be a group key, or a time bucket
 * of one (one value per group either way).
 */
function ensureGrouped(scope: Scope, groupBy: readonly Value[], value: Value, at: number): void {
  if (isAggregate(value) || groupBy.some((g) => sameValue(g, value))) return;
  if (value.kind === 'bucket' && groupBy.some((g) => sameValue(g, value.arg))) return;
  throw invalidError(scope.text, at,
    `${nameOf(value)} must appear in GROUP BY or be inside an aggregate, because the query aggregates: add GROUP BY ${nameOf(value)}`);
}

function limitOf(text: string, query: Query): number {
  if (!query.limit) return DEFAULT_LIMIT;
  const { value, at } = query.limit;
  if (!Number.isInteger(value)) throw invalidError(text, at, `LIMIT takes a whole number, not ${value}`);
  if (value > MAX_LIMIT) throw invalidError(text, at, `LIMIT ${value} is above the maximum of ${MAX_LIMIT}`);
  return value;
}
