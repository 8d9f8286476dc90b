/**
 * The panel form: title, metrics, chart, breakdown, filters, granularity. The valid metric and
 * dimension names come from the server's OpenAPI document, so the form never offers a name the
 * API would refuse.
 */
import { slugOf } from '../../core/slug';
import type { Panel } from './api';
import { field, formDialog } from './dialogs';
import { all, h } from './dom';
import { GRANULARITIES } from './url-state';

interface Names { metrics: string[]; dimensions: string[] }
let names: Promise<Names> | undefined;

function serverNames(): Promise<Names> {
  names ??= fetch('/v1/openapi.json').then((r) => r.json()).then((doc: { components: { schemas: { Dashboard: { properties: { panels: { items: { properties: Record<string, { items?: { enum?: string[] } }> } } } } } } }) => {
    const props = doc.components.schemas.Dashboard.properties.panels.items.properties;
    return { metrics: props.metrics?.items?.enum ?? [], dimensions: props.group_by?.items?.enum ?? [] };
  });
  return names;
}

const CHARTS: Panel['chart'][] = ['line', 'pie', 'table', 'number'];

/** The edited panel, or undefined when the user cancelled. */
export async function editPanel(initial: Panel | undefined, takenIds: Set<string>): Promise<Panel | undefined> {
  const { metrics, dimensions } = await serverNames();
  const title = h('input', { type: 'text', required: true, maxlength: 120, value: initial?.title ?? '' });
  const metricBoxes = h('fieldset', { class: 'checks' }, h('legend', {}, 'Metrics (1–4)'),
    ...metrics.map((m) => h('label', {}, h('input', { type: 'checkbox', value: m, checked: initial?.metrics.includes(m) ?? m === 'page_views' }), ` ${m}`)));
  const chart = h('select', {}, ...CHARTS.map((c) => h('option', { value: c, selected: (initial?.chart ?? 'line') === c }, c)));
  const groupBy = h('select', {}, h('option', { value: '' }, 'none'), ...dimensions.map((d) => h('option', { value: d, selected: initial?.group_by?.[0] === d }, d)));
  const filters = h('input', { type: 'text', value: (initial?.filters ?? []).join(', '), placeholder: 'country:US, device:mobile|tablet' });
  const granularity = h('select', {}, h('option', { value: '' }, 'the view\'s'), ...GRANULARITIES.map((g) => h('option', { value: g, selected: initial?.granularity === g }, g)));
  const limit = h('input', { type: 'number', min: 1, max: 1000, value: initial?.limit ?? '' });

  const chosenMetrics = () => all<HTMLInputElement>(metricBoxes, 'input:checked').map((i) => i.value);
  const filterList = () => filters.value.split(',').map((f) => f.trim()).filter(Boolean);
  const check = (): string | undefined => {
    if (!title.value.trim()) return 'Give the panel a title.';
    const chosen = chosenMetrics();
    if (chosen.length < 1 || chosen.length > 4) return 'Pick one to four metrics.';
    if ((chart.value === 'pie' || chart.value === 'table') && !groupBy.value) return `A ${chart.value} needs a breakdown: pick a dimension to group by.`;
    const bad = filterList().find((f) => !dimensions.includes(f.slice(0, f.indexOf(':'))));
    if (bad) return `"${bad}" is not a filter: write dimension:value, with a dimension of ${dimensions.join(', ')}.`;
    return undefined;
  };
  const ok = await formDialog(initial ? `Edit "${initial.title}"` : 'Add a panel', [
    field('Title', title), metricBoxes, field('Chart', chart), field('Group by', groupBy),
    field('Filters', filters, 'Comma-separated dimension:value; | between alternatives'),
    field('Granularity', granularity), field('Rows (pie, table)', limit),
  ], initial ? 'Save' : 'Add', check);
  if (!ok) return undefined;
  const id = initial?.id ?? uniqueId(title.value, takenIds);
  return {
    id, title: title.value.trim(), metrics: chosenMetrics(), chart: chart.value as Panel['chart'],
    // The select offers only the server's own names (serverNames), so these are the schema's.
    ...(groupBy.value ? { group_by: [groupBy.value as NonNullable<Panel['group_by']>[number]] } : {}),
    ...(filterList().length ? { filters: filterList() } : {}),
    ...(granularity.value ? { granularity: granularity.value as Panel['granularity'] } : {}),
    ...(limit.value ? { limit: Number(limit.value) } : {}),
  };
}

function uniqueId(title: string, taken: Set<string>): string {
  const base = slugOf(title) || 'panel';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}
