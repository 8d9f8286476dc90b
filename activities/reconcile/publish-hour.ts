/**
 * Turns an hour's deduplicated rows into exact rollups in the OLAP store and publishes them. The
 * attempt writes under a fresh version and publishes by adding a state row: a reader only ever
 * sees an hour's latest published version, so a failed or retried attempt leaves nothing visible
 * behind, and never doubles a row.
 */
import { randomBytes } from 'node:crypto';
import { BUILT_IN_DIMENSIONS, CUBES, type Cube, keyTail } from '../../core/dimensions';
import { RECONCILE_STATE_TABLE, batchRollupTable } from '../../core/rollups';
import type { OlapStore } from '../../infra/olap/olap';
import { dateTime64Text } from '../../infra/olap/sql';

export interface PublishInput {
  tenant: string;
  /** Hour start, epoch ms. */
  hour: number;
  /** The deduplicated rows (dedupe-hour.ts), or undefined for an hour without events. */
  file: string | undefined;
  filesRead: string[];
  events: number;
}

export interface Published {
  version: number;
  events: number;
}

/** The hour's published version, or 0 when it was never published. */
export async function publishedVersion(olap: OlapStore, tenant: string, hour: number): Promise<number> {
  const rows = await olap.query<{ v: string }>(
    `SELECT toString(max(version)) AS v FROM ${olap.table(RECONCILE_STATE_TABLE)} WHERE tenant = {tenant:String} AND hour = toDateTime({hour:UInt32}, 'UTC')`,
    { params: { tenant, hour: hour / 1000 } },
  );
  return Number(rows[0]?.v ?? 0);
}

/** A fresh version for an attempt (µs of the clock), above the published one even if the clock went back. */
export function nextVersion(published: number): number {
  return Math.max(Date.now() * 1000, published + 1);
}

export async function publishHour(olap: OlapStore, input: PublishInput): Promise<Published> {
  const version = nextVersion(await publishedVersion(olap, input.tenant, input.hour));
  if (input.file) {
    const stage = `reconcile_stage_${randomBytes(6).toString('hex')}`;
    await olap.exec(`CREATE TABLE ${olap.table(stage)} (
        tenant String, minute DateTime('UTC'), ${BUILT_IN_DIMENSIONS.map((d) => `${d} String`).join(', ')},
        weight Float64, revenue Decimal(38, 6), session Float64, user_id Nullable(String)
      ) ENGINE = Memory`);
    try {
      await olap.insertParquet(stage, input.file);
      for (const cube of CUBES) {
        for (const granularity of ['1m', '1h'] as const) await rollUp(olap, stage, cube, granularity, input.hour, version);
      }
    } finally {
      await olap.exec(`DROP TABLE IF EXISTS ${olap.table(stage)}`);
    }
  }
  await olap.insert(RECONCILE_STATE_TABLE, [{
    tenant: input.tenant, hour: input.hour / 1000, version, files_read: input.filesRead, events: input.events,
    published_at: dateTime64Text(Date.now()),
  }]);
  return { version, events: input.events };
}

async function rollUp(olap: OlapStore, stage: string, cube: Cube, granularity: '1m' | '1h', hour: number, version: number): Promise<void> {
  const keys = keyTail(cube);
  const bucket = granularity === '1m' ? 'minute' : `toDateTime({hour:UInt32}, 'UTC')`;
  await olap.exec(`INSERT INTO ${olap.table(batchRollupTable(cube))}
      (tenant, hour, version, granularity, bucket${keys}, events, sessions, revenue, users_exact, users${granularity === '1h' ? ', users_set' : ''})
    SELECT tenant, toDateTime({hour:UInt32}, 'UTC'), {version:UInt64}, '${granularity}', ${bucket} AS b${keys},
      sum(weight), sum(session), CAST(sum(revenue * toDecimal64(weight, 6)) AS Decimal(38, 6)),
      uniqExact(user_id), ${userStates(granularity === '1h')}
    FROM ${olap.table(stage)}
    GROUP BY tenant, b${keys}`, { params: { hour: hour / 1000, version } });
}

/**
 * The distinct-user states of a group of rows with a nullable `user_id`: uniqCombined always, and
 * the exact set when asked. (arrayReduce keeps the plain state types that the columns declare,
 * where an -If combinator would change them.)
 */
export function userStates(exact: boolean): string {
  const users = 'groupArrayIf(assumeNotNull(user_id), isNotNull(user_id))';
  return `arrayReduce('uniqCombinedState', ${users})${exact ? `, arrayReduce('uniqExactState', ${users})` : ''}`;
}
