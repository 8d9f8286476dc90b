/**
 * ECharts, with only the parts the UI draws (line, pie and bar charts, their axes, tooltips,
 * legends, zoom and shaded areas), so the bundle stays small.
 */
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, TooltipComponent, AriaComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, PieChart, BarChart, GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, MarkAreaComponent, AriaComponent, CanvasRenderer]);

export type Chart = echarts.ECharts;
export type ChartOption = echarts.EChartsCoreOption;

export const PALETTE = ['#3b6fd8', '#e0823d', '#2e9e6b', '#c2487a', '#7b5cc4', '#c9a227', '#3ba3b8', '#8a8f98'];
/** How provisional (speed or mixed) numbers are drawn: a hatch over the series colour. */
export const PROVISIONAL_DECAL = { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [3, 3], rotation: Math.PI / 4, color: 'rgba(255,255,255,0.55)' };
export const PROVISIONAL_AREA = 'rgba(224, 130, 61, 0.12)';

/** A chart in `el` that follows the element's size (the grid reflows from desktop to phone). */
export function mountChart(el: HTMLElement): Chart {
  const chart = echarts.init(el, undefined, { renderer: 'canvas' });
  new ResizeObserver(() => chart.resize()).observe(el);
  return chart;
}

/**
 * Resolves once the chart has finished drawing what it was last given, animation included, so
 * "drawn" means what the user sees. A chart with nothing left to animate may not fire `finished`
 * again; the timeout covers that.
 */
export function rendered(chart: Chart, timeoutMs = 1500): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      chart.off('finished', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    chart.on('finished', done);
  });
}
