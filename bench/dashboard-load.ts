/**
 * The default dashboard in a browser: from navigation to every panel drawn (animation included),
 * on seven days of seeded rollups, with a cold server (a fresh process, so empty caches) and a
 * fresh browser profile each time. Also the size of the built assets, gzipped.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { DASHBOARD_DIST } from '../api/routes/dashboard-assets';
import { CHROMIUM_ARGS, ensureChromium } from '../infra/services/chromium';
import { freePort, startNode } from './processes';
import { type QueryData, seedQueryData } from './query-data';

export interface DashboardLoad {
  data: QueryData;
  assets_gzip_kb: number;
  /** Navigation to all panels drawn, per range the dashboard was opened on. */
  drawn_ms: Record<string, { runs: number[]; median: number; max: number; breakdown: LoadTimes }>;
}

const RANGES = ['24h', '7d'];

/** Where one load's time went, ms since navigation start: script ready, requests sent, answers in, drawn. */
export interface LoadTimes { drawn: number; script_ready: number; dashboard_answer: number; first_request: number; last_answer: number; slowest_request: number }

export function assetsGzipKb(): number {
  const dir = join(DASHBOARD_DIST, 'assets');
  // The built files themselves, gzipped as served (the .gz copies beside them are those bytes).
  const built = readdirSync(dir).filter((f) => !f.endsWith('.gz'));
  const bytes = built.reduce((s, f) => s + gzipSync(readFileSync(join(dir, f)), { level: 9 }).length, 0);
  return Math.round((bytes / 1024) * 10) / 10;
}

export async function benchDashboardLoad(runs = 5, minuteRows = 20_000_000): Promise<DashboardLoad> {
  const dataDir = mkdtempSync(join(tmpdir(), 'strata-ui-bench-'));
  const executablePath = await ensureChromium((line) => console.log(`  ${line}`));
  try {
    const data = await seedQueryData(dataDir, minuteRows);
    const drawn: DashboardLoad['drawn_ms'] = {};
    for (const range of RANGES) {
      const loads: LoadTimes[] = [];
      for (let i = 0; i < runs; i++) loads.push(await coldLoad(dataDir, executablePath, `/?range=${range}`));
      const sorted = [...loads].sort((a, b) => a.drawn - b.drawn);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      drawn[range] = { runs: loads.map((l) => l.drawn), median: median.drawn, max: sorted.at(-1)!.drawn, breakdown: median };
    }
    return { data, assets_gzip_kb: assetsGzipKb(), drawn_ms: drawn };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One load: a new server process on the data, a new browser with an empty profile. */
export async function coldLoad(dataDir: string, executablePath: string, path: string): Promise<LoadTimes> {
  // The browser starts first, as a user's is already running: its own start-up would otherwise
  // take the 2 cores from the page load it is about to measure. Its context is new (no cache).
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  const port = await freePort();
  let strata;
  try {
    strata = await startNode('bin/strata.mjs', ['start'], { STRATA_PORT: String(port), STRATA_DATA_DIR: dataDir, STRATA_LOG_LEVEL: 'warn' }, `http://127.0.0.1:${port}`, '/readyz');
  } catch (err) {
    await browser.close();
    throw err;
  }
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
    await page.goto(`${strata.url}${path}`);
    await page.waitForSelector('body[data-drawn=true]', { timeout: 30_000 });
    const failed = await page.$$eval('.panel[data-state=error]', (els) => els.map((e) => e.textContent));
    if (failed.length) throw new Error(`panels failed: ${failed.join('; ')}`);
    // Marks and resource timings are in ms since navigation started, as the browser counts them.
    return await page.evaluate(() => {
      // The browser's timings, typed here because this file compiles against Node's types. No
      // named function inside: tsx would wrap it in a helper the page does not have.
      type Timing = { name: string; startTime: number; responseEnd: number; domContentLoadedEventEnd: number };
      const metrics = (performance.getEntriesByType('resource' as 'mark') as unknown as Timing[]).filter((r) => r.name.includes('/v1/metrics'));
      const nav = (performance.getEntriesByType('navigation' as 'mark') as unknown as Timing[])[0];
      const definition = (performance.getEntriesByType('resource' as 'mark') as unknown as Timing[]).find((r) => /\/v1\/dashboards\/[^/]+$/.test(r.name));
      return {
        drawn: Math.round(performance.getEntriesByName('strata:panels-drawn')[0]?.startTime ?? Number.NaN),
        script_ready: Math.round(nav?.domContentLoadedEventEnd ?? Number.NaN),
        dashboard_answer: Math.round(definition?.responseEnd ?? Number.NaN),
        first_request: Math.round(Math.min(...metrics.map((r) => r.startTime))),
        last_answer: Math.round(Math.max(...metrics.map((r) => r.responseEnd))),
        slowest_request: Math.round(Math.max(...metrics.map((r) => r.responseEnd - r.startTime))),
      };
    });
  } finally {
    await browser.close();
    await strata.stop();
  }
}
