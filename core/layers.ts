/**
 * The layer of a bucket: an hour with a published version is read from batch, any other hour from
 * speed. A request reads the published versions once and passes them into every query it runs, so
 * the `layer` a reply states is the layer its numbers were read from.
 */
import { DAY_MS, HOUR_MS, ceilTo, floorTo } from './time';

/** Which layer answered: the exact batch layer, the provisional speed layer, or both. */
export type Layer = 'batch' | 'speed' | 'mixed';

/** Published version by hour start (epoch ms), for the hours of one request's window. */
export type PublishedHours = ReadonlyMap<number, number>;

/** Rows of the planner's published-hours query: hour start in epoch seconds, version as text. */
export function readPublishedHours(rows: readonly Record<string, unknown>[]): PublishedHours {
  return new Map(rows.map((row) => [Number(row.h) * 1000, Number(row.v)]));
}

/** A day build: its version and the 24 hourly versions it was built from, by day start (epoch ms). */
export type DayBuilds = ReadonlyMap<number, { version: number; hourVersions: readonly number[] }>;

/** Rows of the planner's day-builds query: day start in epoch seconds, versions as text. */
export function readDayBuilds(rows: readonly Record<string, unknown>[]): DayBuilds {
  return new Map(rows.map((row) => [Number(row.d) * 1000, {
    version: Number(row.v), hourVersions: (row.hv as unknown[]).map(Number),
  }]));
}

/**
 * The days whose day rows may be read, with the version to read: those built from exactly the
 * versions their 24 hours are published under now. A day whose hour was republished since is read
 * from its hourly rows until reconcileDay builds it again.
 */
export function currentDays(builds: DayBuilds, published: PublishedHours): ReadonlyMap<number, number> {
  const current = new Map<number, number>();
  for (const [day, build] of builds) {
    const matches = build.hourVersions.length === 24
      && build.hourVersions.every((version, i) => published.get(day + i * HOUR_MS) === version);
    if (matches) current.set(day, build.version);
  }
  return current;
}

/** What is published: hour versions, and the day builds current with them (day start → version). */
export interface Served {
  published: PublishedHours;
  days: ReadonlyMap<number, number>;
}

/** Rows of the planner's published-hours and day-builds queries, as what is served. */
export function readServed(hourRows: readonly Record<string, unknown>[], dayRows: readonly Record<string, unknown>[]): Served {
  const published = readPublishedHours(hourRows);
  return { published, days: currentDays(readDayBuilds(dayRows), published) };
}

/** Rows of the planner's tenant-layers query: published hours (kind `h`) and day builds (`d`). */
export function readTenantLayers(rows: readonly Record<string, unknown>[]): Served {
  return readServed(
    rows.filter((r) => r.kind === 'h').map((r) => ({ h: r.t, v: r.v })),
    rows.filter((r) => r.kind === 'd').map((r) => ({ d: r.t, v: r.v, hv: r.hv })),
  );
}

/** The whole UTC days inside [from, to), as day starts (epoch ms). */
export function wholeDaysOf(from: number, to: number): number[] {
  const days: number[] = [];
  for (let d = ceilTo(from, DAY_MS); d + DAY_MS <= to; d += DAY_MS) days.push(d);
  return days;
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
