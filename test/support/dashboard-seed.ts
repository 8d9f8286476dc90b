/**
 * Known events for the dashboard's browser tests and bench: users with a fixed device and country,
 * page views skewed over a few pages, some purchases, spread over the window before `now`; and
 * the totals each default panel must show, with or without a device filter.
 */
import { seededRandom } from './seeded-random';

const HOUR = 3_600_000;
export const DEVICES = ['mobile', 'desktop', 'tablet'] as const;
export const COUNTRIES = ['US', 'DE', 'FR', 'JP', 'BR'] as const;
export const PAGES = ['/', '/pricing', '/docs', '/blog', '/signup', '/about', '/careers', '/changelog'] as const;

export interface SeedEvent { event_id: string; event: string; timestamp: string; user_id: string; device: string; country: string; page: string; revenue?: number }

export interface Totals {
  pageViews: number;
  revenue: number;
  users: number;
  byCountry: Record<string, number>;
  byDevice: Record<string, number>;
  byPage: Record<string, number>;
}

/** `count` events between `hours` hours before `now` and 10 minutes before it. */
export function seedEvents(now: number, count: number, hours: number, prefix = 's'): SeedEvent[] {
  const random = seededRandom(7);
  const span = hours * HOUR - 10 * 60_000;
  const events: SeedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const u = Math.floor(random() * 60);
    // Device by user: about half are mobile, so the mobile slice is the largest.
    const device = DEVICES[u % 10 < 5 ? 0 : u % 10 < 8 ? 1 : 2];
    const roll = random();
    const event = roll < 0.1 ? 'purchase' : roll < 0.2 ? 'click' : 'page_view';
    events.push({
      event_id: `${prefix}${i}`, event, timestamp: new Date(now - 10 * 60_000 - Math.floor(random() * span)).toISOString(),
      user_id: `u${u}`, device: device!, country: COUNTRIES[u % COUNTRIES.length]!,
      page: PAGES[Math.min(PAGES.length - 1, Math.floor(random() * random() * PAGES.length))]!,
      ...(event === 'purchase' ? { revenue: (i % 9) * 5 + 4.99 } : {}),
    });
  }
  return events;
}

export function totals(events: readonly SeedEvent[], device?: string): Totals {
  const kept = events.filter((e) => device === undefined || e.device === device);
  const views = kept.filter((e) => e.event === 'page_view');
  const count = (key: 'country' | 'device' | 'page') => {
    const out: Record<string, number> = {};
    for (const e of views) out[e[key]] = (out[e[key]] ?? 0) + 1;
    return out;
  };
  return {
    pageViews: views.length,
    revenue: Math.round(kept.reduce((s, e) => s + (e.revenue ?? 0), 0) * 100) / 100,
    users: new Set(kept.map((e) => e.user_id)).size,
    byCountry: count('country'), byDevice: count('device'), byPage: count('page'),
  };
}
