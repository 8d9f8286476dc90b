/**
 * Synthetic events shaped like the seed's: event, timestamp, user_id, page, country, device,
 * about 250 bytes each as JSON.
 */
const EVENTS = ['page_view', 'page_view', 'page_view', 'click', 'purchase'];
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'IN', 'BR', 'JP', 'CA'];
const DEVICES = ['mobile', 'desktop', 'tablet'];

export interface BenchEvent {
  event: string;
  timestamp: string;
  user_id: string;
  page: string;
  country: string;
  device: string;
  referrer: string;
}

export function makeEvent(i: number, now: number): BenchEvent {
  return {
    event: EVENTS[i % EVENTS.length] as string,
    timestamp: new Date(now - (i % 600) * 1000).toISOString(),
    user_id: `user-${(i * 7919) % 50_000}`,
    page: `/products/category-${i % 40}/item-${(i * 31) % 500}?ref=campaign-${i % 12}`,
    country: COUNTRIES[i % COUNTRIES.length] as string,
    device: DEVICES[i % DEVICES.length] as string,
    referrer: `https://www.example.com/search?q=item-${i % 997}&session=${(i * 104729) % 1_000_000}`,
  };
}

/** `count` distinct bodies of `perBody` events each, as JSON arrays. */
export function makeBodies(count: number, perBody: number, now = Date.now()): string[] {
  return Array.from({ length: count }, (_, b) =>
    JSON.stringify(Array.from({ length: perBody }, (_, i) => makeEvent(b * perBody + i, now))));
}
