/**
 * The rollup data model shared by the layer that writes rollups and the one that reads them.
 * Speed rows are additive deltas per 1-minute bucket; a reader always aggregates them again.
 */
import { type Cube, type Dimension, NONE_VALUE } from './dimensions';
import type { NormalizedEvent } from './event';
import { MINUTE_MS, floorTo } from './time';

/** The logical outputs; the OLAP adapter's database qualifies them. */
export const speedRollupTable = (cube: Cube): string => `rollup_speed_${cube.name}`;
export const speedInputTable = (cube: Cube): string => `rollup_speed_${cube.name}_in`;

/** The input table's columns, in the order speedInputRow gives their values. */
export const speedInputColumns = (cube: Cube): string[] =>
  ['tenant', 'minute', ...cube.dimensions, 'events', 'sessions', 'revenue', 'user_ids'];

/** Value of a dimension on an event: the event name, or a scalar property, else `(none)`. */
export function dimensionValue(event: NormalizedEvent, dimension: Dimension): string {
  if (dimension === 'event') return event.event;
  const value = event.properties[dimension];
  if (typeof value === 'string') return value === '' ? NONE_VALUE : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return NONE_VALUE;
}

/** Revenue in micro-units, so that sums are exact integers until they reach Decimal(38, 6). */
export function revenueMicros(event: NormalizedEvent): number {
  const raw = event.properties.revenue;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(value) ? Math.round(value * 1e6) : 0;
}

export function formatMicros(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  return `${sign}${Math.floor(abs / 1e6)}.${String(abs % 1e6).padStart(6, '0')}`;
}

export function minuteOf(event: NormalizedEvent): number {
  return floorTo(event.timestamp, MINUTE_MS);
}

/**
 * Exact rollups the batch layer publishes, per cube: 1m and 1h buckets, each row tagged with its
 * hour and the reconciliation attempt (version) that wrote it. Readers take only the rows of an
 * hour's published version.
 */
export const batchRollupTable = (cube: Cube): string => `rollup_batch_${cube.name}`;

/** One row per reconciliation attempt that published; an hour's published version is its latest. */
export const RECONCILE_STATE_TABLE = 'reconcile_state';

/**
 * Exact day rollups, per cube, one row per dimension combination of a (tenant, day, version). A
 * day row is current only while every hour of its day is still published under the version the
 * day was built from (`hour_versions` in the day state); otherwise readers take the hourly rows.
 */
export const dayRollupTable = (cube: Cube): string => `rollup_day_${cube.name}`;

/** The dimension dictionary: the values each tenant's dimensions admitted before their cap. */
export const DICTIONARY_TABLE = 'dimension_dictionary';

/** One row per published day build: its version and the 24 hourly versions it was built from. */
export const DAY_STATE_TABLE = 'reconcile_day_state';
