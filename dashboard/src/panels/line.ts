/**
 * A line chart of one or more metrics over time (or one metric grouped by a dimension). Buckets a
 * layer other than batch answered are shaded, and drawn with hollow points.
 */
import type { GroupedSeries, Panel, Point, Series } from '../api';
import { type ChartOption, PALETTE, lazyChart, provisionalMarkArea } from '../charts';
import { h } from '../dom';
import { formatCompact, formatTime, formatValue, isProvisional } from '../format';
import { filterFor, type ViewState } from '../url-state';
import { type DataRow, PanelFrame } from './frame';
import type { Drill, PanelView } from './kinds';
import { panelMetrics } from './request';

interface Line { label: string; metric: string; drill?: string; points: Point[] }

export function linePanel(panel: Panel, drill: Drill): PanelView {
  const frame = new PanelFrame(panel, ['Time', 'Series', 'Value']);
  const host = h('div', { class: 'chart', 'aria-hidden': 'true' });
  frame.body.append(host);
  const dim = panel.group_by?.[0];
  let lines: Line[] = [];
  const chart = lazyChart(host, (c) => c.on('legendselectchanged', (e) => {
    const { name } = e as { name: string };
    // A legend entry drills down (when lines are groups) rather than hiding its line.
    c.dispatchAction({ type: 'legendSelect', name });
    const line = lines.find((l) => l.label === name);
    if (line?.drill) drill(line.drill);
  }));

  return {
    frame,
    async refresh(view: ViewState) {
      const reply = await panelMetrics<Series | GroupedSeries | { metrics: Record<string, Series> }>(panel, view, 'series');
      lines = toLines(reply, panel, dim);
      const head = 'metrics' in reply ? Object.values(reply.metrics)[0] : reply;
      const granularity = head?.granularity ?? '1h';
      await chart.draw(option(lines, head?.to ?? '', chart.drawn));
      frame.setRows(lines.flatMap((l) => l.points.map((p): DataRow => ({
        cells: [formatTime(p.t, granularity), l.label, formatValue(l.metric, p.value)], value: p.value, layer: p.layer, kind: 'point',
      }))));
      const empty = lines.every((l) => l.points.every((p) => p.value === 0));
      frame.setState(empty ? 'empty' : 'ready', empty ? 'No events in this window yet. Pick a longer range, or send some.' : '');
    },
    dispose: () => chart.dispose(),
  };
}

function toLines(reply: Series | GroupedSeries | { metrics: Record<string, Series> }, panel: Panel, dim: string | undefined): Line[] {
  const metric = panel.metrics[0] ?? '';
  if ('metrics' in reply) return Object.entries(reply.metrics).map(([name, s]) => ({ label: name, metric: name, points: s.points }));
  if ('series' in reply) {
    return reply.series.map(({ points, ...keys }) => {
      const label = Object.values(keys).join(' · ');
      return { label, metric, points, ...(dim && keys[dim] !== undefined ? { drill: filterFor(dim, keys[dim]) } : {}) };
    });
  }
  return [{ label: metric, metric, points: reply.points }];
}

function option(lines: Line[], to: string, drawn: boolean): ChartOption {
  const series = lines.map((l, i) => ({
    id: l.label, name: l.label, type: 'line', showSymbol: l.points.length < 120, symbolSize: 6,
    data: l.points.map((p) => ({
      value: [p.t, p.value], layer: p.layer,
      ...(isProvisional(p.layer) ? { itemStyle: { color: '#fff', borderColor: PALETTE[i % PALETTE.length], borderType: 'dashed' } } : {}),
    })),
    markArea: i === 0 ? provisionalMarkArea(l.points, to) : undefined,
  }));
  const base: ChartOption = {
    color: PALETTE,
    series,
    legend: { show: lines.length > 1, type: 'scroll', top: 0 },
    // To the window's end, so the current bucket's band shows; the window moves on in live mode.
    xAxis: { type: 'time', max: to || undefined },
  };
  // The axes and zoom are set once: a live refresh merges new data and keeps the user's zoom.
  if (drawn) return base;
  return {
    ...base,
    grid: { left: 48, right: 16, top: 32, bottom: 56 },
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => formatValue(lines[0]?.metric ?? '', Number(v)) },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatCompact(v) } },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
  };
}
