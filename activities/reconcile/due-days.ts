/**
 * Which days the schedule should build now: every hour of the day is published, and the day has
 * no build from exactly those hourly versions (never built, or an hour was republished since).
 */
import { DAY_STATE_TABLE, RECONCILE_STATE_TABLE } from '../../core/rollups';
import type { OlapStore } from '../../infra/olap/olap';

export interface DueDay { tenant: string; day: number }

export async function dueDays(olap: OlapStore, limit = 100): Promise<DueDay[]> {
  const rows = await olap.query<{ tenant: string; d: number }>(`
    WITH
      hours AS (SELECT tenant, hour, max(version) AS v FROM ${olap.table(RECONCILE_STATE_TABLE)} GROUP BY tenant, hour),
      days AS (
        SELECT tenant, toStartOfDay(hour) AS day, count() AS n, arrayMap(x -> x.2, arraySort(groupArray((hour, v)))) AS versions
        FROM hours GROUP BY tenant, day HAVING n = 24
      ),
      built AS (SELECT tenant, day, argMax(hour_versions, version) AS versions FROM ${olap.table(DAY_STATE_TABLE)} GROUP BY tenant, day)
    SELECT d.tenant AS tenant, toUnixTimestamp(d.day) AS d
    FROM days AS d LEFT JOIN built AS b ON d.tenant = b.tenant AND d.day = b.day
    WHERE b.tenant = '' OR b.versions != d.versions
    ORDER BY d, tenant LIMIT {limit:UInt32}`, { params: { limit } });
  return rows.map((r) => ({ tenant: r.tenant, day: Number(r.d) * 1000 }));
}
