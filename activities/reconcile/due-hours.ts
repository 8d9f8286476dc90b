/**
 * Which hours the schedule should reconcile now, oldest first:
 *   - closed hours (their end plus the grace has passed) that hold archive files and were never
 *     published, or are dirty: their manifest's live files (a compacted file in place of those it
 *     replaced) no longer match the files the published run read, and that run is older than the
 *     debounce;
 *   - closed hours without events, from a tenant's first archived hour on, never published: they
 *     are published as empty, so that quiet hours read as reconciled.
 */
import { RECONCILE_STATE_TABLE } from '../../core/rollups';
import { MINUTE_MS } from '../../core/time';
import type { OlapStore } from '../../infra/olap/olap';
import { MANIFEST_TABLE, liveManifestSql } from '../../stream/archive/manifest';

export interface DueHour { tenant: string; hour: number }

export interface DueOptions {
  /** @default 5 min after the hour's end */
  graceMs?: number;
  /** A dirty hour is reconciled again at most this often. @default 2 min */
  debounceMs?: number;
  /** @default 100 */
  limit?: number;
}

export async function dueHours(olap: OlapStore, now: number, options: DueOptions = {}): Promise<DueHour[]> {
  const params = {
    closedBefore: Math.floor((now - (options.graceMs ?? 5 * MINUTE_MS)) / 1000) - 3600,
    debounced: Math.floor((now - (options.debounceMs ?? 2 * MINUTE_MS)) / 1000),
    limit: options.limit ?? 100,
  };
  const manifest = olap.table(MANIFEST_TABLE);
  const state = olap.table(RECONCILE_STATE_TABLE);
  const rows = await olap.query<{ tenant: string; h: number }>(`
    WITH
      files AS (SELECT tenant, hour, arraySort(groupUniqArray(file)) AS files FROM ${liveManifestSql(olap)} GROUP BY tenant, hour),
      published AS (SELECT tenant, hour, arraySort(argMax(files_read, version)) AS files_read, max(published_at) AS at FROM ${state} GROUP BY tenant, hour),
      busy AS (
        SELECT f.tenant AS tenant, f.hour AS hour FROM files AS f LEFT JOIN published AS p ON f.tenant = p.tenant AND f.hour = p.hour
        WHERE toUnixTimestamp(f.hour) <= {closedBefore:UInt32}
          AND (p.tenant = '' OR (f.files != p.files_read AND toUnixTimestamp(p.at) <= {debounced:UInt32}))
      ),
      quiet AS (
        SELECT tenant, toDateTime(arrayJoin(range(toUInt32(min(hour)), toUInt32({closedBefore:UInt32}) + 1, 3600)), 'UTC') AS hour
        FROM ${manifest} GROUP BY tenant
      )
    SELECT tenant, toUnixTimestamp(hour) AS h FROM (
      SELECT tenant, hour FROM busy
      UNION ALL
      SELECT q.tenant AS tenant, q.hour AS hour FROM quiet AS q
      LEFT JOIN (SELECT DISTINCT tenant, hour FROM ${manifest}) AS m ON q.tenant = m.tenant AND q.hour = m.hour
      LEFT JOIN (SELECT DISTINCT tenant, hour FROM ${state}) AS s ON q.tenant = s.tenant AND q.hour = s.hour
      WHERE m.tenant = '' AND s.tenant = ''
    )
    ORDER BY h, tenant LIMIT {limit:UInt32}`, { params });
  return rows.map((r) => ({ tenant: r.tenant, hour: Number(r.h) * 1000 }));
}

export interface HourStates {
  /** Published hours whose manifest no longer matches what their published run read. */
  dirty: number[];
  /**
   * End of the longest run of clean hours from the tenant's first archived hour (epoch ms), or
   * null when its first hour is not clean yet.
   */
  reconciledThrough: number | null;
}

/** What /v1/status reports of the batch layer for one tenant. */
export async function hourStates(olap: OlapStore, tenant: string): Promise<HourStates> {
  const manifest = olap.table(MANIFEST_TABLE);
  const state = olap.table(RECONCILE_STATE_TABLE);
  const rows = await olap.query<{ h: number; clean: number }>(`
    WITH
      files AS (SELECT hour, arraySort(groupUniqArray(file)) AS files FROM ${liveManifestSql(olap, 'tenant = {tenant:String}')} GROUP BY hour),
      published AS (SELECT hour, arraySort(argMax(files_read, version)) AS files_read FROM ${state} WHERE tenant = {tenant:String} GROUP BY hour)
    SELECT toUnixTimestamp(p.hour) AS h, (f.hour = toDateTime(0) AND length(p.files_read) = 0) OR f.files = p.files_read AS clean
    FROM published AS p LEFT JOIN files AS f ON f.hour = p.hour
    ORDER BY h`, { params: { tenant } });
  const first = await olap.query<{ h: number }>(`SELECT toUnixTimestamp(min(hour)) AS h FROM ${manifest} WHERE tenant = {tenant:String}`, { params: { tenant } });
  const dirty = rows.filter((r) => !Number(r.clean)).map((r) => Number(r.h) * 1000);
  const clean = new Set(rows.filter((r) => Number(r.clean)).map((r) => Number(r.h) * 1000));
  const start = Number(first[0]?.h ?? 0) * 1000;
  let through: number | null = null;
  for (let hour = start; start > 0 && clean.has(hour); hour += 3_600_000) through = hour + 3_600_000;
  return { dirty, reconciledThrough: through };
}
