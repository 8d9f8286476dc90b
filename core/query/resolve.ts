/**
 * Resolves expressions and conditions against a table's schema: names to columns, literals to
 * typed values, `now()` to the instant the query runs at. Everything the schema does not allow is
 * refused here with STRATA_QUERY_INVALID, naming what is allowed instead.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS, parseRfc3339, toIso } from '../time';
import type { Condition, Expr, IntervalUnit } from './ast';
import { invalidError } from './errors';
import { type AggregateFn, type Predicate, type Value, nameOf } from './ir';
import {
  BUCKET_FUNCTIONS, DATE_TRUNC_UNITS, PROPERTY_NAME, TABLES, TABLE_COLUMNS, type Table, columnNames, findColumn, functionNames,
} from './schema';

export interface Scope {
  text: string;
  table: Table;
  /** Epoch ms that `now()` stands for. */
  now: number;
}

/** Where an expression sits; each place allows different things. */
export type Place = 'select' | 'where' | 'group' | 'order';

const PLACE_RULE: Record<Place, string> = {
  select: 'select items are columns, aggregates or time buckets',
  where: 'WHERE compares columns and time buckets with values',
  group: 'GROUP BY takes columns, time buckets, select aliases or select positions (1-based)',
  order: 'ORDER BY takes columns, aggregates, time buckets, select aliases or select positions (1-based)',
};

/** Times must fit both engines' time types (ClickHouse DateTime64 ends in 2299). */
const MIN_TIME = Date.UTC(1970, 0, 1);
const MAX_TIME = Date.UTC(2300, 0, 1);

const UNIT_MS: Record<IntervalUnit, number> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS, week: 7 * DAY_MS };

const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'uniq']);

export function resolveValue(scope: Scope, expr: Expr, place: Place): Value {
  switch (expr.kind) {
    case 'column': return column(scope, expr, place);
    case 'call': return call(scope, expr, place);
    default: {
      const value = literal(scope, expr);
      if (place !== 'where') throw invalidError(scope.text, expr.at, `${nameOf(value)} is a value; ${PLACE_RULE[place]}`);
      return value;
    }
  }
}

export function resolveCondition(scope: Scope, condition: Condition): Predicate {
  switch (condition.kind) {
    case 'and':
    case 'or': return { kind: condition.kind, parts: condition.parts.map((p) => resolveCondition(scope, p)) };
    case 'not': return { kind: 'not', operand: resolveCondition(scope, condition.operand) };
    case 'compare': {
      const [left, right] = compared(scope, condition.left, resolveValue(scope, condition.left, 'where'), condition.right, resolveValue(scope, condition.right, 'where'));
      return { kind: 'compare', op: condition.op, left, right };
    }
    case 'in': {
      const written = resolveValue(scope, condition.left, 'where');
      const items = condition.list.map((item) => {
        const value = resolveValue(scope, item, 'where');
        if (value.kind !== 'literal') throw invalidError(scope.text, item.at, `IN lists hold values (strings, numbers, times), not ${nameOf(value)}`);
        return value;
      });
      // A string on the left reads as a time when the list holds times.
      const left = asTime(scope, written, items[0] as Value, condition.left);
      const list = items.map((item, i) => compared(scope, condition.left, left, condition.list[i] as Expr, item)[1]);
      return { kind: 'in', negated: condition.negated, left, list };
    }
  }
}

/**
 * Two values compared: a string literal becomes a time beside a time, since times are written as
 * RFC 3339 strings; then both must have the same type.
 */
function compared(scope: Scope, leftExpr: Expr, left: Value, rightExpr: Expr, right: Value): [Value, Value] {
  const l = asTime(scope, left, right, leftExpr);
  const r = asTime(scope, right, l, rightExpr);
  if (l.type !== r.type) {
    const hint = l.type === 'time' || r.type === 'time'
      ? ": times compare with RFC 3339 strings ('2026-11-20T10:00:00Z'), TIMESTAMP '…', now() or now() - INTERVAL n unit"
      : '';
    throw invalidError(scope.text, leftExpr.at, `cannot compare ${nameOf(l)} (${l.type}) with ${nameOf(r)} (${r.type})${hint}`);
  }
  return [l, r];
}

function asTime(scope: Scope, value: Value, other: Value, expr: Expr): Value {
  return other.type === 'time' && value.kind === 'literal' && value.type === 'string' ? time(scope, value.value, expr.at) : value;
}

function column(scope: Scope, expr: Extract<Expr, { kind: 'column' }>, place: Place | 'sum' | 'uniq'): Value {
  const { table, text } = scope;
  const def = findColumn(table, expr.name);
  if (!def) {
    const other = TABLES.find((t) => t !== table && findColumn(t, expr.name));
    const elsewhere = other ? ` (${expr.name} is a column of ${other})` : '';
    throw invalidError(text, expr.at, `unknown column "${expr.name}" in ${table}${elsewhere}; the columns are ${columnNames(table).join(', ')}`);
  }
  if (expr.path !== undefined) {
    if (def.role !== 'json') throw invalidError(text, expr.at, `${def.name} has no fields; only properties.<name> has, on events`);
    if (!PROPERTY_NAME.test(expr.path)) {
      throw invalidError(text, expr.at, `property "${expr.path}" cannot be queried: a property name is letters, digits and underscores (at most 64), not starting with a digit`);
    }
    return { kind: 'property', name: expr.path, type: 'string' };
  }
  if (def.role === 'json') throw invalidError(text, expr.at, 'properties is JSON: name one of its keys, as in properties.plan');
  if (def.role === 'measure' && place !== 'sum') {
    const why = place === 'where' ? 'so it cannot filter rows: filter on time or dimensions' : `meaningful only summed: use sum(${def.name})`;
    throw invalidError(text, expr.at, `${def.name} is a partial sum on each rollup row, ${why}`);
  }
  if (def.role === 'state' && place !== 'uniq') {
    throw invalidError(text, expr.at, 'users holds distinct-user states, meaningful only merged: use uniq(users)');
  }
  return { kind: 'column', name: def.name, type: def.type };
}

function literal(scope: Scope, expr: Exclude<Expr, { kind: 'column' | 'call' }>): Value {
  switch (expr.kind) {
    case 'string': return { kind: 'literal', type: 'string', value: expr.value };
    case 'number':
      if (!Number.isFinite(expr.value)) throw invalidError(scope.text, expr.at, `${expr.text} is out of range for a number`);
      return { kind: 'literal', type: 'number', value: expr.value };
    case 'timestamp': return time(scope, expr.text, expr.at);
    case 'interval': {
      if (expr.base.kind !== 'call' || expr.base.args.length > 0 || expr.base.star || expr.base.distinct) {
        throw invalidError(scope.text, expr.at, 'only now() - INTERVAL n unit is supported');
      }
      if (!Number.isSafeInteger(expr.amount)) throw invalidError(scope.text, expr.at, `INTERVAL takes a whole number of ${expr.unit}s, not ${expr.amount}`);
      return inRange(scope, scope.now - expr.amount * UNIT_MS[expr.unit], expr.at);
    }
  }
}

function time(scope: Scope, text: string, at: number): Value {
  const ms = parseRfc3339(text);
  if (ms === undefined) {
    throw invalidError(scope.text, at, `'${text}' is not an RFC 3339 time with a zone, such as '2026-11-20T10:00:00Z'`);
  }
  return inRange(scope, ms, at);
}

function inRange(scope: Scope, ms: number, at: number): Value {
  if (!(ms >= MIN_TIME && ms < MAX_TIME)) {
    throw invalidError(scope.text, at, `times must fall in [${toIso(MIN_TIME)}, ${toIso(MAX_TIME)})`);
  }
  return { kind: 'literal', type: 'time', value: ms };
}

function call(scope: Scope, expr: Extract<Expr, { kind: 'call' }>, place: Place): Value {
  const name = expr.name.toLowerCase();
  const { text } = scope;
  if (name === 'now') {
    if (expr.args.length > 0 || expr.star || expr.distinct) throw invalidError(text, expr.at, 'now() takes no arguments');
    if (place !== 'where') throw invalidError(text, expr.at, `now() is a value for WHERE; ${PLACE_RULE[place]}`);
    return { kind: 'literal', type: 'time', value: scope.now };
  }
  const unit = BUCKET_FUNCTIONS[name];
  if (unit) {
    if (expr.args.length !== 1 || expr.star || expr.distinct) throw invalidError(text, expr.at, `${expr.name}() takes one time column`);
    return { kind: 'bucket', unit, arg: timeColumn(scope, expr.args[0] as Expr, expr.name), spelling: 'toStartOf', type: 'time' };
  }
  if (name === 'date_trunc') return dateTrunc(scope, expr);
  if (AGGREGATES.has(name)) {
    if (place === 'where') throw invalidError(text, expr.at, `${name}() is an aggregate, and WHERE filters rows before aggregation (there is no HAVING)`);
    if (place === 'group') throw invalidError(text, expr.at, `${name}() is an aggregate; ${PLACE_RULE.group}`);
    return aggregate(scope, expr, name);
  }
  throw invalidError(text, expr.at, `unknown function ${expr.name}(); the functions on ${scope.table} are ${functionNames(scope.table).join(', ')}`);
}

function dateTrunc(scope: Scope, expr: Extract<Expr, { kind: 'call' }>): Value {
  const [unitExpr, arg] = expr.args;
  const units = DATE_TRUNC_UNITS.map((u) => `'${u}'`).join(', ');
  if (expr.args.length !== 2 || expr.star || expr.distinct || unitExpr?.kind !== 'string') {
    throw invalidError(scope.text, expr.at, `date_trunc takes a unit (${units}) and a time column, as in date_trunc('hour', ${timeColumns(scope.table)[0]})`);
  }
  const unit = DATE_TRUNC_UNITS.find((u) => u === unitExpr.value.toLowerCase());
  if (!unit) throw invalidError(scope.text, unitExpr.at, `date_trunc's unit must be one of ${units}`);
  return { kind: 'bucket', unit, arg: timeColumn(scope, arg as Expr, 'date_trunc'), spelling: 'date_trunc', type: 'time' };
}

function timeColumns(table: Table): string[] {
  return TABLE_COLUMNS[table].filter((c) => c.type === 'time').map((c) => c.name);
}

function timeColumn(scope: Scope, expr: Expr, fn: string): Value {
  const def = expr.kind === 'column' && expr.path === undefined ? findColumn(scope.table, expr.name) : undefined;
  if (def?.type !== 'time') {
    throw invalidError(scope.text, expr.at, `${fn} takes a time column: ${timeColumns(scope.table).join(' or ')}`);
  }
  return { kind: 'column', name: def.name, type: 'time' };
}

function aggregate(scope: Scope, expr: Extract<Expr, { kind: 'call' }>, name: string): Value {
  const { text, table } = scope;
  const fail = (problem: string): never => {
    throw invalidError(text, expr.at, problem);
  };
  if (table === 'rollups') {
    if (name === 'count' && expr.distinct) fail('count(DISTINCT …) is for events; on rollups, distinct users are uniq(users)');
    if (name === 'count') fail('rollup rows are partial sums, so counting them means nothing: use sum(events) for events (weighted by sampling) or uniq(users) for distinct users');
    if (name === 'avg') fail('rollup rows are partial sums, so avg() over them means nothing: use sum(events), sum(sessions) or sum(revenue)');
  }
  if (name === 'count') {
    if (expr.distinct && expr.args.length === 1) return { kind: 'aggregate', fn: 'countDistinct', arg: argument(scope, expr, 'count'), type: 'number' };
    if (expr.distinct || expr.args.length > 0) fail('count() counts events, and count(DISTINCT col) counts distinct values; count takes no other argument');
    return { kind: 'aggregate', fn: 'count', type: 'number' };
  }
  if (expr.star || expr.distinct || expr.args.length !== 1) fail(`${name}() takes one column${expr.distinct ? ' (DISTINCT is for count(DISTINCT col))' : ''}`);
  if (name === 'uniq' && table === 'events') fail('uniq() is for rollups, whose users are sketches; on events, count exactly with count(DISTINCT user_id)');
  const arg = argument(scope, expr, name === 'sum' || name === 'uniq' ? name : 'select');
  if (name === 'sum' && table === 'rollups' && !['events', 'sessions', 'revenue'].includes(nameOf(arg))) fail('sum() on rollups takes events, sessions or revenue');
  if (name === 'uniq' && nameOf(arg) !== 'users') fail('uniq() takes users, the distinct-user states of rollups');
  if ((name === 'sum' || name === 'avg') && arg.type !== 'number') fail(`${name}() takes a number column, such as revenue or sample_weight`);
  const type = name === 'min' || name === 'max' ? arg.type : 'number';
  return { kind: 'aggregate', fn: name as AggregateFn, arg, type };
}

/** An aggregate's argument: a column, never another aggregate or a literal. */
function argument(scope: Scope, expr: Extract<Expr, { kind: 'call' }>, place: 'select' | 'sum' | 'uniq' | 'count'): Value {
  const arg = expr.args[0] as Expr;
  if (arg.kind !== 'column') throw invalidError(scope.text, arg.at, `the argument of ${expr.name.toLowerCase()}() must be a column`);
  return column(scope, arg, place === 'count' ? 'select' : place);
}
