/**
 * The ad-hoc query page: an editor for POST /v1/query. A syntax error is marked where it is, in
 * the text and by line and column; results show as a table, and as a chart when they are a series
 * (a time column and numbers) or a breakdown (a label and numbers).
 */
import { ApiError, api, type QueryReply } from './api';
import { type Chart, type ChartOption, PALETTE, loadCharts, mountChart } from './charts';
import { h } from './dom';
import { explain } from './messages';

const EXAMPLE = `SELECT toStartOfHour(time) AS hour, sum(events) AS events
FROM rollups
WHERE time >= now() - INTERVAL 24 HOUR
GROUP BY hour
ORDER BY hour`;

interface Position { offset: number; line: number; column: number }

export function queryPage(root: HTMLElement): void {
  // A result may be drawn: ECharts loads while the user reads or types.
  void loadCharts();
  const editor = h('textarea', { id: 'query', class: 'query-editor', spellcheck: 'false', rows: 8, 'aria-describedby': 'query-help query-error' });
  editor.value = new URLSearchParams(location.search).get('q') ?? EXAMPLE;
  const run = h('button', { type: 'submit' }, 'Run');
  const echo = h('pre', { class: 'query-echo', hidden: true, 'aria-hidden': 'true' });
  const error = h('p', { id: 'query-error', class: 'query-error', role: 'alert', hidden: true });
  const results = h('div', { class: 'query-results', 'data-state': 'idle' });
  const form = h('form', { class: 'query-form' },
    h('label', { for: 'query' }, 'Query'), editor,
    h('p', { id: 'query-help', class: 'hint' }, 'SELECT … FROM rollups | events: see docs/query-language.md. Ctrl+Enter runs.'),
    h('div', {}, run), echo, error);
  root.replaceChildren(h('h1', {}, 'Ad-hoc query'), form, results);
  let chart: Chart | undefined;

  const clearError = () => {
    error.hidden = true;
    echo.hidden = true;
    editor.removeAttribute('aria-invalid');
  };
  editor.addEventListener('input', clearError);
  editor.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) form.requestSubmit();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void execute();
  });

  function markError(err: ApiError): void {
    error.hidden = false;
    editor.setAttribute('aria-invalid', 'true');
    const position = err.details.position as Position | undefined;
    const expected = err.details.expected as string[] | undefined;
    if (!position) {
      error.textContent = explain(err);
      return;
    }
    // The server's message usually names the place and what was expected already; say each once.
    const where = `line ${position.line}, column ${position.column}`;
    const message = err.message.includes(where) ? err.message : `${where}: ${err.message}`;
    const hint = expected?.length && !message.includes('expected') ? ` (expected ${expected.slice(0, 8).join(', ')})` : '';
    error.textContent = `${message.charAt(0).toUpperCase()}${message.slice(1)}${hint}`;
    // The editor's text again, with the offending character marked (a caret when at the end).
    const text = editor.value;
    const at = Math.min(position.offset, text.length);
    const mark = h('mark', { class: 'error-mark', 'data-offset': at, 'data-line': position.line, 'data-column': position.column }, text.slice(at, at + 1) || ' ');
    echo.replaceChildren(text.slice(0, at), mark, text.slice(at + 1));
    echo.hidden = false;
    editor.focus();
    editor.setSelectionRange(at, Math.min(at + 1, text.length));
  }

  async function execute(): Promise<void> {
    clearError();
    results.dataset.state = 'loading';
    results.replaceChildren(h('p', { role: 'status' }, 'Running…'));
    history.replaceState(null, '', `/query?${new URLSearchParams({ q: editor.value })}`);
    let reply: QueryReply;
    try {
      reply = await api.query(editor.value);
    } catch (err) {
      results.dataset.state = 'error';
      results.replaceChildren();
      if (err instanceof ApiError) markError(err);
      else results.replaceChildren(h('p', { role: 'alert' }, explain(err)));
      return;
    }
    chart?.dispose();
    chart = undefined;
    results.dataset.state = reply.rows.length ? 'ready' : 'empty';
    const table = h('table', { class: 'result-table' },
      h('thead', {}, h('tr', {}, ...reply.columns.map((c) => h('th', { scope: 'col' }, c.name)))),
      h('tbody', {}, ...reply.rows.map((row) => h('tr', {}, ...row.map((v) => h('td', {}, v === null ? '' : String(v)))))));
    const summary = h('p', { role: 'status' }, reply.rows.length ? `${reply.rows.length} rows` : 'No rows: widen the WHERE, or check the time window.');
    const chartHost = h('div', { class: 'chart', 'aria-hidden': 'true' });
    results.replaceChildren(summary, chartHost, table);
    const shape = chartShape(reply);
    if (shape) {
      chart = await mountChart(chartHost);
      chart.setOption(shape);
    } else chartHost.remove();
  }
}

/** A line for a time column and numbers, bars for a label and numbers; otherwise no chart. */
function chartShape(reply: QueryReply): ChartOption | undefined {
  const [first, ...rest] = reply.columns;
  const numeric = rest.map((c, i) => ({ c, i: i + 1 })).filter(({ c }) => c.type === 'number');
  if (!first || numeric.length === 0 || reply.rows.length < 2 || first.type === 'number') return undefined;
  const time = first.type === 'time';
  return {
    color: PALETTE,
    tooltip: { trigger: 'axis' },
    legend: { show: numeric.length > 1 },
    grid: { left: 56, right: 16, top: 32, bottom: 32 },
    xAxis: time ? { type: 'time' } : { type: 'category', data: reply.rows.map((r) => String(r[0])) },
    yAxis: { type: 'value' },
    series: numeric.map(({ c, i }) => ({
      name: c.name, type: time ? 'line' : 'bar',
      data: time ? reply.rows.map((r) => [r[0], r[i]]) : reply.rows.map((r) => r[i]),
    })),
  };
}
