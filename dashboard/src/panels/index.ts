/** One view per chart kind. */
import type { Panel } from '../api';
import type { Drill, PanelView } from './kinds';
import { linePanel } from './line';
import { numberPanel } from './number';
import { piePanel } from './pie';
import { tablePanel } from './table';

export type { PanelView } from './kinds';

export function panelView(panel: Panel, drill: Drill): PanelView {
  switch (panel.chart) {
    case 'line': return linePanel(panel, drill);
    case 'pie': return piePanel(panel, drill);
    case 'table': return tablePanel(panel, drill);
    case 'number': return numberPanel(panel);
  }
}
