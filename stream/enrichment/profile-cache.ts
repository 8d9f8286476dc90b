/**
 * The fold thread's view of user profiles: what it looked up recently, bounded and expiring, in
 * front of the profile store (itself behind the shared cache). An event lacking a dimension takes
 * it from its user's profile; the values so decided are archived, so a rebuild never asks again.
 */
import { BUILT_IN_DIMENSIONS, NONE_VALUE } from '../../core/dimensions';

/** A profile's dimension values by dimension name. */
export type Profile = Partial<Record<string, string>>;

export interface ProfileCache {
  setTenants(tenants: readonly string[]): void;
  /** True when the tenant has profiles: only its events can be enriched. */
  covers(tenant: string): boolean;
  /** True when the event could be enriched but its user's profile is not known here. */
  needsLookup(tenant: string, userId: string | null, values: readonly string[]): boolean;
  learn(tenant: string, found: readonly [string, Profile | null][]): void;
  /** Fills the event's missing values from its user's profile, in place. */
  fill(tenant: string, userId: string | null, values: string[]): void;
}

const TTL_MS = 60_000;
const MAX_ENTRIES = 200_000;
/** `event` is the event's own name: a profile never supplies it. */
const FILLABLE = BUILT_IN_DIMENSIONS.map((d, i) => (d === 'event' ? -1 : i)).filter((i) => i >= 0);

export function createProfileCache(now: () => number = Date.now): ProfileCache {
  let tenants = new Set<string>();
  // Insertion order is age order, so the oldest entries go first when the map is full.
  const entries = new Map<string, { profile: Profile | null; expires: number }>();

  const lacksAny = (values: readonly string[]): boolean => FILLABLE.some((i) => values[i] === NONE_VALUE);
  const fresh = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expires > now()) return entry;
    return undefined;
  };

  return {
    setTenants(list) {
      tenants = new Set(list);
    },
    covers: (tenant) => tenants.has(tenant),
    needsLookup(tenant, userId, values) {
      if (userId === null || !tenants.has(tenant) || !lacksAny(values)) return false;
      return fresh(tenant + '\u0000' + userId) === undefined;
    },
    learn(tenant, found) {
      const expires = now() + TTL_MS;
      for (const [userId, profile] of found) {
        const key = tenant + '\u0000' + userId;
        entries.delete(key);
        entries.set(key, { profile, expires });
      }
      for (const key of entries.keys()) {
        if (entries.size <= MAX_ENTRIES) break;
        entries.delete(key);
      }
    },
    fill(tenant, userId, values) {
      if (userId === null || !tenants.has(tenant)) return;
      const profile = fresh(tenant + '\u0000' + userId)?.profile;
      if (!profile) return;
      for (const i of FILLABLE) {
        const value = profile[BUILT_IN_DIMENSIONS[i] as string];
        if (values[i] === NONE_VALUE && value !== undefined && value !== '') values[i] = value;
      }
    },
  };
}
