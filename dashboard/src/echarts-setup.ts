/**
 * ECharts, with only the parts the UI draws (line, pie and bar charts, their axes, tooltips,
 * legends, zoom and shaded areas). It is most of the bundle, so it is its own chunk, loaded while
 * the panels' first requests are already out (see charts.ts).
 */
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { AriaComponent, DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, PieChart, BarChart, GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, MarkAreaComponent, AriaComponent, CanvasRenderer]);

/** A chart in `el` that follows the element's size (the grid reflows from desktop to phone). */
export function mountChart(el: HTMLElement): echarts.ECharts {
  const chart = echarts.init(el, undefined, { renderer: 'canvas' });
  // No entry animation: a chart is final the moment it is drawn, and a live refresh does not
  // replay a second of motion every 5 s.
  chart.setOption({ animation: false });
  new ResizeObserver(() => chart.resize()).observe(el);
  return chart;
}
