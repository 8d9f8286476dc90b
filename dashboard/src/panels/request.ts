/** The metrics request behind a panel: the view's window and filters, the panel's own settings. */
import { api, type Panel } from '../api';
import { mergeFilters, type ViewState } from '../url-state';

export type Shape = 'series' | 'breakdown' | 'total';

/**
 * The browser opens at most 6 connections to the server, and a dashboard may ask more at once.
 * Whole-window answers (totals, breakdowns) take the server longest, so they take the connections
 * first (longest first): a series left queued is the quicker one to answer when its turn comes.
 */
function requestPriority(shape: Shape): RequestPriority {
  return shape === 'series' ? 'low' : 'high';
}

/** The panel's metrics under the view, in one shape, at that shape's priority. */
export function panelMetrics<T>(panel: Panel, view: ViewState, shape: Shape): Promise<T> {
  return api.metrics<T>(metricsParams(panel, view, shape), requestPriority(shape));
}

function metricsParams(panel: Panel, view: ViewState, shape: Shape): URLSearchParams {
  const q = new URLSearchParams();
  q.set('name', (shape === 'total' ? panel.metrics.slice(0, 1) : panel.metrics).join(','));
  if (view.range) q.set('range', view.range);
  else {
    if (view.from) q.set('from', view.from);
    if (view.to) q.set('to', view.to);
  }
  if (shape === 'total') q.set('granularity', 'all');
  if (shape === 'series') {
    const granularity = panel.granularity ?? view.granularity;
    if (granularity) q.set('granularity', granularity);
  }
  if (shape !== 'total' && panel.group_by) q.set('group_by', panel.group_by.join(','));
  if (shape === 'breakdown' && panel.limit) q.set('limit', String(panel.limit));
  for (const f of mergeFilters(panel.filters, view.filters)) q.append('filter', f);
  return q;
}
