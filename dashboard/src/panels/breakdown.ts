/** A breakdown reply's rows as the UI needs them: a label, the first metric's value, a drill filter. */
import type { BreakdownRow, Panel } from '../api';
import { formatValue } from '../format';
import { filterFor } from '../url-state';
import type { DataRow } from './frame';

export interface Slice { label: string; value: number; layer: BreakdownRow['layer']; drill: string | undefined; row: BreakdownRow }

export function slices(rows: BreakdownRow[], panel: Panel): Slice[] {
  const dims = panel.group_by ?? [];
  const metric = panel.metrics[0] ?? '';
  return rows.map((row) => ({
    label: dims.map((d) => String(row[d])).join(' · '),
    value: Number(panel.metrics.length > 1 ? row[metric] : row.value),
    layer: row.layer,
    // One dimension drills to its value; a two-dimension row drills to the first only.
    drill: dims[0] === undefined ? undefined : filterFor(dims[0], String(row[dims[0]])),
    row,
  }));
}

/** The data view's rows of a breakdown: label, value, layer, and the filter a click on it adds. */
export function sliceRows(current: readonly Slice[], metric: string): DataRow[] {
  return current.map((s) => ({ cells: [s.label, formatValue(metric, s.value)], value: s.value, layer: s.layer, kind: 'row', ...(s.drill ? { drill: s.drill } : {}) }));
}
