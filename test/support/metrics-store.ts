/**
 * A chdb store with rollups written directly, as the speed layer and a publish would, and counted
 * at the store: how many queries read rollup rows, and how many read the reconciliation state.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CUBES, NONE_VALUE, SPEED_CUBES, keyTail } from '../../core/dimensions';
import { RECONCILE_STATE_TABLE, batchRollupTable, speedInputTable } from '../../core/rollups';
import { createChdbStore } from '../../infra/olap/chdb';
import type { OlapStore, QueryOptions } from '../../infra/olap/olap';
import { ensureRollupSchema } from '../../infra/olap/schema';

export interface CountedStore {
  olap: OlapStore;
  /** Queries so far that read rollup rows (speed, batch or day). */
  rollupQueries(): number;
  /** Queries so far that read which hours and days are published. */
  stateQueries(): number;
  dir: string;
}

export async function countedStore(database: string): Promise<CountedStore> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-cache-'));
  const inner = await createChdbStore({ path: join(dir, 'olap'), database });
  await ensureRollupSchema(inner);
  let rollups = 0;
  let states = 0;
  const olap: OlapStore = {
    ...inner,
    database: inner.database,
    query: <T>(sql: string, options?: QueryOptions): Promise<T[]> => {
      if (/rollup_(speed|batch|day)_/.test(sql)) rollups++;
      else if (/reconcile_(day_)?state/.test(sql)) states++;
      return inner.query<T>(sql, options);
    },
  };
  return { olap, rollupQueries: () => rollups, stateQueries: () => states, dir };
}

/** Speed deltas of `events` page views at `minute` (epoch ms), in every speed cube, as a flush inserts them. */
export async function insertSpeed(olap: OlapStore, tenant: string, minute: number, events: number): Promise<void> {
  for (const cube of SPEED_CUBES) {
    await olap.insert(speedInputTable(cube), [{
      tenant, minute: minute / 1000,
      ...Object.fromEntries(cube.dimensions.map((d) => [d, d === 'event' ? 'page_view' : NONE_VALUE])),
      events, sessions: 0, revenue: '0', user_ids: [],
    }]);
  }
}

/** Publishes `hour` (epoch ms) with `events` page views at its first minute, as publishHour does. */
export async function publish(olap: OlapStore, tenant: string, hour: number, version: number, events: number): Promise<void> {
  for (const cube of CUBES) {
    for (const granularity of ['1m', '1h']) {
      const dims = cube.dimensions.map((d) => (d === 'event' ? ", 'page_view'" : `, '${NONE_VALUE}'`)).join('');
      await olap.exec(`INSERT INTO ${olap.table(batchRollupTable(cube))}
          (tenant, hour, version, granularity, bucket${keyTail(cube)}, events, sessions, revenue, users_exact, users)
        SELECT {tenant:String}, toDateTime({hour:UInt32}, 'UTC'), {version:UInt64}, {granularity:String},
          toDateTime({hour:UInt32}, 'UTC')${dims}, {events:Float64}, 0, toDecimal128('0', 6), 0, arrayReduce('uniqCombinedState', emptyArrayString())`,
      { params: { tenant, hour: hour / 1000, version, granularity, events } });
    }
  }
  await olap.insert(RECONCILE_STATE_TABLE, [{
    tenant, hour: hour / 1000, version, files_read: [], events, published_at: new Date().toISOString().replace('T', ' ').replace('Z', ''),
  }]);
}
