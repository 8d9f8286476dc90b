/**
 * The layer of a bucket: an hour with a published version is read from batch, any other hour from
 * speed. A request reads the published versions once and passes them into every query it runs, so
 * the `layer` a reply states is the layer its numbers were read from.
 */
import { HOUR_MS, floorTo } from './time';

/** Which layer answered: the exact batch layer, the provisional speed layer, or both. */
export type Layer = 'batch' | 'speed' | 'mixed';

/** Published version by hour start (epoch ms), for the hours of one request's window. */
export type PublishedHours = ReadonlyMap<number, number>;

/** Rows of the planner's published-hours query: hour start in epoch seconds, version as text. */
export function readPublishedHours(rows: readonly Record<string, unknown>[]): PublishedHours {
  return new Map(rows.map((row) => [Number(row.h) * 1000, Number(row.v)]));
}

/** The hour starts (epoch ms) that [from, to) touches. */
export function hoursOf(from: number, to: number): number[] {
  const hours: number[] = [];
  for (let h = floorTo(from, HOUR_MS); h < to; h += HOUR_MS) hours.push(h);
  return hours;
}

/** `batch` when every hour [from, to) touches is published, `speed` when none is, else `mixed`. */
export function layerOf(published: PublishedHours, from: number, to: number): Layer {
  let batch = 0;
  let speed = 0;
  for (let h = floorTo(from, HOUR_MS); h < to; h += HOUR_MS) {
    if (published.has(h)) batch++;
    else speed++;
  }
  if (batch === 0) return 'speed';
  return speed === 0 ? 'batch' : 'mixed';
}
