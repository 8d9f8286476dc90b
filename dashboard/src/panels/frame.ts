/**
 * A panel's frame: its title, tools, chart area, status message and data view. The data view is a
 * table of the exact numbers behind the chart, one row per point, breakdown row or total, each
 * with its layer in `data-layer`; it is always in the document (for screen readers, copy-paste and
 * tests) and shown on demand.
 */
import type { Layer, Panel } from '../api';
import { h } from '../dom';
import { isProvisional, layerLabel } from '../format';

export type PanelState = 'loading' | 'ready' | 'empty' | 'error';

export interface DataRow { cells: string[]; value: number; layer: Layer; kind?: string; drill?: string }

export class PanelFrame {
  readonly el: HTMLElement;
  readonly body: HTMLElement;
  readonly tools: HTMLElement;
  private readonly message: HTMLElement;
  private readonly dataView: HTMLTableElement;
  private readonly legend: HTMLElement;

  constructor(readonly panel: Panel, headings: string[], opts: { dataViewVisible?: boolean } = {}) {
    const titleId = `panel-title-${panel.id}`;
    this.tools = h('div', { class: 'panel-tools' });
    this.body = h('div', { class: 'panel-body' });
    this.message = h('p', { class: 'panel-message', role: 'status' });
    this.dataView = h('table', { class: 'data-view', 'data-panel': panel.id },
      h('caption', {}, `${panel.title}: the numbers`),
      h('thead', {}, h('tr', {}, ...[...headings, 'Layer'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody'));
    this.legend = h('p', { class: 'layer-legend', hidden: true },
      h('span', { class: 'swatch exact' }), 'exact (reconciled)', h('span', { class: 'swatch provisional' }), 'provisional (may still change)');
    this.el = h('section', { class: 'panel', 'data-panel': panel.id, 'data-chart': panel.chart, 'data-state': 'loading', 'aria-labelledby': titleId, 'aria-busy': 'true' },
      h('header', { class: 'panel-header' }, h('h2', { id: titleId }, panel.title), this.tools),
      this.body, this.message, this.legend, this.dataView);
    if (!opts.dataViewVisible) {
      this.dataView.classList.add('visually-hidden');
      const toggle = h('button', { type: 'button', class: 'tool', 'aria-pressed': 'false', 'data-action': 'data-view', title: 'Show the numbers as a table' }, 'Table');
      toggle.addEventListener('click', () => {
        const shown = this.dataView.classList.toggle('visually-hidden') === false;
        toggle.setAttribute('aria-pressed', String(shown));
        this.el.classList.toggle('showing-data', shown);
        for (const button of this.dataView.querySelectorAll('button')) button.tabIndex = shown ? 0 : -1;
      });
      this.tools.append(toggle);
    }
  }

  setState(state: PanelState, text = ''): void {
    this.el.dataset.state = state;
    this.el.setAttribute('aria-busy', String(state === 'loading'));
    this.message.textContent = text;
    this.message.hidden = text === '';
  }

  /** Replaces the rows in place (the table element stays, as the chart does). */
  setRows(rows: DataRow[], onDrill?: (drill: string) => void): void {
    const tbody = this.dataView.tBodies[0]!;
    tbody.replaceChildren(...rows.map((row) => {
      const [first = '', ...rest] = row.cells;
      const head = row.drill && onDrill
        // Out of the tab order while the table is hidden, so focus never lands on something unseen;
        // "Table" shows the rows and puts their buttons back (screen readers reach them either way).
        ? h('button', { type: 'button', class: 'drill', title: `Filter every panel by ${first}`, tabindex: this.dataView.classList.contains('visually-hidden') ? -1 : undefined }, first)
        : first;
      if (head instanceof HTMLButtonElement) head.addEventListener('click', () => onDrill?.(row.drill!));
      return h('tr', { 'data-layer': row.layer, 'data-value': row.value, 'data-kind': row.kind, class: isProvisional(row.layer) ? 'provisional' : undefined },
        h('th', { scope: 'row' }, head),
        ...rest.map((c) => h('td', {}, c)),
        h('td', { class: 'layer' }, layerLabel(row.layer)));
    }));
    // The legend explains the shading wherever there is some to explain.
    this.legend.hidden = !rows.some((r) => isProvisional(r.layer));
  }
}
