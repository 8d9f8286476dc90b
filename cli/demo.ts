/**
 * `strata start --demo`: a built-in traffic generator, so that a newcomer sees a live dashboard
 * within a minute. It sends a day of history first (the curve behind "24 hours"), then a few dozen
 * events a second, through the public ingest API like any app would.
 */
import type { Logger } from 'pino';

const DAY = 86_400_000;
const HISTORY_EVENTS = 24_000;
const LIVE_EVENTS_PER_SECOND = 25;
const BATCH = 500;

/** Weighted choices, roughly what a small web shop sees. */
const COUNTRIES: [string, number][] = [['US', 35], ['DE', 12], ['IN', 10], ['GB', 10], ['FR', 8], ['BR', 7], ['JP', 6], ['CA', 6], ['ES', 3], ['AU', 3]];
const DEVICES: [string, number][] = [['mobile', 55], ['desktop', 38], ['tablet', 7]];
const PAGES: [string, number][] = [['/', 30], ['/products', 18], ['/pricing', 12], ['/docs', 10], ['/blog', 8], ['/cart', 7], ['/checkout', 5], ['/signup', 5], ['/about', 3], ['/careers', 2]];
const CAMPAIGNS: [string, number][] = [['(none)', 50], ['google', 22], ['newsletter', 12], ['twitter', 8], ['partner', 8]];
const EVENTS: [string, number][] = [['page_view', 80], ['click', 14], ['purchase', 6]];
const USERS = 3000;

function pick(table: [string, number][], r: number): string {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let x = r * total;
  for (const [value, weight] of table) if ((x -= weight) < 0) return value;
  return table[0]![0];
}

/** A user keeps a country and device, as real ones do; campaigns vary per visit. */
function demoEvent(at: number, random: () => number): Record<string, unknown> {
  const user = Math.floor(random() * USERS);
  const event = pick(EVENTS, random());
  return {
    event, timestamp: new Date(at).toISOString(), user_id: `demo-${user}`,
    country: pick(COUNTRIES, (user * 7919 % 1000) / 1000), device: pick(DEVICES, (user * 104729 % 1000) / 1000),
    page: event === 'purchase' ? '/checkout' : pick(PAGES, random()), campaign: pick(CAMPAIGNS, random()),
    ...(event === 'purchase' ? { revenue: Math.round((5 + random() * 195) * 100) / 100 } : {}),
  };
}

/** Traffic follows the day: quiet at night (UTC), busy in the afternoon. */
const dailyWeight = (at: number) => 0.35 + 0.65 * Math.sin((Math.PI * ((at % DAY) / DAY)) ** 1.5);

export interface Demo { stop(): Promise<void> }

export async function startDemo(apiUrl: string, logger: Logger, random: () => number = Math.random): Promise<Demo> {
  const send = async (events: Record<string, unknown>[]) => {
    const res = await fetch(`${apiUrl}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    if (!res.ok) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  };
  const now = Date.now();
  const history: Record<string, unknown>[] = [];
  while (history.length < HISTORY_EVENTS) {
    const at = now - Math.floor(random() * DAY);
    if (random() < dailyWeight(at)) history.push(demoEvent(at, random));
  }
  for (let i = 0; i < history.length; i += BATCH) await send(history.slice(i, i + BATCH));
  logger.info({ events: history.length, open: `${apiUrl}/?live=1` }, `demo: sent a day of history; open ${apiUrl}/?live=1 for the live dashboard`);

  let stopped = false;
  let failures = 0;
  const tick = async () => {
    const count = Math.max(1, Math.round(LIVE_EVENTS_PER_SECOND * (0.5 + random())));
    try {
      await send(Array.from({ length: count }, () => demoEvent(Date.now(), random)));
      failures = 0;
    } catch (err) {
      // The generator is a guest: it backs off quietly and never takes the server down with it.
      if (failures++ === 0) logger.warn({ err }, 'demo: could not send events; retrying');
    }
  };
  const timer = setInterval(() => void (stopped || tick()), 1000);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
