/** Numbers and times as the UI shows them. */
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function formatValue(metric: string, value: number): string {
  return metric === 'revenue' ? money.format(value) : integer.format(value);
}

export const formatCompact = (value: number): string => compact.format(value);

/** A bucket start, short enough for an axis, in the viewer's time zone. */
export function formatTime(iso: string, granularity: string): string {
  const d = new Date(iso);
  if (granularity === '1d') return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function isProvisional(layer: string): boolean {
  return layer !== 'batch';
}

export function layerLabel(layer: string): string {
  return layer === 'batch' ? 'exact' : layer === 'speed' ? 'provisional' : 'partly provisional';
}
