/** The view controls: time range (presets or custom), granularity, live mode. */
import { h } from './dom';
import { GRANULARITIES, RANGES, type ViewState } from './url-state';

const RANGE_LABELS: Record<string, string> = { '15m': '15 min', '1h': '1 hour', '24h': '24 hours', '7d': '7 days', '30d': '30 days', '90d': '90 days', '1y': '1 year' };

/** `<input type=datetime-local>` speaks local time without a zone; the API wants RFC 3339. */
const toInput = (iso: string | undefined) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromInput = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function viewControls(state: ViewState, change: (next: Partial<ViewState>) => void): HTMLElement {
  const range = h('select', { id: 'range', 'aria-label': 'Time range' },
    ...RANGES.map((r) => h('option', { value: r, selected: state.range === r }, RANGE_LABELS[r] ?? r)),
    h('option', { value: 'custom', selected: !state.range }, 'Custom…'));
  const from = h('input', { type: 'datetime-local', id: 'from', 'aria-label': 'From', value: toInput(state.from) });
  const to = h('input', { type: 'datetime-local', id: 'to', 'aria-label': 'To (empty: now)', value: toInput(state.to) });
  const custom = h('span', { class: 'custom-range', hidden: Boolean(state.range) }, from, '–', to);
  range.addEventListener('change', () => {
    if (range.value === 'custom') {
      custom.hidden = false;
      from.focus();
      return;
    }
    change({ range: range.value, from: undefined, to: undefined });
  });
  const applyCustom = () => {
    const f = fromInput(from.value);
    if (f) change({ range: undefined, from: f, to: fromInput(to.value) });
  };
  from.addEventListener('change', applyCustom);
  to.addEventListener('change', applyCustom);

  const granularity = h('select', { id: 'granularity', 'aria-label': 'Granularity' },
    h('option', { value: '', selected: !state.granularity }, 'auto'),
    ...GRANULARITIES.map((g) => h('option', { value: g, selected: state.granularity === g }, `per ${g === '1m' ? 'minute' : g === '1h' ? 'hour' : 'day'}`)));
  granularity.addEventListener('change', () => change({ granularity: granularity.value || undefined }));

  const live = h('input', { type: 'checkbox', id: 'live', checked: state.live });
  live.addEventListener('change', () => change({ live: live.checked }));

  return h('div', { class: 'view-controls', role: 'group', 'aria-label': 'View' },
    h('label', { for: 'range' }, 'Range'), range, custom,
    h('label', { for: 'granularity' }, 'Granularity'), granularity,
    h('label', { class: 'live-toggle' }, live, ' Live (every 5 s)'));
}
