/**
 * The dashboard page: a saved dashboard's panels under one time range and one set of drill-down
 * filters, all carried in the URL. Live mode refreshes every panel in place every 5 s.
 */
import { ApiError, api, type Dashboard, type Panel } from './api';
import { loadCharts } from './charts';
import { explain } from './messages';
import { askText, confirmDialog } from './dialogs';
import { h } from './dom';
import type { freshnessIndicator } from './freshness';
import { editPanel } from './panel-editor';
import { panelView, type PanelView } from './panels';
import { viewControls } from './toolbar';
import { filterLabel, readState, writeState, type ViewState } from './url-state';

const LIVE_INTERVAL_MS = 5000;

export function dashboardPage(root: HTMLElement, freshness: ReturnType<typeof freshnessIndicator>): void {
  let state = readState();
  let dashboard: Dashboard | undefined;
  let views: PanelView[] = [];
  let editing = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  let refreshing: Promise<void> | undefined;
  let again = false;

  const picker = h('select', { id: 'dashboard-picker', 'aria-label': 'Dashboard' });
  const tools = h('div', { class: 'dashboard-tools' });
  const controls = h('div');
  const chips = h('div', { class: 'chips', 'aria-label': 'Active filters', role: 'list' });
  const grid = h('div', { class: 'grid' });
  const notice = h('p', { class: 'page-message', role: 'status', hidden: true });
  root.replaceChildren(h('div', { class: 'page-head' }, h('div', { class: 'picker' }, h('label', { for: 'dashboard-picker' }, 'Dashboard'), picker, tools), controls), chips, notice, grid);
  picker.addEventListener('change', () => change({ dashboard: picker.value, filters: [] }));

  const say = (text: string) => {
    notice.textContent = text;
    notice.hidden = text === '';
  };

  function change(next: Partial<ViewState>): void {
    const reload = next.dashboard !== undefined && next.dashboard !== state.dashboard;
    state = { ...state, ...next };
    writeState(state);
    void (reload ? load() : applyView());
  }

  const drill = (filter: string) => {
    if (!state.filters.includes(filter)) change({ filters: [...state.filters, filter] });
  };

  function renderChips(): void {
    chips.replaceChildren(...state.filters.map((f) => {
      const remove = h('button', { type: 'button', 'aria-label': `Remove filter ${filterLabel(f)}`, class: 'chip-remove' }, '×');
      remove.addEventListener('click', () => change({ filters: state.filters.filter((x) => x !== f) }));
      return h('span', { class: 'chip', role: 'listitem', 'data-filter': f }, filterLabel(f), remove);
    }));
    chips.hidden = state.filters.length === 0;
  }

  function applyView(): Promise<void> {
    controls.replaceChildren(viewControls(state, change));
    renderChips();
    clearInterval(timer);
    if (state.live) timer = setInterval(() => void refresh('tick'), LIVE_INTERVAL_MS);
    return refresh();
  }

  /**
   * Redraws every panel. Refreshes never overlap: a view change during one runs right after it
   * (so the newest state always wins), while a live tick that finds one running is dropped.
   */
  function refresh(reason: 'change' | 'tick' = 'change'): Promise<void> {
    if (refreshing) {
      if (reason === 'change') again = true;
      return refreshing;
    }
    refreshing = (async () => {
      const view = state;
      const drawn = views.map((v) => v.refresh(view).then(
        // Per panel, for the bench's breakdown of a page load.
        () => void performance.mark(`strata:panel-drawn:${v.frame.panel.id}`),
        (err: unknown) => v.frame.setState('error', explain(err)),
      ));
      // The panels' requests are out: ECharts runs while the server answers.
      void loadCharts();
      await Promise.all(drawn);
      // setOption draws synchronously; the next frame is when the drawing is on screen.
      await new Promise(requestAnimationFrame);
      document.body.dataset.drawn = 'true';
      performance.mark('strata:panels-drawn');
      // The freshness line is not a panel: it asks after them, never holding them up.
      await freshness.update();
    })().finally(() => {
      refreshing = undefined;
      if (again) {
        again = false;
        void refresh();
      }
    });
    return refreshing;
  }

  function buildGrid(): void {
    for (const v of views) v.dispose();
    if (!dashboard) return;
    grid.style.setProperty('--columns', String(dashboard.layout.columns));
    views = dashboard.panels.map((panel) => panelView(panel, drill));
    grid.replaceChildren(...views.map((v) => {
      v.frame.el.style.setProperty('--span', String(Math.min(dashboard!.layout.spans?.[v.frame.panel.id] ?? 1, dashboard!.layout.columns)));
      if (editing) v.frame.tools.append(...panelTools(v.frame.panel));
      v.frame.setState('loading', 'Loading…');
      return v.frame.el;
    }));
    if (dashboard.panels.length === 0) say(editing ? 'This dashboard has no panels: add one with "Add panel".' : 'This dashboard has no panels yet: choose "Edit", then "Add panel".');
    else say('');
  }

  function renderTools(): void {
    const button = (label: string, action: () => void | Promise<void>, attrs: Record<string, string> = {}) => {
      const b = h('button', { type: 'button', class: 'tool', ...attrs }, label);
      b.addEventListener('click', () => void action());
      return b;
    };
    tools.replaceChildren(
      button(editing ? 'Done' : 'Edit', () => {
        editing = !editing;
        renderTools();
        buildGrid();
        void refresh();
      }, { 'aria-pressed': String(editing), 'data-action': 'edit' }),
      ...(editing ? [
        button('Add panel', addPanel, { 'data-action': 'add-panel' }),
        button('Rename', renameDashboard, { 'data-action': 'rename' }),
        button('Columns', cycleColumns, { 'data-action': 'columns', title: 'Columns at full width: 1 to 4' }),
        button('Delete', deleteDashboard, { 'data-action': 'delete', class: 'tool danger' }),
      ] : []),
      button('New', newDashboard, { 'data-action': 'new' }),
    );
  }

  function panelTools(panel: Panel): HTMLElement[] {
    const tool = (label: string, name: string, action: () => void | Promise<void>) => {
      const b = h('button', { type: 'button', class: 'tool', 'aria-label': `${name} ${panel.title}`, 'data-action': name.toLowerCase().replace(/\s+/g, '-') }, label);
      b.addEventListener('click', () => void action());
      return b;
    };
    const move = (by: number) => mutate((d) => {
      const i = d.panels.findIndex((p) => p.id === panel.id);
      const j = i + by;
      if (j < 0 || j >= d.panels.length) return;
      [d.panels[i], d.panels[j]] = [d.panels[j]!, d.panels[i]!];
    });
    const widen = () => mutate((d) => {
      const spans = { ...d.layout.spans };
      spans[panel.id] = ((spans[panel.id] ?? 1) % d.layout.columns) + 1;
      d.layout = { ...d.layout, spans };
    });
    return [
      tool('Edit', 'Edit panel', async () => {
        const edited = await editPanel(panel, new Set());
        if (edited) await mutate((d) => void (d.panels = d.panels.map((p) => (p.id === panel.id ? edited : p))));
      }),
      tool('←', 'Move earlier', () => move(-1)),
      tool('→', 'Move later', () => move(1)),
      tool('↔', 'Change width of', widen),
      tool('✕', 'Remove panel', async () => {
        if (await confirmDialog('Remove panel', `Remove "${panel.title}" from this dashboard?`, 'Remove')) await mutate((d) => void (d.panels = d.panels.filter((p) => p.id !== panel.id)));
      }),
    ];
  }

  /** Applies an edit to a copy, saves it, and redraws only once the server has it. */
  async function mutate(edit: (d: Dashboard) => void): Promise<void> {
    if (!dashboard) return;
    const next = structuredClone(dashboard);
    edit(next);
    try {
      dashboard = await api.saveDashboard(next);
      say('');
    } catch (err) {
      say(`Not saved: ${explain(err)}`);
      return;
    }
    await loadPicker();
    buildGrid();
    await refresh();
  }

  async function addPanel(): Promise<void> {
    const panel = await editPanel(undefined, new Set(dashboard?.panels.map((p) => p.id)));
    if (panel) await mutate((d) => void d.panels.push(panel));
  }
  async function renameDashboard(): Promise<void> {
    const title = await askText('Rename dashboard', 'Title', dashboard?.title);
    if (title) await mutate((d) => void (d.title = title));
  }
  function cycleColumns(): Promise<void> {
    return mutate((d) => void (d.layout = { ...d.layout, columns: (d.layout.columns % 4) + 1 }));
  }
  async function newDashboard(): Promise<void> {
    const title = await askText('New dashboard', 'Title');
    if (!title) return;
    try {
      const created = await api.createDashboard({ title, panels: [], layout: { columns: 2 } });
      editing = true;
      change({ dashboard: created.id, filters: [] });
    } catch (err) {
      say(`Not created: ${explain(err)}`);
    }
  }
  async function deleteDashboard(): Promise<void> {
    if (!dashboard) return;
    const builtIn = dashboard.id === 'default';
    const text = builtIn ? 'Restore the built-in Overview dashboard? Your changes to it are lost.' : `Delete "${dashboard.title}"? This cannot be undone.`;
    if (!(await confirmDialog('Delete dashboard', text, builtIn ? 'Restore' : 'Delete'))) return;
    try {
      await api.deleteDashboard(dashboard.id);
    } catch (err) {
      say(`Not deleted: ${explain(err)}`);
      return;
    }
    editing = false;
    state = { ...state, dashboard: 'default', filters: [] };
    writeState(state);
    await load();
  }

  async function loadPicker(): Promise<void> {
    const { dashboards } = await api.dashboards();
    picker.replaceChildren(...dashboards.map((d) => h('option', { value: d.id, selected: d.id === state.dashboard }, d.title)));
  }

  async function load(): Promise<void> {
    renderTools();
    // The list only fills the picker: the panels' requests do not wait for it.
    loadPicker().catch((err: unknown) => say(explain(err)));
    try {
      dashboard = await api.dashboard(state.dashboard);
      document.title = `${dashboard.title} · Strata`;
    } catch (err) {
      dashboard = undefined;
      grid.replaceChildren();
      say(err instanceof ApiError && err.status === 404 ? `There is no dashboard "${state.dashboard}". Pick one above, or create one with "New".` : explain(err));
      return;
    }
    buildGrid();
    await applyView();
  }

  window.addEventListener('popstate', () => {
    const previous = state.dashboard;
    state = readState();
    void (state.dashboard !== previous ? load() : applyView());
  });
  void load();
}
