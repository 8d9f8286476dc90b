/** A table of a breakdown (top pages, say): its rows are the data view, and a click drills down. */
import type { BreakdownRow, Panel } from '../api';
import type { ViewState } from '../url-state';
import { sliceRows, slices } from './breakdown';
import { PanelFrame } from './frame';
import type { Drill, PanelView } from './kinds';
import { panelMetrics } from './request';

export function tablePanel(panel: Panel, drill: Drill): PanelView {
  const metric = panel.metrics[0] ?? '';
  const frame = new PanelFrame(panel, [panel.group_by?.join(' · ') ?? 'Group', metric], { dataViewVisible: true });
  return {
    frame,
    async refresh(view: ViewState) {
      const rows = await panelMetrics<BreakdownRow[]>(panel, view, 'breakdown');
      const current = slices(rows, panel);
      frame.setRows(sliceRows(current, metric), drill);
      frame.setState(current.length ? 'ready' : 'empty', current.length ? '' : 'No rows in this window: pick a longer range or remove a filter.');
    },
    dispose: () => undefined,
  };
}
