/**
 * Sampling at ingest: rules per event name keep a fraction of events, and a kept event carries
 * `sample_weight = 1 / rate` so that counts and sums stay unbiased. The decision hashes the event's
 * id, so a client retry with the same `event_id` gets the same decision on any thread or process.
 */
import { StrataError } from './errors';

/**
 * Event-name pattern to keep rate in (0, 1]. A pattern is an exact name, a prefix ending in one
 * trailing `*` (`debug_*`), or `*` alone.
 */
export type SamplingRules = Readonly<Record<string, number>>;

/**
 * The weight of one event: 0 when sampling drops it, otherwise 1 / rate (1 when no rule samples it).
 * `properties` is read only when a wildcard rule matches, to spare business events.
 */
export type Sampler = (name: string, eventId: string, properties: Readonly<Record<string, unknown>>) => number;

/** `*` may only end a pattern: a name holding one elsewhere cannot be matched exactly. */
export const SAMPLING_PATTERN = /^(?:\*|[^*]{1,200}\*?)$/;

/**
 * Events that carry money. A wildcard rule never samples them; only an exact rule naming them
 * does. `purchase` is the built-in revenue event; any other event with a numeric (or numeric
 * string) `revenue` may feed a configured sum, so it is spared as well. Checked only when a
 * wildcard matched, so it costs the unsampled majority nothing.
 */
const BUSINESS_EVENTS = new Set(['purchase']);

function isBusiness(name: string, properties: Readonly<Record<string, unknown>>): boolean {
  if (BUSINESS_EVENTS.has(name)) return true;
  const revenue = properties.revenue;
  if (typeof revenue === 'number') return true;
  return typeof revenue === 'string' && revenue.trim() !== '' && Number.isFinite(Number(revenue));
}

interface Rule { rate: number; weight: number }

/**
 * Compiles rules once, for the ingest hot path. Returns undefined when no rule keeps less than
 * everything, so that callers skip the call and sampling off costs nothing.
 * The most specific rule wins: an exact name, then the longest prefix, then `*`.
 */
export function compileSampling(rules: SamplingRules): Sampler | undefined {
  const exact = new Map<string, Rule>();
  const prefixes: (Rule & { prefix: string })[] = [];
  let fallback: Rule | undefined;
  let samples = false;
  for (const [pattern, rate] of Object.entries(rules)) {
    if (!SAMPLING_PATTERN.test(pattern)) {
      throw new StrataError('STRATA_INVALID_CONFIG', `sampling pattern ${JSON.stringify(pattern)} is invalid: expected an event name, a prefix ending in one "*", or "*"`);
    }
    if (!(rate > 0 && rate <= 1)) {
      throw new StrataError('STRATA_INVALID_CONFIG', `sampling rate for ${JSON.stringify(pattern)} has invalid value ${rate}: expected a keep rate in (0, 1]`);
    }
    const rule = { rate, weight: 1 / rate };
    // A rate of 1 still counts as a rule: `debug_keep: 1` shields that name from `debug_*`.
    if (rate < 1) samples = true;
    if (pattern === '*') fallback = rule;
    else if (pattern.endsWith('*')) prefixes.push({ ...rule, prefix: pattern.slice(0, -1) });
    else exact.set(pattern, rule);
  }
  if (!samples) return undefined;
  prefixes.sort((a, b) => b.prefix.length - a.prefix.length);

  const wildcard = (name: string): Rule | undefined => {
    for (const p of prefixes) if (name.startsWith(p.prefix)) return p;
    return fallback;
  };
  return (name, eventId, properties) => {
    let rule = exact.get(name);
    if (rule === undefined) {
      rule = wildcard(name);
      if (rule === undefined || rule.rate === 1 || isBusiness(name, properties)) return 1;
    }
    if (rule.rate === 1) return 1;
    return unitHash(eventId) < rule.rate ? rule.weight : 0;
  };
}

/**
 * Maps an id to [0, 1): FNV-1a over the UTF-16 code units, then murmur3's finaliser, because
 * client ids are often sequential (`evt-1`, `1700000000001`) and FNV alone skews the kept fraction
 * of those (measured: 16.6% kept at a 10% rate over 1,000 sequential numeric ids).
 * Changing this function changes which events are kept, so a retry that reached a server on
 * another version could be decided differently: keep it stable.
 */
export function unitHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}
