/**
 * The dashboard view's whole state lives in the URL, so a link reproduces what its sender saw:
 * `/?d=<dashboard>&range=24h&granularity=1h&filter=device:mobile&live=1`.
 */
export const RANGES = ['15m', '1h', '24h', '7d', '30d', '90d', '1y'] as const;
export const GRANULARITIES = ['1m', '1h', '1d'] as const;

export interface ViewState {
  dashboard: string;
  /** A preset, or undefined for the custom window in from/to. */
  range: string | undefined;
  from: string | undefined;
  to: string | undefined;
  /** Undefined: the contract's default for the window. */
  granularity: string | undefined;
  /** `dimension:value`, as the metrics API takes them. */
  filters: string[];
  live: boolean;
}

export const DEFAULT_RANGE = '24h';

export function readState(search = location.search): ViewState {
  const q = new URLSearchParams(search);
  const from = q.get('from') ?? undefined;
  const range = q.get('range') ?? (from ? undefined : DEFAULT_RANGE);
  return {
    dashboard: q.get('d') ?? 'default',
    range,
    from: range ? undefined : from,
    to: range ? undefined : q.get('to') ?? undefined,
    granularity: q.get('granularity') ?? undefined,
    filters: q.getAll('filter'),
    live: q.get('live') === '1',
  };
}

export function stateSearch(state: ViewState): string {
  const q = new URLSearchParams();
  if (state.dashboard !== 'default') q.set('d', state.dashboard);
  if (state.range) q.set('range', state.range);
  else {
    if (state.from) q.set('from', state.from);
    if (state.to) q.set('to', state.to);
  }
  if (state.granularity) q.set('granularity', state.granularity);
  for (const f of state.filters) q.append('filter', f);
  if (state.live) q.set('live', '1');
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Pushes a new history entry, so Back undoes a drill-down. */
export function writeState(state: ViewState): void {
  const search = stateSearch(state);
  if (search !== location.search) history.pushState(null, '', `${location.pathname}${search}`);
}

/** A drill-down filter replaces the panel's own filter on that dimension, and adds to the rest. */
export function mergeFilters(panel: readonly string[] = [], view: readonly string[]): string[] {
  const dims = new Set(view.map(dimensionOf));
  return [...panel.filter((f) => !dims.has(dimensionOf(f))), ...view];
}

export function dimensionOf(filter: string): string {
  return filter.slice(0, filter.indexOf(':'));
}

/** A filter value with the API's escapes for `|` and `\`. */
export function filterFor(dimension: string, value: string): string {
  return `${dimension}:${value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|')}`;
}

/** The value a filter chip shows, escapes undone. */
export function filterLabel(filter: string): string {
  return `${dimensionOf(filter)}: ${filter.slice(filter.indexOf(':') + 1).replace(/\\(.)/g, '$1')}`;
}
