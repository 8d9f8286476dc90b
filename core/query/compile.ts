/**
 * Renders a prepared query as parameterised SQL for its target: ClickHouse for `rollups`, DuckDB
 * for `events`. The user's WHERE goes in parentheses after the tenant and the window, so nothing
 * in it can widen what is read; every value is a parameter, and every identifier comes from the
 * schema. Output columns are aliased c0, c1, … : user aliases never reach SQL, and cannot collide
 * with a column (ClickHouse lets an alias shadow a column everywhere in the query).
 */
import { type ParamType, clickhouse, duckdb } from './dialects';
import type { OutputColumn, Predicate, Value } from './ir';
import type { PreparedQuery } from './prepare';
import { TIME_COLUMN } from './schema';

export interface CompileOptions {
  tenant: string;
  /**
   * The rows to read, as SQL the compiler puts after FROM: a table name or a parenthesised
   * subquery, without an alias. It must expose `tenant` and, for rollups, `minute` (DateTime in
   * UTC), the dimensions in `query.dimensions` (a cube holding them will do), events, sessions,
   * revenue and users (uniqCombined states); for events, the archive's columns (core/archive.ts),
   * each event once. It is given the prepared query, to cover its window and dimensions. Its own
   * parameters must not start with `q_`.
   */
  source: (query: PreparedQuery) => string;
}

export interface CompiledQuery {
  sql: string;
  /**
   * Values by parameter name, every name starting with `q_`. ClickHouse reads them as
   * `{q_0:String}` (pass as `query_params`); DuckDB as `$q_0` (pass to `prepared.bind(params)`).
   * Times are epoch milliseconds.
   */
  params: Record<string, string | number>;
  /** The reply's columns, in row order. */
  columns: OutputColumn[];
}

export function compileQuery(query: PreparedQuery, options: CompileOptions): CompiledQuery {
  const { checked, window } = query;
  const dialect = query.target === 'rollups' ? clickhouse : duckdb;
  const params: Record<string, string | number> = {};
  let next = 0;
  const bind = (value: string | number, type: ParamType, name = `q_${next++}`): string => {
    params[name] = value;
    return dialect.param(name, type);
  };
  const properties = new Map<string, string>();
  const render = (value: Value): string => {
    switch (value.kind) {
      case 'column': return dialect.column(value.name);
      case 'property': {
        // One parameter per key, so that the same key in SELECT and GROUP BY is the same expression.
        const sql = properties.get(value.name) ?? dialect.property(bind(`$.${value.name}`, 'string'));
        properties.set(value.name, sql);
        return sql;
      }
      case 'literal': return bind(value.value, value.type);
      case 'bucket': return dialect.bucket(value.unit, render(value.arg));
      case 'aggregate': return dialect.aggregate(value.fn, value.arg && render(value.arg));
    }
  };
  const condition = (p: Predicate): string => {
    switch (p.kind) {
      case 'compare': return `${render(p.left)} ${p.op} ${render(p.right)}`;
      case 'in': return `${render(p.left)} ${p.negated ? 'NOT IN' : 'IN'} (${p.list.map(render).join(', ')})`;
      case 'and':
      case 'or': return p.parts.map(grouped).join(` ${p.kind.toUpperCase()} `);
      case 'not': return `NOT (${condition(p.operand)})`;
    }
  };
  // Operands that are not plain comparisons keep their own parentheses, whatever the precedence.
  const grouped = (p: Predicate): string => (p.kind === 'compare' || p.kind === 'in' ? condition(p) : `(${condition(p)})`);

  const time = dialect.column(TIME_COLUMN[query.target]);
  const where = [
    `${dialect.column('tenant')} = ${bind(options.tenant, 'string', 'q_tenant')}`,
    `${time} >= ${bind(window.from, 'time', 'q_from')}`,
    `${time} < ${bind(window.to, 'time', 'q_to')}`,
  ];
  const select = checked.select.map((item, i) => `${render(item.value)} AS c${i}`);
  if (checked.where) where.push(`(${condition(checked.where)})`);
  const lines = [`SELECT ${select.join(', ')}`, `FROM ${options.source(query)}`, `WHERE ${where.join(' AND ')}`];
  if (checked.groupBy.length > 0) lines.push(`GROUP BY ${checked.groupBy.map(render).join(', ')}`);
  if (checked.orderBy.length > 0) {
    const order = checked.orderBy.map((o) => `${'select' in o ? `c${o.select}` : render(o.value)} ${o.descending ? 'DESC' : 'ASC'}`);
    lines.push(`ORDER BY ${order.join(', ')}`);
  }
  lines.push(`LIMIT ${bind(checked.limit, 'count', 'q_limit')}`);
  return { sql: lines.join('\n'), params, columns: checked.select.map((s) => s.column) };
}
