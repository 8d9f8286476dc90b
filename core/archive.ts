/**
 * The raw archive, the source of truth every rollup can be rebuilt from: Parquet files in object
 * storage, one per (tenant, event hour, log partition, offset range), and a manifest row per file.
 * The speed layer writes it; the batch layer and ad-hoc queries read it.
 */
import { BUILT_IN_DIMENSIONS } from './dimensions';
import { HOUR_MS, floorTo, toIso } from './time';

/**
 * The archived columns, in file order (DuckDB types). `dims` holds each dimension's value as decided
 * at ingest (enriched from the profile, capped by the dictionary); `properties` holds the event's
 * properties as the client sent them. `revenue` is properties.revenue as a decimal, on any event.
 */
export const ARCHIVE_COLUMNS = [
  ['event_id', 'VARCHAR'],
  ['event', 'VARCHAR'],
  ['timestamp', 'TIMESTAMP'],
  ['received_at', 'TIMESTAMP'],
  ['tenant', 'VARCHAR'],
  ['user_id', 'VARCHAR'],
  ['partition', 'INTEGER'],
  ['offset', 'BIGINT'],
  ['sample_weight', 'DOUBLE'],
  ['revenue', 'DECIMAL(38, 6)'],
  ['dims', `STRUCT(${BUILT_IN_DIMENSIONS.map((d) => `${d} VARCHAR`).join(', ')})`],
  ['properties', 'JSON'],
] as const;

/** `raw/tenant=T/date=YYYY-MM-DD/hour=HH/`: every file of one tenant's event hour. */
export function archiveHourPrefix(tenant: string, hour: number): string {
  const iso = toIso(floorTo(hour, HOUR_MS));
  return `raw/tenant=${tenant}/date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/`;
}

/**
 * A file's key names the log range it came from, so a replay that cuts the same range overwrites
 * it, and one that cuts differently leaves an overlap the batch layer's deduplication absorbs.
 */
export function archiveKey(tenant: string, hour: number, partition: number, firstOffset: number, lastOffset: number): string {
  return `${archiveHourPrefix(tenant, hour)}${partition}-${firstOffset}-${lastOffset}.parquet`;
}

/**
 * A compacted file's key (reconciliation writes it, see activities/reconcile/compact-hour.ts). The
 * `compacted-` name cannot collide with a speed-layer file's `<partition>-<first>-<last>`, and a
 * fresh id per compaction means no run overwrites an object that a manifest row already points to.
 */
export function compactedKey(tenant: string, hour: number, id: string): string {
  return `${archiveHourPrefix(tenant, hour)}compacted-${id}.parquet`;
}
