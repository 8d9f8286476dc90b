/**
 * The dashboard in a real browser (Debian chromium through playwright-core) against an embedded
 * Strata seeded with known events: every panel's data view against totals computed here, a
 * drill-down by a click on a pie slice, live refresh in place, the provisional shading, saved
 * dashboards, and the query editor's error marking. A screenshot of every page lands in
 * test/artifacts/screenshots.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetsGzipKb } from '../../bench/dashboard-load';
import { freePort, startNode, type Running } from '../../bench/processes';
import { pipelineCounts } from '../../bench/scrape';
import { launchBrowser, SCREENSHOTS } from '../support/browser';
import { seedEvents, totals, type SeedEvent, type Totals } from '../support/dashboard-seed';
import { call, eventually, post } from '../support/http';

const HOUR = 3_600_000;
let strata: Running;
let dataDir: string;
let browser: Browser;
let events: SeedEvent[];

/** Each data view's rows, as the test reads them: panel id → [label, value, layer][] by kind. */
async function dataViews(page: Page): Promise<Record<string, { kind: string; label: string; value: number; layer: string }[]>> {
  return page.$$eval('table.data-view', (tables) => Object.fromEntries(tables.map((t) => [
    (t as HTMLElement).dataset.panel,
    [...t.querySelectorAll('tbody tr')].map((r) => ({
      kind: (r as HTMLElement).dataset.kind ?? '', label: r.querySelector('th')?.textContent ?? '',
      value: Number((r as HTMLElement).dataset.value), layer: (r as HTMLElement).dataset.layer ?? '',
    })),
  ])));
}

/** What the default dashboard's data views add up to, in the shape `totals` gives. */
async function shownTotals(page: Page): Promise<Totals> {
  const views = await dataViews(page);
  const rowsOf = (id: string) => Object.fromEntries((views[id] ?? []).map((r) => [r.label, r.value]));
  const total = (id: string) => (views[id] ?? []).find((r) => r.kind === 'total')?.value ?? NaN;
  return {
    pageViews: (views['page-views'] ?? []).reduce((s, r) => s + r.value, 0),
    revenue: Math.round(total('revenue') * 100) / 100,
    users: total('users'),
    byCountry: rowsOf('country'), byDevice: rowsOf('device'), byPage: rowsOf('top-pages'),
  };
}

async function openDashboard(search = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${strata.url}/${search}`);
  await page.waitForSelector('body[data-drawn=true]');
  return page;
}

/** Where on the page the pie's slice for `label` is, from the data view's values and ECharts' layout. */
async function sliceCentre(page: Page, panel: string, label: string): Promise<{ x: number; y: number }> {
  const rows = (await dataViews(page))[panel] ?? [];
  const sum = rows.reduce((s, r) => s + r.value, 0);
  const before = rows.slice(0, rows.findIndex((r) => r.label === label)).reduce((s, r) => s + r.value, 0);
  const mine = rows.find((r) => r.label === label)?.value ?? 0;
  const box = (await page.locator(`.panel[data-panel=${panel}] .chart`).boundingBox())!;
  // The pie is centred at 38% × 50% with radii 38–70% of half the shorter side, drawn clockwise from 12 o'clock.
  const radius = ((0.38 + 0.7) / 2) * (Math.min(box.width, box.height) / 2);
  const angle = Math.PI / 2 - 2 * Math.PI * ((before + mine / 2) / sum);
  return { x: box.x + box.width * 0.38 + radius * Math.cos(angle), y: box.y + box.height * 0.5 - radius * Math.sin(angle) };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'strata-ui-'));
  const port = await freePort();
  strata = await startNode('bin/strata.mjs', ['start'], { STRATA_PORT: String(port), STRATA_DATA_DIR: dataDir, STRATA_LOG_LEVEL: 'warn' }, `http://127.0.0.1:${port}`, '/healthz');
  browser = await launchBrowser();
  events = seedEvents(Date.now(), 900, 20);
  expect((await post(`${strata.url}/v1/events`, events)).body).toEqual({ status: 'accepted', count: events.length });
  const expectedViews = totals(events).pageViews;
  await eventually(async () => {
    const reply = await call<{ value: number }>(`${strata.url}/v1/metrics?name=page_views&range=24h&granularity=all`);
    return reply.body.value === expectedViews ? true : undefined;
  }, 'the seeded events in the speed layer');
});

afterAll(async () => {
  await browser?.close();
  await strata?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('dashboard in a browser', () => {
  it('serves assets of at most 500 KB gzipped', () => {
    const kb = assetsGzipKb();
    console.log(`[dashboard] assets ${kb} KB gzipped`);
    expect(kb).toBeGreaterThan(50);
    expect(kb).toBeLessThanOrEqual(500);
  });

  it('draws every default panel, and each data view equals the known totals', async () => {
    const page = await openDashboard();
    for (const id of ['revenue', 'users', 'page-views', 'country', 'device', 'top-pages']) {
      await expect.poll(() => page.getAttribute(`.panel[data-panel=${id}]`, 'data-state')).toBe('ready');
    }
    expect(await shownTotals(page)).toEqual(totals(events));
    // A hidden data view's buttons are out of the tab order until "Table" shows them.
    const tabIndexes = () => page.$$eval('.panel[data-panel=device] table.data-view button', (bs) => bs.map((b) => (b as HTMLButtonElement).tabIndex));
    expect(new Set(await tabIndexes())).toEqual(new Set([-1]));
    await page.click('.panel[data-panel=device] [data-action=data-view]');
    expect(new Set(await tabIndexes())).toEqual(new Set([0]));
    await page.click('.panel[data-panel=device] [data-action=data-view]');
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-phone.png'), fullPage: true });
    await page.close();
  });

  it('drills down by a click on the "mobile" slice, and a chip removes the filter', async () => {
    const page = await openDashboard();
    const { x, y } = await sliceCentre(page, 'device', 'mobile');
    await page.mouse.click(x, y);
    await expect.poll(() => page.url()).toContain('filter=device%3Amobile');
    await expect.poll(async () => shownTotals(page), { timeout: 15_000 }).toEqual(totals(events, 'mobile'));
    await expect(page.locator('.chip').textContent()).resolves.toContain('device: mobile');
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-drilled.png'), fullPage: true });
    await page.click('.chip-remove');
    await expect.poll(() => page.url()).not.toContain('filter=');
    await expect.poll(async () => shownTotals(page), { timeout: 15_000 }).toEqual(totals(events));
    await page.close();
  });

  it('in live mode shows a new event within 10 s, in the same chart element, shaded as provisional', async () => {
    // The seeded hours before this one are reconciled, so exact and provisional buckets sit side by side.
    // A backfill reads the archive, so it starts once the archiver has written every seeded event.
    await eventually(async () => ((await pipelineCounts(strata.url)).archived >= events.length ? true : undefined), 'the seeded events in the archive', 60_000);
    const hourStart = Math.floor(Date.now() / HOUR) * HOUR;
    const backfill = await post<{ id: string }>(`${strata.url}/v1/backfills`, { from: new Date(hourStart - 21 * HOUR).toISOString(), to: new Date(hourStart).toISOString() });
    expect(backfill.status).toBe(202);
    await eventually(async () => ((await call<{ status: string }>(`${strata.url}/v1/backfills/${backfill.body.id}`)).body.status === 'completed' ? true : undefined), 'the backfill', 120_000);

    const page = await openDashboard('?live=1');
    const chart = await page.$('.panel[data-panel=page-views] .chart canvas');
    const viewsBefore = (await shownTotals(page)).pageViews;
    const sent = Date.now();
    const live = { event_id: 'live-1', event: 'page_view', timestamp: new Date(sent).toISOString(), user_id: 'live-1', device: 'mobile', country: 'US', page: '/' };
    expect((await post(`${strata.url}/v1/events`, live)).status).toBe(200);
    events.push(live);
    await page.waitForFunction((n) => {
      const rows = document.querySelectorAll<HTMLElement>('table.data-view[data-panel=page-views] tbody tr');
      return [...rows].reduce((s, r) => s + Number(r.dataset.value), 0) === n;
    }, viewsBefore + 1, { timeout: 10_000 });
    console.log(`[dashboard] a new event showed in live mode after ${Date.now() - sent} ms`);
    expect(await chart!.evaluate((el) => el.isConnected && el === document.querySelector('.panel[data-panel=page-views] .chart canvas'))).toBe(true);

    const rows = (await dataViews(page))['page-views'] ?? [];
    expect(rows.at(-1)?.layer).toBe('speed');
    expect(rows.some((r) => r.layer === 'batch' && r.value > 0)).toBe(true);
    const style = (layer: string) => page.$eval(`table.data-view[data-panel=page-views] tr[data-layer=${layer}]`, (r) => getComputedStyle(r).backgroundImage + getComputedStyle(r).fontStyle);
    expect(await style('speed')).not.toBe(await style('batch'));
    expect(await page.isVisible('.panel[data-panel=page-views] .layer-legend')).toBe(true);
    await expect.poll(() => page.textContent('#freshness')).toMatch(/data as of \d+ s ago/);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-live-provisional.png'), fullPage: true });
    await page.click('.panel[data-panel=page-views] [data-action=data-view]');
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-data-view.png'), fullPage: true });
    await page.close();
  });

  it('keeps a dashboard made in the UI across a reload', async () => {
    const page = await openDashboard();
    await page.click('[data-action=new]');
    await page.fill('dialog input[name=text]', 'Checkout funnel');
    await page.click('dialog button[type=submit]');
    await expect.poll(() => page.url()).toMatch(/d=checkout-funnel-/);
    await page.click('[data-action=add-panel]');
    await page.fill('dialog .field:has-text("Title") input', 'Purchases by country');
    await page.uncheck('dialog input[value=page_views]');
    await page.check('dialog input[value=purchases]');
    await page.selectOption('dialog .field:has-text("Chart") select', 'table');
    await page.selectOption('dialog .field:has-text("Group by") select', 'country');
    await page.click('dialog button[type=submit]');
    await page.waitForSelector('.panel[data-panel=purchases-by-country][data-state=ready]');
    await page.reload();
    await page.waitForSelector('.panel[data-panel=purchases-by-country][data-state=ready]');
    expect(await page.$eval('#dashboard-picker', (s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent)).toBe('Checkout funnel');
    const purchases = (await dataViews(page))['purchases-by-country'] ?? [];
    const expected: Record<string, number> = {};
    for (const e of events) if (e.event === 'purchase') expected[e.country] = (expected[e.country] ?? 0) + 1;
    expect(Object.fromEntries(purchases.map((r) => [r.label, r.value]))).toEqual(expected);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-saved.png'), fullPage: true });
    await page.close();
  });

  it('marks the position of a syntax error in the query editor, and charts a result', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const bad = 'SELECT sum(events) AS n\nFROM rollups WHERE time > now() - INTERVAL 1 HOURS GROUP BY';
    const reply = await post<{ error: { position: { offset: number; line: number; column: number } } }>(`${strata.url}/v1/query`, { query: bad });
    expect(reply.status).toBe(400);
    await page.goto(`${strata.url}/query`);
    await page.fill('#query', bad);
    await page.click('button[type=submit]');
    const mark = page.locator('mark.error-mark');
    await mark.waitFor();
    expect(Number(await mark.getAttribute('data-offset'))).toBe(reply.body.error.position.offset);
    const message = await page.textContent('#query-error') ?? '';
    expect(message.toLowerCase()).toContain(`line ${reply.body.error.position.line}, column ${reply.body.error.position.column}`);
    expect(message.match(/line \d+, column \d+/gi)).toHaveLength(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'query-error.png'), fullPage: true });

    await page.fill('#query', 'SELECT device, sum(events) AS events FROM rollups GROUP BY device ORDER BY events DESC');
    await page.click('button[type=submit]');
    await page.waitForSelector('.query-results[data-state=ready] canvas');
    const rows = await page.$$eval('.result-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    const byDevice: Record<string, number> = {};
    for (const e of events) byDevice[e.device] = (byDevice[e.device] ?? 0) + 1;
    expect(Object.fromEntries(rows.map(([d, n]) => [d, Number(n)]))).toMatchObject(byDevice);
    await page.screenshot({ path: join(SCREENSHOTS, 'query.png'), fullPage: true });
    await page.close();
  });
});
