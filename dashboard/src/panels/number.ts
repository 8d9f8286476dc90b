/** A number tile: the metric's total over the window (granularity=all), with a sparkline of its series. */
import type { Panel, Series, Total } from '../api';
import { PALETTE, lazyChart, provisionalMarkArea } from '../charts';
import { h } from '../dom';
import { formatTime, formatValue, isProvisional, layerLabel } from '../format';
import type { ViewState } from '../url-state';
import { type DataRow, PanelFrame } from './frame';
import type { PanelView } from './kinds';
import { panelMetrics } from './request';

export function numberPanel(panel: Panel): PanelView {
  const metric = panel.metrics[0] ?? '';
  const frame = new PanelFrame(panel, ['', 'Value']);
  const value = h('p', { class: 'tile-value' }, '–');
  const badge = h('span', { class: 'tile-layer' });
  const spark = h('div', { class: 'sparkline', 'aria-hidden': 'true' });
  frame.body.append(h('div', { class: 'tile' }, value, badge), spark);
  const chart = lazyChart(spark);
  const one = { ...panel, metrics: [metric], group_by: undefined };

  return {
    frame,
    async refresh(view: ViewState) {
      const [total, series] = await Promise.all([
        panelMetrics<Total>(one, view, 'total'),
        panelMetrics<Series>(one, view, 'series'),
      ]);
      value.textContent = formatValue(metric, total.value);
      badge.textContent = layerLabel(total.layer);
      badge.className = `tile-layer ${isProvisional(total.layer) ? 'provisional' : 'exact'}`;
      await chart.draw({
        xAxis: { type: 'time', show: false, max: series.to },
        ...(chart.drawn ? {} : { grid: { left: 0, right: 0, top: 2, bottom: 2 }, yAxis: { type: 'value', show: false } }),
        series: [{
          id: 'spark', type: 'line', showSymbol: false, areaStyle: { opacity: 0.15 }, color: PALETTE[0],
          data: series.points.map((p) => [p.t, p.value]),
          markArea: provisionalMarkArea(series.points, series.to),
        }],
      });
      const rows: DataRow[] = [
        { cells: ['Total', formatValue(metric, total.value)], value: total.value, layer: total.layer, kind: 'total' },
        ...series.points.map((p): DataRow => ({ cells: [formatTime(p.t, series.granularity), formatValue(metric, p.value)], value: p.value, layer: p.layer, kind: 'point' })),
      ];
      frame.setRows(rows);
      frame.setState('ready');
    },
    dispose: () => chart.dispose(),
  };
}
