/**
 * Profiles in the OLAP store, read through the shared cache (an in-process LRU embedded, Redis
 * distributed). The stream looks up a batch's users at once; the API writes one profile at a time.
 */
import { PROFILE_DIMENSIONS, type Profile, type ProfileStore } from '../../core/profile';
import type { Cache } from '../../infra/cache/cache';
import type { OlapStore } from '../../infra/olap/olap';
import { quoteString } from '../../infra/olap/sql';

export type { Profile, ProfileDimension, ProfileStore } from '../../core/profile';

const TABLE = 'profiles';

/**
 * One row per PUT; ReplacingMergeTree keeps the latest per user in the background, and readers
 * take the latest themselves until it has. An unset dimension is '' rather than NULL: argMax skips
 * NULLs, so a Nullable column would let an older PUT's value show through a newer PUT that
 * dropped it, and a PUT replaces the profile as a whole.
 */
export async function ensureProfileSchema(olap: OlapStore): Promise<void> {
  const dims = PROFILE_DIMENSIONS.map((d) => `${d} LowCardinality(String)`).join(', ');
  await olap.exec(`CREATE TABLE IF NOT EXISTS ${olap.table(TABLE)} (
      tenant LowCardinality(String), user_id String, ${dims}, updated_at DateTime64(6, 'UTC')
    ) ENGINE = ReplacingMergeTree(updated_at)
    ORDER BY (tenant, user_id)`);
}

export interface ProfileStoreOptions {
  olap: OlapStore;
  cache: Cache;
  /** How long a looked-up profile, or its absence, stays cached: the staleness bound for other processes. @default 60_000 */
  ttlMs?: number;
  /** How long this process remembers whether a tenant has profiles at all, and which tenants do. @default 5_000 */
  tenantTtlMs?: number;
  /** The clock, for tests. @default Date.now */
  now?: () => number;
}

/** The cached value for "this user has no profile"; a profile is cached as its JSON object. */
const NO_PROFILE = '-';
/**
 * The quoted ids of one query stay well under ClickHouse's max_query_size (256 KiB by default).
 * They go in the SQL text, not as an Array parameter: over HTTP parameters travel in the URL,
 * which servers cap far lower.
 */
const MAX_ID_LIST_BYTES = 128 * 1024;

export function createProfileStore(options: ProfileStoreOptions): ProfileStore {
  const { olap, cache } = options;
  const ttlMs = options.ttlMs ?? 60_000;
  const tenantTtlMs = options.tenantTtlMs ?? 5_000;
  const now = options.now ?? Date.now;
  const tenants = createMemo<boolean>(tenantTtlMs, now);
  const tenantList = createMemo<string[]>(tenantTtlMs, now);
  // Tenants cannot hold ':' once encoded, so no (tenant, user) pair can forge another's key.
  const keyOf = (tenant: string, userId: string) => `profile:${encodeURIComponent(tenant)}:${userId}`;
  let lastWrittenUs = 0;

  const readOlap = async (tenant: string, userIds: string[]): Promise<Map<string, Profile>> => {
    const found = new Map<string, Profile>();
    const chunks = await Promise.all(idLists(userIds).map((ids) => olap.query<Record<string, string>>(latestProfilesSql(olap, ids), { params: { tenant } })));
    for (const row of chunks.flat()) {
      const profile = fromRow(row);
      if (profile && row.user_id !== undefined) found.set(row.user_id, profile);
    }
    return found;
  };

  return {
    async put(tenant, userId, profile) {
      // Strictly increasing per process, so two PUTs in one microsecond still replace in order.
      lastWrittenUs = Math.max(Math.floor(now() * 1000), lastWrittenUs + 1);
      const row: Record<string, string> = { tenant, user_id: userId, updated_at: formatMicros(lastWrittenUs) };
      for (const d of PROFILE_DIMENSIONS) row[d] = profile[d] ?? '';
      await olap.insert(TABLE, [row]);
      tenants.set(tenant, true);
      tenantList.forget('');
      // Overwriting rather than deleting: with a shared cache, every process sees the new profile
      // at once. A failed write leaves the old entry to expire within its TTL.
      const stored = fromRow(row);
      await cache.set(keyOf(tenant, userId), stored ? JSON.stringify(stored) : NO_PROFILE, ttlMs).catch(() => undefined);
    },

    async lookup(tenant, userIds) {
      const unique = [...new Set(userIds)];
      const found = new Map<string, Profile>();
      // A cache that fails (Redis down) is a miss: enrichment goes on at the OLAP store's pace.
      const cached = await cache.getMany(unique.map((id) => keyOf(tenant, id))).catch(() => []);
      const misses: string[] = [];
      unique.forEach((id, i) => {
        const text = cached[i];
        const hit = text === undefined ? undefined : fromCache(text);
        if (hit === undefined) misses.push(id);
        else if (hit !== null) found.set(id, hit);
      });
      if (misses.length === 0) return found;
      const loaded = await readOlap(tenant, misses);
      const entries = misses.map((id): [string, string] => {
        const profile = loaded.get(id);
        if (profile) found.set(id, profile);
        return [keyOf(tenant, id), profile ? JSON.stringify(profile) : NO_PROFILE];
      });
      await cache.setMany(entries, ttlMs).catch(() => undefined);
      return found;
    },

    hasProfiles: (tenant) => tenants.get(tenant, async () => {
      const rows = await olap.query(`SELECT 1 AS one FROM ${olap.table(TABLE)} WHERE tenant = {tenant:String} LIMIT 1`, { params: { tenant } });
      return rows.length > 0;
    }),

    profiledTenants: () => tenantList.get('', async () => {
      // The sort key starts with tenant, so this reads one small LowCardinality column.
      const rows = await olap.query<{ tenant: string }>(`SELECT DISTINCT tenant FROM ${olap.table(TABLE)} ORDER BY tenant`);
      return rows.map((r) => r.tenant);
    }),
  };
}

/** The latest row per user among `ids` (argMax over the whole tuple, so no PUT is mixed with another). */
function latestProfilesSql(olap: OlapStore, ids: string[]): string {
  const dims = PROFILE_DIMENSIONS.join(', ');
  const picks = PROFILE_DIMENSIONS.map((d, i) => `tupleElement(latest, ${i + 1}) AS ${d}`).join(', ');
  return `SELECT user_id, ${picks} FROM (
      SELECT user_id, argMax((${dims}), updated_at) AS latest
      FROM ${olap.table(TABLE)}
      WHERE tenant = {tenant:String} AND user_id IN (${ids.map(quoteString).join(', ')})
      GROUP BY user_id)`;
}

/** Splits ids into lists whose quoted text fits one query; one list for any ordinary batch. */
function idLists(ids: string[]): string[][] {
  const lists: string[][] = [];
  let list: string[] = [];
  let bytes = 0;
  for (const id of ids) {
    const size = Buffer.byteLength(quoteString(id)) + 2;
    if (list.length > 0 && bytes + size > MAX_ID_LIST_BYTES) {
      lists.push(list);
      list = [];
      bytes = 0;
    }
    list.push(id);
    bytes += size;
  }
  if (list.length > 0) lists.push(list);
  return lists;
}

/** The set dimensions of a row; undefined when none is set, which counts as no profile. */
function fromRow(row: Record<string, string | undefined>): Profile | undefined {
  const profile: Profile = {};
  let any = false;
  for (const d of PROFILE_DIMENSIONS) {
    const value = row[d];
    if (value) {
      profile[d] = value;
      any = true;
    }
  }
  return any ? profile : undefined;
}

/** A cached profile, null for a cached absence, undefined for a value that cannot be read (a miss). */
function fromCache(text: string): Profile | null | undefined {
  if (text === NO_PROFILE) return null;
  try {
    return fromRow(JSON.parse(text) as Record<string, string>);
  } catch {
    return undefined;
  }
}

/** `YYYY-MM-DD hh:mm:ss.ffffff` in UTC, the text DateTime64(6) reads. */
function formatMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const text = new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
  return `${text}${String(us - ms * 1000).padStart(3, '0')}`;
}

/**
 * Answers remembered per process for a while. Concurrent askers share one query, and a failed
 * query is forgotten at once so the next ask retries.
 */
function createMemo<T>(ttlMs: number, now: () => number) {
  const known = new Map<string, { answer: Promise<T>; expiresAt: number }>();
  return {
    set(key: string, value: T) {
      known.set(key, { answer: Promise.resolve(value), expiresAt: now() + ttlMs });
    },
    forget(key: string) {
      known.delete(key);
    },
    get(key: string, ask: () => Promise<T>): Promise<T> {
      const t = now();
      const entry = known.get(key);
      if (entry && entry.expiresAt > t) return entry.answer;
      if (known.size >= 10_000) for (const [k, e] of known) if (e.expiresAt <= t) known.delete(k);
      const answer = ask();
      known.set(key, { answer, expiresAt: t + ttlMs });
      answer.catch(() => {
        if (known.get(key)?.answer === answer) known.delete(key);
      });
      return answer;
    },
  };
}
