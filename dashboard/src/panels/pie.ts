/** A pie of one metric broken down by a dimension. A click on a slice or legend entry drills down. */
import type { BreakdownRow, Panel } from '../api';
import { PALETTE, PROVISIONAL_DECAL, lazyChart } from '../charts';
import { h } from '../dom';
import { formatValue, isProvisional } from '../format';
import type { ViewState } from '../url-state';
import { sliceRows, slices, type Slice } from './breakdown';
import { PanelFrame } from './frame';
import type { Drill, PanelView } from './kinds';
import { panelMetrics } from './request';

export function piePanel(panel: Panel, drill: Drill): PanelView {
  const metric = panel.metrics[0] ?? '';
  const frame = new PanelFrame(panel, [panel.group_by?.join(' · ') ?? 'Group', 'Value']);
  const host = h('div', { class: 'chart', 'aria-hidden': 'true' });
  frame.body.append(host);
  let current: Slice[] = [];
  const drillBy = (name: string) => {
    const slice = current.find((s) => s.label === name);
    if (slice?.drill) drill(slice.drill);
  };
  const chart = lazyChart(host, (c) => {
    c.on('click', (e) => drillBy((e as { name: string }).name));
    // A legend entry drills down rather than hiding its slice.
    c.on('legendselectchanged', (e) => {
      const { name } = e as { name: string };
      c.dispatchAction({ type: 'legendSelect', name });
      drillBy(name);
    });
  });

  return {
    frame,
    async refresh(view: ViewState) {
      const rows = await panelMetrics<BreakdownRow[]>(panel, view, 'breakdown');
      current = slices(rows, panel);
      await chart.draw({
        color: PALETTE,
        ...(chart.drawn ? {} : {
          tooltip: { trigger: 'item', valueFormatter: (v: unknown) => formatValue(metric, Number(v)) },
          legend: { type: 'scroll', orient: 'vertical', right: 0, top: 'middle' },
        }),
        series: [{
          id: 'pie', type: 'pie', radius: ['38%', '70%'], center: ['38%', '50%'], label: { show: false },
          data: current.map((s) => ({ name: s.label, value: s.value, ...(isProvisional(s.layer) ? { itemStyle: { decal: PROVISIONAL_DECAL } } : {}) })),
        }],
      });
      frame.setRows(sliceRows(current, metric), drill);
      frame.setState(current.length ? 'ready' : 'empty', current.length ? '' : 'Nothing to break down in this window: pick a longer range or remove a filter.');
    },
    dispose: () => chart.dispose(),
  };
}
