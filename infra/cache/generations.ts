/**
 * Per-tenant generations of the data that query answers are computed from, kept as counters in the
 * cache store itself, so that every process on one store sees the same ones:
 *   - `batch` moves on after every publish of a tenant's hour or day;
 *   - `speed` moves on after every speed-layer flush that wrote rows for the tenant.
 * An answer cached under the generations it was computed at is never found again once its data
 * has changed, so it can never be served stale; no entry has to be found and deleted.
 */
import type { Cache } from './cache';

export type DataLayer = 'batch' | 'speed';

/** Opaque values: compare them, never do arithmetic on them. */
export interface Generations {
  batch: string;
  speed: string;
}

const keyOf = (layer: DataLayer, tenant: string): string => `gen:${layer}:${tenant}`;

/**
 * Both of a tenant's generations, in one round trip. A counter never bumped reads as "0", which no
 * bump gives back: a counter starts from the clock (Cache.increment), and starts from it again if
 * it is lost, so even a lost counter never repeats a generation that may still key an entry.
 */
export async function readGenerations(cache: Cache, tenant: string): Promise<Generations> {
  const [batch, speed] = await cache.getMany([keyOf('batch', tenant), keyOf('speed', tenant)]);
  return { batch: batch ?? '0', speed: speed ?? '0' };
}

/** Moves a tenant's generation on: call it once the new data is visible in the OLAP store. */
export async function bumpGeneration(cache: Cache, layer: DataLayer, tenant: string): Promise<void> {
  await cache.increment(keyOf(layer, tenant));
}
