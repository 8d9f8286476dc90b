/**
 * Seven days of rollups for the query bench, written straight into an embedded data directory's
 * chdb: sparse, realistic cardinality (50 countries, 3 devices, 200 pages drawn Zipf-like, a few
 * campaigns), about 20 million full-cube minute rows. Every hour but the last 3 is published (1m
 * and 1h batch rows and a reconcile state), whole days have day rows, and the last 3 hours are
 * speed rows only, as the live tail would be.
 */
import { join } from 'node:path';
import { CUBES, keyTail } from '../core/dimensions';
import { DAY_MS, HOUR_MS, floorTo } from '../core/time';
import { createChdbStore } from '../infra/olap/chdb';
import { ensureRollupSchema } from '../infra/olap/schema';

export interface QueryData {
  minuteRows: number;
  /** Start of the first hour, and end of the window (the current hour's end), epoch ms. */
  from: number;
  to: number;
  seconds: number;
}

const TENANT = 'default';
const UNRECONCILED_HOURS = 3;

/** A uniform [0, 1) draw per row and salt, deterministic. */
const uniform = (salt: number) => `(cityHash64(number, ${salt}) % 1000000) / 1000000.0`;

export async function seedQueryData(dataDir: string, minuteRows = 20_000_000, now = Date.now()): Promise<QueryData> {
  const started = Date.now();
  const olap = await createChdbStore({ path: join(dataDir, 'olap'), database: 'strata' });
  try {
    await ensureRollupSchema(olap);
    const to = floorTo(now, HOUR_MS) + HOUR_MS;
    const from = to - 7 * DAY_MS;
    const minutes = (to - from) / 60_000;
    const perMinute = Math.ceil(minuteRows / minutes);
    const published = to - UNRECONCILED_HOURS * HOUR_MS;
    const t = (name: string) => olap.table(name);

    // Raw minute rows with their user, from which every table is derived.
    await olap.exec(`CREATE TABLE ${t('bench_rows')} ENGINE = MergeTree ORDER BY minute AS
      SELECT toDateTime(${from / 1000} + intDiv(number, ${perMinute}) * 60, 'UTC') AS minute,
        multiIf(${uniform(1)} < 0.8, 'page_view', ${uniform(1)} < 0.95, 'click', 'purchase') AS event,
        concat('C', toString(toUInt32(pow(50, ${uniform(2)})))) AS country,
        ['mobile', 'desktop', 'tablet'][1 + cityHash64(number, 3) % 3] AS device,
        concat('/p/', toString(toUInt32(pow(200, ${uniform(4)})))) AS page,
        ['(none)', '(none)', '(none)', 'spring', 'launch', 'retarget'][1 + cityHash64(number, 5) % 6] AS campaign,
        toFloat64(1 + cityHash64(number, 6) % 5) AS events,
        toFloat64(cityHash64(number, 7) % 2) AS sessions,
        if(event = 'purchase', toDecimal128(cityHash64(number, 8) % 10000 / 100, 6), toDecimal128(0, 6)) AS revenue,
        concat('u', toString(cityHash64(number, 9) % 200000)) AS user
      FROM numbers(${perMinute * minutes})`);

    for (const cube of CUBES) {
      const dims = keyTail(cube);
      const batch = t(`rollup_batch_${cube.name}`);
      const sums = 'sum(events), sum(sessions), sum(revenue), uniqExact(user), uniqCombinedState(user)';
      await olap.exec(`INSERT INTO ${batch} (tenant, hour, version, granularity, bucket${dims}, events, sessions, revenue, users_exact, users)
        SELECT '${TENANT}', toStartOfHour(minute) AS h, toUnixTimestamp(h), '1m', minute${dims}, ${sums}
        FROM ${t('bench_rows')} WHERE minute < toDateTime(${published / 1000}, 'UTC') GROUP BY h, minute${dims}`);
      await olap.exec(`INSERT INTO ${batch} (tenant, hour, version, granularity, bucket${dims}, events, sessions, revenue, users_exact, users, users_set)
        SELECT '${TENANT}', toStartOfHour(minute) AS h, toUnixTimestamp(h), '1h', h${dims}, ${sums}, uniqExactState(user)
        FROM ${t('bench_rows')} WHERE minute < toDateTime(${published / 1000}, 'UTC') GROUP BY h${dims}`);
      await olap.exec(`INSERT INTO ${t(`rollup_day_${cube.name}`)} (tenant, day, version${dims}, events, sessions, revenue, users_exact, users, users_set)
        SELECT '${TENANT}', toStartOfDay(minute) AS d, toUnixTimestamp(d)${dims}, ${sums}, uniqExactState(user)
        FROM ${t('bench_rows')} WHERE minute >= toDateTime(${Math.ceil(from / DAY_MS) * DAY_MS / 1000}, 'UTC')
          AND minute < toDateTime(${floorTo(published, DAY_MS) / 1000}, 'UTC') GROUP BY d${dims}`);
      if (!cube.speed) continue;
      await olap.exec(`INSERT INTO ${t(`rollup_speed_${cube.name}_in`)} (tenant, minute${dims}, events, sessions, revenue, user_ids)
        SELECT '${TENANT}', minute${dims}, sum(events), sum(sessions), sum(revenue), groupUniqArray(user)
        FROM ${t('bench_rows')} WHERE minute >= toDateTime(${published / 1000}, 'UTC') GROUP BY minute${dims}`);
    }
    await olap.exec(`INSERT INTO ${t('reconcile_state')} (tenant, hour, version, files_read, events, published_at)
      SELECT '${TENANT}', toStartOfHour(minute) AS h, toUnixTimestamp(h), [], toUInt64(sum(events)), now64(3)
      FROM ${t('bench_rows')} WHERE minute < toDateTime(${published / 1000}, 'UTC') GROUP BY h`);
    await olap.exec(`INSERT INTO ${t('reconcile_day_state')} (tenant, day, version, hour_versions, events, published_at)
      SELECT '${TENANT}', toStartOfDay(minute) AS d, toUnixTimestamp(d), arrayMap(i -> toUInt64(toUnixTimestamp(d) + i * 3600), range(24)), toUInt64(sum(events)), now64(3)
      FROM ${t('bench_rows')} WHERE minute >= toDateTime(${Math.ceil(from / DAY_MS) * DAY_MS / 1000}, 'UTC')
        AND minute < toDateTime(${floorTo(published, DAY_MS) / 1000}, 'UTC') GROUP BY d`);
    const [count] = await olap.query<{ n: string }>(`SELECT toString(count()) AS n FROM ${t('rollup_batch_full')} WHERE granularity = '1m'`);
    await olap.exec(`DROP TABLE ${t('bench_rows')}`);
    return { minuteRows: Number(count?.n ?? 0), from, to, seconds: Math.round((Date.now() - started) / 100) / 10 };
  } finally {
    await olap.close();
  }
}
