/** The UI's entry: one page per path, the freshness indicator on every page. */
import './style.css';
import { dashboardPage } from './dashboard-page';
import { freshnessIndicator } from './freshness';
import { queryPage } from './query-page';

// ECharts downloads as the page starts (a preload in index.html) and runs once the page has asked
// for its data (dashboard-page.ts, query-page.ts).
const app = document.getElementById('app')!;
const page = location.pathname.startsWith('/query') ? 'query' : 'dashboard';
for (const link of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) {
  if (link.dataset.nav === page) link.setAttribute('aria-current', 'page');
}
const freshness = freshnessIndicator(document.getElementById('freshness')!);
if (page === 'query') {
  queryPage(app);
  void freshness.update();
} else dashboardPage(app, freshness);
