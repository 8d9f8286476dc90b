/**
 * Small SQL text helpers shared by the OLAP adapters and the ClickHouse stand-in. Values never
 * reach SQL through these except as server-side parameters or quoted literals.
 */
import type { QueryParams } from './olap';

/** `name` quoted as a ClickHouse identifier (backticks, with backslash escapes). */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

/** `text` as a ClickHouse string literal. */
export function quoteString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Setting and parameter names go into SQL unquoted, so they must be plain identifiers. */
export function assertPlainName(kind: string, name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new Error(`${kind} "${name}" has an invalid name: expected letters, digits and underscores`);
  }
}

type ParamValue = QueryParams[string];

/**
 * A parameter value in the text form ClickHouse reads for `{name:Type}` (what the HTTP interface
 * carries in `param_<name>`): strings escaped as in TabSeparated, arrays as literals, null as \N.
 * Matches @clickhouse/client's formatQueryParams, so both adapters bind identically.
 */
export function formatParamText(value: ParamValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return escapeText(value);
  return `[${value.map((v) => (typeof v === 'number' ? formatNumber(v) : `'${escapeText(v)}'`)).join(',')}]`;
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return '+inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

function escapeText(s: string): string {
  return s.replace(/[\\\t\n\r']/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', "'": "\\'" })[c] ?? c);
}

/** The rejection for a cancelled query: an AbortError, as fetch and the OlapStore contract say. */
export function abortError(message = 'The query was aborted'): Error {
  return new DOMException(message, 'AbortError');
}

/**
 * A time as DateTime64 text in UTC ('2026-11-27 10:00:00.123'), for JSONEachRow rows: the format
 * reads a number in a DateTime64 column as ticks, not seconds.
 */
export function dateTime64Text(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
