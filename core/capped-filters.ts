/**
 * Filters on values the dimension dictionary never admitted because it was full: such events were
 * counted under `(other)`, so the filter matches `(other)` and the reply says so (Strata-Warning).
 * A value unknown to a dictionary that is not full simply matches nothing.
 */
import { type Dimension, OTHER_VALUE, dimensionCap } from './dimensions';
import type { MetricsRequest } from './metrics-request';
import { DICTIONARY_TABLE } from './rollups';

export interface PlannedLookup {
  sql: string;
  params: Record<string, string | string[]>;
}

/** Per filtered dimension: how many values the tenant's dictionary holds, and which filter values are among them. */
export function planDictionaryLookup(request: MetricsRequest, tenant: string, table: (name: string) => string): PlannedLookup | undefined {
  if (request.filters.size === 0) return undefined;
  const values = [...new Set([...request.filters.values()].flat())];
  return {
    sql: `SELECT dimension, count() AS admitted, groupArrayIf(value, value IN {values:Array(String)}) AS known
      FROM (SELECT DISTINCT dimension, value FROM ${table(DICTIONARY_TABLE)} WHERE tenant = {tenant:String} AND dimension IN {dimensions:Array(String)})
      GROUP BY dimension`,
    params: { tenant, dimensions: [...request.filters.keys()], values },
  };
}

export interface CappedFilters {
  request: MetricsRequest;
  /** For the Strata-Warning header; empty when no filter value fell into (other). */
  warning: string;
}

export function resolveCappedFilters(request: MetricsRequest, rows: readonly Record<string, unknown>[]): CappedFilters {
  const byDimension = new Map(rows.map((row) => [String(row.dimension), { admitted: Number(row.admitted), known: new Set(row.known as string[]) }]));
  const filters = new Map(request.filters);
  const notes: string[] = [];
  for (const [dimension, values] of request.filters) {
    const dictionary = byDimension.get(dimension);
    if (!dictionary || dictionary.admitted < dimensionCap(dimension as Dimension)) continue;
    const capped = values.filter((v) => v !== OTHER_VALUE && !dictionary.known.has(v));
    if (capped.length === 0) continue;
    filters.set(dimension, [...new Set([...values.filter((v) => !capped.includes(v)), OTHER_VALUE])]);
    notes.push(`${dimension}:${capped.map((v) => encodeURIComponent(v)).join('|')}`);
  }
  if (notes.length === 0) return { request, warning: '' };
  return {
    request: { ...request, filters },
    warning: `filter values the dictionary's cap turned into (other) match all of (other): ${notes.join(', ')}`,
  };
}
