/**
 * Creates the rollup tables in the OLAP store. Both adapters run the same DDL.
 *
 * Speed rows arrive through a Null-engine input table whose materialized view turns each batch's
 * user lists into uniqCombined states: JSON cannot carry aggregate states, and this keeps the
 * stream process free of ClickHouse's binary state format.
 */
import { BUILT_IN_DIMENSIONS, CUBES, type Cube, keyTail } from '../../core/dimensions';
import { DAY_STATE_TABLE, DICTIONARY_TABLE, RECONCILE_STATE_TABLE, batchRollupTable, dayRollupTable, speedInputTable, speedRollupTable } from '../../core/rollups';
import type { OlapStore } from './olap';

/** Speed rows are provisional and expire once the batch layer has had a week to replace them. */
const SPEED_RETENTION_DAYS = 7;

export async function ensureRollupSchema(olap: OlapStore): Promise<void> {
  for (const cube of CUBES) {
    const added = cube !== FULL_CUBE && !(await tableExists(olap, batchRollupTable(cube))) && (await tableExists(olap, batchRollupTable(FULL_CUBE)));
    if (cube.speed) await ensureSpeedTables(olap, cube);
    await ensureBatchTable(olap, cube);
    await ensureDayTable(olap, cube);
    // A cube added to a store that already holds rollups starts from the full cube's rows, which
    // hold every dimension: published hours then read the same in the new cube as in the full one.
    if (added) await deriveFromFull(olap, cube);
  }
  await olap.exec(`CREATE TABLE IF NOT EXISTS ${olap.table(RECONCILE_STATE_TABLE)} (
      tenant LowCardinality(String), hour DateTime('UTC'), version UInt64,
      files_read Array(String), events UInt64, published_at DateTime64(3, 'UTC')
    ) ENGINE = MergeTree
    ORDER BY (tenant, hour, version)`);
  await ensureDictionarySchema(olap);
  await olap.exec(`CREATE TABLE IF NOT EXISTS ${olap.table(DAY_STATE_TABLE)} (
      tenant LowCardinality(String), day DateTime('UTC'), version UInt64,
      hour_versions Array(UInt64), events UInt64, published_at DateTime64(3, 'UTC')
    ) ENGINE = MergeTree
    ORDER BY (tenant, day, version)`);
}

/**
 * Batch rows carry their hour and version: a new attempt writes beside the old rows and publishes
 * by moving the pointer (reconcile_state), so a retried attempt never doubles what readers see.
 * `users_exact` is the row's exact distinct count; `users` merges across buckets and layers (the
 * speed layer has the same state), and `users_set`, filled on 1h rows only, merges exactly: an
 * hourly or daily point of `unique_users` is then exact for any filter, at 16 bytes per user and
 * row where the uniqCombined state stays small.
 */
async function ensureBatchTable(olap: OlapStore, cube: Cube): Promise<void> {
  const dims = dimensionColumns(cube);
  await olap.exec(`CREATE TABLE IF NOT EXISTS ${olap.table(batchRollupTable(cube))} (
      tenant LowCardinality(String), hour DateTime('UTC'), version UInt64,
      granularity Enum8('1m' = 1, '1h' = 2), bucket DateTime('UTC')${dims},
      events Float64, sessions Float64, revenue Decimal(38, 6),
      users_exact UInt64, users AggregateFunction(uniqCombined, String), users_set AggregateFunction(uniqExact, String)
    ) ENGINE = MergeTree
    PARTITION BY toYYYYMM(hour)
    ORDER BY (tenant, hour, version, granularity, bucket${keyTail(cube)})`);
  // Tables from before exact hourly distinct counts gain the column (their rows merge approximately).
  await olap.exec(`ALTER TABLE ${olap.table(batchRollupTable(cube))} ADD COLUMN IF NOT EXISTS users_set AggregateFunction(uniqExact, String) AFTER users`);
}

/** Day rows: the same values as the batch table's, a whole UTC day per row (reconcileDay). */
async function ensureDayTable(olap: OlapStore, cube: Cube): Promise<void> {
  const dims = dimensionColumns(cube);
  await olap.exec(`CREATE TABLE IF NOT EXISTS ${olap.table(dayRollupTable(cube))} (
      tenant LowCardinality(String), day DateTime('UTC'), version UInt64${dims},
      events Float64, sessions Float64, revenue Decimal(38, 6),
      users_exact UInt64, users AggregateFunction(uniqCombined, String), users_set AggregateFunction(uniqExact, String)
    ) ENGINE = MergeTree
    PARTITION BY toYYYYMM(day)
    ORDER BY (tenant, day, version${keyTail(cube)})`);
}

async function ensureSpeedTables(olap: OlapStore, cube: Cube): Promise<void> {
  const dims = dimensionColumns(cube);
  const keys = keyTail(cube);
  const rollup = olap.table(speedRollupTable(cube));
  const input = olap.table(speedInputTable(cube));
  await olap.exec(`CREATE TABLE IF NOT EXISTS ${rollup} (
      tenant LowCardinality(String), minute DateTime('UTC')${dims},
      events SimpleAggregateFunction(sum, Float64),
      sessions SimpleAggregateFunction(sum, Float64),
      revenue SimpleAggregateFunction(sum, Decimal(38, 6)),
      users AggregateFunction(uniqCombined, String)
    ) ENGINE = AggregatingMergeTree
    PARTITION BY toYYYYMMDD(minute)
    ORDER BY (tenant, minute${keys})
    TTL minute + INTERVAL ${SPEED_RETENTION_DAYS} DAY`);
  await olap.exec(`CREATE TABLE IF NOT EXISTS ${input} (
      tenant String, minute DateTime('UTC')${dims},
      events Float64, sessions Float64, revenue Decimal(38, 6), user_ids Array(String)
    ) ENGINE = Null`);
  // Tables from before `sessions` existed gain the column; their view is replaced by a versioned one.
  await olap.exec(`ALTER TABLE ${rollup} ADD COLUMN IF NOT EXISTS sessions SimpleAggregateFunction(sum, Float64) AFTER events`);
  await olap.exec(`ALTER TABLE ${input} ADD COLUMN IF NOT EXISTS sessions Float64 AFTER events`);
  await olap.exec(`DROP VIEW IF EXISTS ${olap.table(`${speedRollupTable(cube)}_mv`)}`);
  await olap.exec(`CREATE MATERIALIZED VIEW IF NOT EXISTS ${olap.table(`${speedRollupTable(cube)}_mv_v2`)} TO ${rollup} AS
    SELECT tenant, minute${keys}, events, sessions, revenue, arrayReduce('uniqCombinedState', user_ids) AS users
    FROM ${input}`);
}

/** The cube's dimension columns, declared, to follow others in a column list. */
const dimensionColumns = (cube: Cube): string => cube.dimensions.map((d) => `, ${d} LowCardinality(String)`).join('');

/** Whether the table exists in the store's database. */
async function tableExists(olap: OlapStore, name: string): Promise<boolean> {
  const rows = await olap.query<{ n: string }>('SELECT toString(count()) AS n FROM system.tables WHERE database = {db:String} AND name = {name:String}', { params: { db: olap.database, name } });
  return rows[0]?.n === '1';
}

/** Fills a new cube's speed, batch and day tables from the full cube's rows (every version alike). */
async function deriveFromFull(olap: OlapStore, cube: Cube): Promise<void> {
  const keys = keyTail(cube);
  const states = 'sum(events), sum(sessions), sum(revenue)';
  if (cube.speed) {
    await olap.exec(`INSERT INTO ${olap.table(speedRollupTable(cube))} (tenant, minute${keys}, events, sessions, revenue, users)
      SELECT tenant, minute${keys}, ${states}, uniqCombinedMergeState(users) FROM ${olap.table(speedRollupTable(FULL_CUBE))} GROUP BY tenant, minute${keys}`);
  }
  const exactStates = `${states}, uniqExactMerge(users_set), uniqCombinedMergeState(users), uniqExactMergeState(users_set)`;
  await olap.exec(`INSERT INTO ${olap.table(batchRollupTable(cube))} (tenant, hour, version, granularity, bucket${keys}, events, sessions, revenue, users_exact, users, users_set)
    SELECT tenant, hour, version, granularity, bucket${keys}, ${exactStates}
    FROM ${olap.table(batchRollupTable(FULL_CUBE))} GROUP BY tenant, hour, version, granularity, bucket${keys}`);
  await olap.exec(`INSERT INTO ${olap.table(dayRollupTable(cube))} (tenant, day, version${keys}, events, sessions, revenue, users_exact, users, users_set)
    SELECT tenant, day, version${keys}, ${exactStates}
    FROM ${olap.table(dayRollupTable(FULL_CUBE))} GROUP BY tenant, day, version${keys}`);
}

/** The cube with every dimension: what a cube added later is derived from. */
const FULL_CUBE = CUBES.find((c) => c.dimensions.length === BUILT_IN_DIMENSIONS.length) as Cube;

/** The dimension dictionary (stream/dictionary-store.ts writes it; the API reads it for capped filters). */
export async function ensureDictionarySchema(olap: OlapStore): Promise<void> {
  await olap.exec(`CREATE TABLE IF NOT EXISTS ${olap.table(DICTIONARY_TABLE)} (
      tenant LowCardinality(String), dimension LowCardinality(String), value String, admitted_at DateTime64(6, 'UTC')
    ) ENGINE = ReplacingMergeTree
    ORDER BY (tenant, dimension, value)`);
}
