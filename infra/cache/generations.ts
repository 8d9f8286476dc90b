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
 * Both of a tenant's generations, in one round trip when they exist. A counter that does not exist
 * yet (never bumped, or lost with the store) is started from the clock (Cache.counter), so a
 * generation is never a value that a lost counter could hand out again, and an entry stored under
 * it, in the store or in a process, can never be found again for newer data.
 */
export async function readGenerations(cache: Cache, tenant: string): Promise<Generations> {
  const keys = [keyOf('batch', tenant), keyOf('speed', tenant)] as const;
  const [batch, speed] = await cache.getMany(keys);
  return {
    batch: batch ?? (await cache.counter(keys[0])),
    speed: speed ?? (await cache.counter(keys[1])),
  };
}

/** Moves a tenant's generation on: call it once the new data is visible in the OLAP store. */
export async function bumpGeneration(cache: Cache, layer: DataLayer, tenant: string): Promise<void> {
  await cache.increment(keyOf(layer, tenant));
}
