/**
 * reconcileDay: once every hour of a UTC day is published, builds the day's rows. Counts and sums
 * add up the hourly rows of the published versions; `unique_users` is an exact distinct count,
 * rescanned by DuckDB over the very files those versions read, deduplicated the way the hours
 * were. The day state records the 24 hourly versions it was built from: readers use the day rows
 * only while those are still the published ones.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { BUILT_IN_DIMENSIONS, CUBES, type Cube, keyTail } from '../../core/dimensions';
import { DAY_STATE_TABLE, RECONCILE_STATE_TABLE, batchRollupTable, dayRollupTable } from '../../core/rollups';
import { DAY_MS, HOUR_MS, toIso } from '../../core/time';
import { versionedIn } from '../../core/layered-source';
import { duckList, duckString } from '../../infra/duckdb-sql';
import type { OlapStore } from '../../infra/olap/olap';
import { dateTime64Text } from '../../infra/olap/sql';
import { fetchAll } from '../../infra/objectstore/fetch-local';
import { nextVersion } from './publish-hour';
import type { ReconcileDeps } from './reconcile-hour';

export type ReconcileDayResult =
  | { tenant: string; day: string; published: true; version: number; users: number }
  | { tenant: string; day: string; published: false; unpublishedHours: string[] };

interface HourVersion { hour: number; version: number; files: string[] }

export async function reconcileDay(deps: ReconcileDeps, tenant: string, day: number): Promise<ReconcileDayResult> {
  const hours = await publishedHoursOf(deps.olap, tenant, day);
  const dayText = toIso(day);
  if (hours.length < 24) {
    const have = new Set(hours.map((h) => h.hour));
    const missing = Array.from({ length: 24 }, (_, i) => day + i * HOUR_MS).filter((h) => !have.has(h));
    return { tenant, day: dayText, published: false, unpublishedHours: missing.map(toIso) };
  }
  const version = nextVersion(await publishedDayVersion(deps.olap, tenant, day));
  const dir = join(deps.workDir, `day-${tenant}-${day}-${process.pid}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  try {
    // A file gone since (the hour compacted again) means a newer hourly version: this build's
    // hour_versions are then stale, and readers keep to the hourly rows until the next build.
    const local = (await fetchAll(deps.objects, [...new Set(hours.flatMap((h) => h.files))], dir, 'd')).read.map((f) => f.path);
    const out = join(dir, 'users.parquet');
    const stage = `reconcile_day_stage_${version}`;
    await deps.olap.exec(`CREATE TABLE ${deps.olap.table(stage)} (${BUILT_IN_DIMENSIONS.map((d) => `${d} String`).join(', ')}, user_id String) ENGINE = Memory`);
    try {
      if (local.length > 0) {
        await distinctUsers(local, out);
        await deps.olap.insertParquet(stage, out);
      }
      for (const cube of CUBES) await rollUpDay(deps.olap, { cube, stage, tenant, day, version, hours });
    } finally {
      await deps.olap.exec(`DROP TABLE IF EXISTS ${deps.olap.table(stage)}`);
    }
    const [totals] = await deps.olap.query<{ users: string; events: number }>(
      `SELECT toString(uniqExactMerge(users_set)) AS users, sum(events) AS events FROM ${deps.olap.table(dayRollupTable(CUBES[0] as Cube))}
       WHERE tenant = {tenant:String} AND day = toDateTime({day:UInt32}, 'UTC') AND version = {version:UInt64}`,
      { params: { tenant, day: day / 1000, version } },
    );
    await deps.olap.insert(DAY_STATE_TABLE, [{
      tenant, day: day / 1000, version, hour_versions: hours.map((h) => h.version),
      events: Math.round(totals?.events ?? 0), published_at: dateTime64Text(Date.now()),
    }]);
    await deps.onPublished?.(tenant);
    return { tenant, day: dayText, published: true, version, users: Number(totals?.users ?? 0) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The published version and files read of each hour of the day that has one, in hour order. */
async function publishedHoursOf(olap: OlapStore, tenant: string, day: number): Promise<HourVersion[]> {
  const rows = await olap.query<{ h: number; v: string; files: string[] }>(
    `SELECT toUnixTimestamp(hour) AS h, toString(max(version)) AS v, argMax(files_read, version) AS files
     FROM ${olap.table(RECONCILE_STATE_TABLE)}
     WHERE tenant = {tenant:String} AND hour >= toDateTime({from:UInt32}, 'UTC') AND hour < toDateTime({to:UInt32}, 'UTC')
     GROUP BY hour ORDER BY hour`,
    { params: { tenant, from: day / 1000, to: (day + DAY_MS) / 1000 } },
  );
  return rows.map((r) => ({ hour: Number(r.h) * 1000, version: Number(r.v), files: r.files }));
}

async function publishedDayVersion(olap: OlapStore, tenant: string, day: number): Promise<number> {
  const rows = await olap.query<{ v: string }>(
    `SELECT toString(max(version)) AS v FROM ${olap.table(DAY_STATE_TABLE)} WHERE tenant = {tenant:String} AND day = toDateTime({day:UInt32}, 'UTC')`,
    { params: { tenant, day: day / 1000 } },
  );
  return Number(rows[0]?.v ?? 0);
}

/**
 * Each (dimensions, user) pair of the day once. Events are deduplicated per event id and hour, as
 * each hour's reconciliation did, so the day counts exactly the users its hourly rows counted.
 */
async function distinctUsers(files: string[], out: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  try {
    const connection = await instance.connect();
    try {
      await connection.run(`COPY (
        WITH once AS (
          SELECT * FROM read_parquet(${duckList(files)})
          QUALIFY row_number() OVER (PARTITION BY event_id, date_trunc('hour', "timestamp") ORDER BY received_at, "partition", "offset") = 1
        )
        SELECT DISTINCT ${BUILT_IN_DIMENSIONS.map((d) => `dims."${d}" AS "${d}"`).join(', ')}, user_id
        FROM once WHERE user_id IS NOT NULL
      ) TO ${duckString(out)} (FORMAT parquet)`);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

interface DayRollup { cube: Cube; stage: string; tenant: string; day: number; version: number; hours: HourVersion[] }

/** Sums from the published hourly rows, joined with the day's exact user states per combination. */
async function rollUpDay(olap: OlapStore, input: DayRollup): Promise<void> {
  const keys = keyTail(input.cube);
  const dims = input.cube.dimensions.join(', ');
  const lead = dims ? `${dims}, ` : '';
  const distinct = `SELECT ${lead}uniqExact(user_id) AS users_exact, uniqCombinedState(user_id) AS users, uniqExactState(user_id) AS users_set
      FROM ${olap.table(input.stage)}${dims ? ` GROUP BY ${dims}` : ''}`;
  // A cube without dimensions has one row a side, which a cross join pairs.
  const join = dims ? `LEFT JOIN (${distinct}) AS distinct_users USING (${dims})` : `CROSS JOIN (${distinct}) AS distinct_users`;
  await olap.exec(`INSERT INTO ${olap.table(dayRollupTable(input.cube))}
      (tenant, day, version${keys}, events, sessions, revenue, users_exact, users, users_set)
    SELECT {tenant:String}, toDateTime({day:UInt32}, 'UTC'), {version:UInt64}${keys}, events, sessions, revenue, users_exact, users, users_set
    FROM (
      SELECT ${lead}sum(events) AS events, sum(sessions) AS sessions, sum(revenue) AS revenue
      FROM ${olap.table(batchRollupTable(input.cube))}
      WHERE tenant = {tenant:String} AND granularity = '1h'
        AND ${versionedIn('hour', 'hours', 'versions')}
      ${dims ? `GROUP BY ${dims}` : ''}
    ) AS summed
    ${join}
    SETTINGS join_use_nulls = 0`, {
    params: {
      tenant: input.tenant, day: input.day / 1000, version: input.version,
      hours: input.hours.map((h) => h.hour / 1000), versions: input.hours.map((h) => h.version),
    },
  });
}
