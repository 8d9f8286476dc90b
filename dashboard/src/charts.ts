/**
 * Charts for the panels and the query page. ECharts itself loads on first use (echarts-setup.ts,
 * a chunk of its own), so that a page's data requests leave before the browser has parsed it.
 */
import type { ECharts, EChartsCoreOption } from 'echarts/core';
import type * as EchartsSetup from './echarts-setup';
import { isProvisional } from './format';

export type Chart = ECharts;
export type ChartOption = EChartsCoreOption;

let setup: Promise<typeof EchartsSetup> | undefined;
/** Starts loading ECharts (once); main.ts calls it at boot, so the chunk downloads in parallel. */
export function loadCharts(): Promise<typeof EchartsSetup> {
  setup ??= import('./echarts-setup');
  return setup;
}

export const PALETTE = ['#3b6fd8', '#e0823d', '#2e9e6b', '#c2487a', '#7b5cc4', '#c9a227', '#3ba3b8', '#8a8f98'];
/** How provisional (speed or mixed) numbers are drawn: a hatch over the series colour. */
export const PROVISIONAL_DECAL = { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [3, 3], rotation: Math.PI / 4, color: 'rgba(255,255,255,0.55)' };
const PROVISIONAL_AREA = 'rgba(224, 130, 61, 0.12)';

/**
 * A shaded band over each run of provisional (speed or mixed) buckets of a time series, from the
 * run's first bucket start to its last bucket's end (the next bucket's start, or the series' end
 * `to`), so the eye sees where numbers may still move. The chart's time axis must reach `to`.
 */
export function provisionalMarkArea(points: readonly { t: string; layer: string }[], to: string): ChartOption {
  const areas: [{ xAxis: string }, { xAxis: string }][] = [];
  for (let i = 0; i < points.length; i++) {
    if (!isProvisional(points[i]!.layer)) continue;
    const start = i;
    while (i + 1 < points.length && isProvisional(points[i + 1]!.layer)) i++;
    areas.push([{ xAxis: points[start]!.t }, { xAxis: points[i + 1]?.t ?? to }]);
  }
  return { silent: true, itemStyle: { color: PROVISIONAL_AREA }, label: { show: false }, data: areas };
}

/** A chart in `el` that follows the element's size. */
export async function mountChart(el: HTMLElement): Promise<Chart> {
  return (await loadCharts()).mountChart(el);
}

export interface LazyChart {
  /** True once drawn: the axes, legend and zoom are set then, and later draws merge data only. */
  readonly drawn: boolean;
  draw(option: ChartOption, replaceSeries?: boolean): Promise<void>;
  dispose(): void;
}

/**
 * A chart made at its first draw, not before: setting a chart up costs the main thread tens of
 * milliseconds, which would otherwise hold back the panels' requests on a page load.
 */
export function lazyChart(el: HTMLElement, onCreate: (chart: Chart) => void = () => undefined): LazyChart {
  let chart: Chart | undefined;
  return {
    get drawn() {
      return chart !== undefined;
    },
    async draw(option, replaceSeries = true) {
      if (!chart) {
        chart = await mountChart(el);
        onCreate(chart);
      }
      chart.setOption(option, replaceSeries ? { replaceMerge: ['series'] } : {});
    },
    dispose: () => chart?.dispose(),
  };
}
