/**
 * Result values as the reply states them, by the column's type: numbers as JSON numbers (engines
 * hand 64-bit integers and decimals over as text or bigint), times as RFC 3339 in UTC.
 */
import type { OutputColumn } from '../../core/query';

export function replyValue(type: OutputColumn['type'], value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'number') return Number(typeof value === 'object' ? String(value) : value);
  if (type === 'time') return asRfc3339(value);
  return String(value);
}

/** ClickHouse writes `2026-11-20 10:00:00` (or a date alone), DuckDB `2026-11-20 10:00:00` or with a fraction. */
function asRfc3339(value: unknown): string {
  const text = value instanceof Date ? value.toISOString() : String(value);
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2})(\.\d+)?)?/.exec(text);
  if (!match) return text;
  const fraction = match[3] && Number(match[3]) !== 0 ? match[3].slice(0, 4) : '';
  return `${match[1]}T${match[2] ?? '00:00:00'}${fraction}Z`;
}

/** Rows keyed by the compiler's aliases (c0, c1, …) as arrays in column order. */
export function replyRows(columns: readonly OutputColumn[], rows: readonly Record<string, unknown>[]): unknown[][] {
  return rows.map((row) => columns.map((column, i) => replyValue(column.type, row[`c${i}`])));
}
