/**
 * The dimension dictionary: per tenant and dimension, the first N distinct values are admitted and
 * later ones read as `(other)`, so one tenant's unbounded page URLs cannot blow up every cube. The
 * decision is taken once, here, and archived on the event, so both layers agree on it forever.
 *
 * This is the in-memory side the fold thread consults for every event; the store (dictionary-store.ts)
 * persists what it admits and feeds it what other stream processes admitted.
 */
import { BUILT_IN_DIMENSIONS, NONE_VALUE, dimensionCap } from '../core/dimensions';

/** One admitted value; `dimension` indexes BUILT_IN_DIMENSIONS. */
export type DictionaryEntry = [tenant: string, dimension: number, value: string];

/** Ids `decide` gives the two values every dimension has; admitted values get 2, 3, … */
export const NONE_ID = 0;
export const OTHER_ID = 1;

export interface Dictionary {
  /**
   * Admits the value while the dimension has room, and returns its id: small and stable within this
   * dictionary, so that rollup keys need not carry (and hash) long values such as page URLs.
   * OTHER_ID means the value reads as `(other)`; `(none)` is NONE_ID and never counted.
   */
  decide(tenant: string, dimension: number, value: string): number;
  /** Adds values admitted elsewhere (the store, another process); never evicts. */
  learn(entries: readonly DictionaryEntry[]): void;
  /** Values this dictionary admitted since the last call, for the store to persist. */
  takeAdmitted(): DictionaryEntry[];
}

const CAPS = BUILT_IN_DIMENSIONS.map(dimensionCap);

export function createDictionary(caps: readonly number[] = CAPS): Dictionary {
  const byTenant = new Map<string, Map<string, number>[]>();
  let admitted: DictionaryEntry[] = [];
  // Events of one tenant tend to come together: the last tenant's maps are kept at hand.
  let lastTenant: string | undefined;
  let lastMaps: Map<string, number>[] = [];

  const mapsOf = (tenant: string): Map<string, number>[] => {
    if (tenant === lastTenant) return lastMaps;
    let maps = byTenant.get(tenant);
    if (!maps) {
      maps = caps.map(() => new Map<string, number>());
      byTenant.set(tenant, maps);
    }
    lastTenant = tenant;
    lastMaps = maps;
    return maps;
  };
  const admit = (known: Map<string, number>, value: string): number => {
    const id = known.size + 2;
    known.set(value, id);
    return id;
  };

  return {
    decide(tenant, dimension, value) {
      if (value === NONE_VALUE) return NONE_ID;
      const known = mapsOf(tenant)[dimension] as Map<string, number>;
      const id = known.get(value);
      if (id !== undefined) return id;
      if (known.size >= (caps[dimension] as number)) return OTHER_ID;
      admitted.push([tenant, dimension, value]);
      return admit(known, value);
    },
    learn(entries) {
      // Another process may have admitted past this one's view of the cap: its values stand, since
      // events already carry them. The overshoot is bounded by the values admitted concurrently.
      for (const [tenant, dimension, value] of entries) {
        const known = mapsOf(tenant)[dimension];
        if (known && !known.has(value)) admit(known, value);
      }
    },
    takeAdmitted() {
      const out = admitted;
      admitted = [];
      return out;
    },
  };
}
