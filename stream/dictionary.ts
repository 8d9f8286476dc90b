/**
 * The dimension dictionary: per tenant and dimension, the first N distinct values are admitted and
 * later ones read as `(other)`, so one tenant's unbounded page URLs cannot blow up every cube. The
 * decision is taken once, here, and archived on the event, so both layers agree on it forever.
 *
 * This is the in-memory side the fold thread consults for every event; the store (dictionary-store.ts)
 * persists what it admits and feeds it what other stream processes admitted.
 */
import { BUILT_IN_DIMENSIONS, NONE_VALUE, OTHER_VALUE, dimensionCap } from '../core/dimensions';

/** One admitted value; `dimension` indexes BUILT_IN_DIMENSIONS. */
export type DictionaryEntry = [tenant: string, dimension: number, value: string];

export interface Dictionary {
  /** The value as admitted, or `(other)` once the dimension is full. `(none)` is never counted. */
  decide(tenant: string, dimension: number, value: string): string;
  /** Adds values admitted elsewhere (the store, another process); never evicts. */
  learn(entries: readonly DictionaryEntry[]): void;
  /** Values this dictionary admitted since the last call, for the store to persist. */
  takeAdmitted(): DictionaryEntry[];
}

const CAPS = BUILT_IN_DIMENSIONS.map(dimensionCap);

export function createDictionary(caps: readonly number[] = CAPS): Dictionary {
  const byTenant = new Map<string, Set<string>[]>();
  let admitted: DictionaryEntry[] = [];

  const setsOf = (tenant: string): Set<string>[] => {
    let sets = byTenant.get(tenant);
    if (!sets) {
      sets = caps.map(() => new Set<string>());
      byTenant.set(tenant, sets);
    }
    return sets;
  };

  return {
    decide(tenant, dimension, value) {
      if (value === NONE_VALUE) return value;
      const known = setsOf(tenant)[dimension] as Set<string>;
      if (known.has(value)) return value;
      if (known.size >= (caps[dimension] as number)) return OTHER_VALUE;
      known.add(value);
      admitted.push([tenant, dimension, value]);
      return value;
    },
    learn(entries) {
      // Another process may have admitted past this one's view of the cap: its values stand, since
      // events already carry them. The overshoot is bounded by the values admitted concurrently.
      for (const [tenant, dimension, value] of entries) setsOf(tenant)[dimension]?.add(value);
    },
    takeAdmitted() {
      const out = admitted;
      admitted = [];
      return out;
    },
  };
}
