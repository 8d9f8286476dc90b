/**
 * Persists the dimension dictionary in the OLAP store, shared by every stream process: each saves
 * what it admitted before the rows that use it, and loads what the others admitted.
 */
import { BUILT_IN_DIMENSIONS, type Dimension } from '../core/dimensions';
import { DICTIONARY_TABLE } from '../core/rollups';
import type { OlapStore } from '../infra/olap/olap';
import { ensureDictionarySchema } from '../infra/olap/schema';
import { dateTime64Text } from '../infra/olap/sql';
import type { DictionaryEntry } from './dictionary';

const TABLE = DICTIONARY_TABLE;

export interface DictionaryStore {
  /** Entries admitted after `sinceUs` (µs), and the newest admission time among them. */
  load(sinceUs: number): Promise<{ entries: DictionaryEntry[]; newestUs: number }>;
  save(entries: readonly DictionaryEntry[]): Promise<void>;
}

export async function createDictionaryStore(olap: OlapStore): Promise<DictionaryStore> {
  await ensureDictionarySchema(olap);

  return {
    async load(sinceUs) {
      const rows = await olap.query<{ tenant: string; dimension: string; value: string; at: string }>(
        `SELECT tenant, dimension, value, toString(toUnixTimestamp64Micro(min(admitted_at))) AS at
         FROM ${olap.table(TABLE)} GROUP BY tenant, dimension, value
         HAVING min(admitted_at) > fromUnixTimestamp64Micro(toInt64({since:Int64}), 'UTC')`,
        { params: { since: sinceUs } },
      );
      let newestUs = sinceUs;
      const entries: DictionaryEntry[] = [];
      for (const row of rows) {
        const dimension = BUILT_IN_DIMENSIONS.indexOf(row.dimension as Dimension);
        if (dimension < 0) continue; // a dimension no longer configured
        entries.push([row.tenant, dimension, row.value]);
        newestUs = Math.max(newestUs, Number(row.at));
      }
      return { entries, newestUs };
    },
    async save(entries) {
      if (entries.length === 0) return;
      const at = dateTime64Text(Date.now());
      await olap.insert(TABLE, entries.map(([tenant, dimension, value]) => ({
        tenant, dimension: BUILT_IN_DIMENSIONS[dimension], value, admitted_at: at,
      })));
    },
  };
}
