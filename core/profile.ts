/**
 * User profiles: the dimensions enrichment gives an event that lacks them. The API writes them and
 * the stream reads them, both through ProfileStore (stream/enrichment/profile-store.ts builds it).
 */
import { Ajv, type ErrorObject } from 'ajv';
import { BUILT_IN_DIMENSIONS, type Dimension } from './dimensions';

/** Every dimension but `event`: a user has a country or a device, never an event name. */
export const PROFILE_DIMENSIONS = BUILT_IN_DIMENSIONS.filter((d): d is Exclude<Dimension, 'event'> => d !== 'event');
export type ProfileDimension = (typeof PROFILE_DIMENSIONS)[number];

/** The dimensions one user has; a missing key means the profile has nothing to give for it. */
export type Profile = Partial<Record<ProfileDimension, string>>;

export const MAX_PROFILE_VALUE_LENGTH = 200;
/** The same bound as an event's `user_id`, so every id an event can carry can have a profile. */
export const MAX_USER_ID_LENGTH = 256;

/** The request body of `PUT /v1/profiles/:user_id`, as JSON Schema (the OpenAPI document reuses it). */
export const PROFILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(PROFILE_DIMENSIONS.map((d) => [d, { type: 'string', minLength: 1, maxLength: MAX_PROFILE_VALUE_LENGTH }])),
} as const;

const validateProfile = new Ajv({ allErrors: false, strict: true }).compile<Profile>(PROFILE_SCHEMA);

const VALID_KEYS = PROFILE_DIMENSIONS.join(', ');

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** A profile from a parsed JSON body; the message names the field and what is wrong with it. */
export function parseProfile(raw: unknown): ParseResult<Profile> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, message: `a profile must be a JSON object whose keys are profile dimensions: ${VALID_KEYS}` };
  }
  if (!validateProfile(raw)) return { ok: false, message: describeError(validateProfile.errors?.[0]) };
  // Rebuilt key by key, so nothing but the dimensions (and no inherited key) reaches the store.
  const profile: Profile = {};
  for (const d of PROFILE_DIMENSIONS) if (raw[d] !== undefined) profile[d] = raw[d];
  return { ok: true, value: profile };
}

export function parseUserId(raw: unknown): ParseResult<string> {
  // Counted in code points, as ajv counts an event's user_id.
  const length = typeof raw === 'string' ? [...raw].length : 0;
  if (typeof raw !== 'string' || length < 1 || length > MAX_USER_ID_LENGTH) {
    return { ok: false, message: `"user_id" must be 1–${MAX_USER_ID_LENGTH} characters, got ${length}` };
  }
  return { ok: true, value: raw };
}

function describeError(error: ErrorObject | undefined): string {
  if (error?.keyword === 'additionalProperties') {
    return `"${String(error.params.additionalProperty)}" is not a profile dimension: valid keys are ${VALID_KEYS}`;
  }
  const field = error?.instancePath.slice(1) ?? '';
  return `"${field}" must be a string of 1–${MAX_PROFILE_VALUE_LENGTH} characters`;
}

/**
 * Where profiles live. `put` replaces a user's profile as a whole; `lookup` answers only for the
 * users that have one. Readers in other processes may see a put late, by the cache TTL at most.
 */
export interface ProfileStore {
  put(tenant: string, userId: string, profile: Profile): Promise<void>;
  /** The profiles of those `userIds` that have a non-empty one; the others are absent from the map. */
  lookup(tenant: string, userIds: readonly string[]): Promise<Map<string, Profile>>;
  /** Whether the tenant has any profile: cheap, so the stream can skip lookups for tenants without. */
  hasProfiles(tenant: string): Promise<boolean>;
  /** Every tenant that has a profile, for a stream that refreshes its list every few seconds. */
  profiledTenants(): Promise<string[]>;
}
