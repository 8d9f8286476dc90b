/** A breakdown reply's rows as the UI needs them: a label, the first metric's value, a drill filter. */
import type { BreakdownRow, Panel } from '../api';
import { filterFor } from '../url-state';

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
