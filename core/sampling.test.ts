import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StrataError } from './errors';
import { type Sampler, compileSampling, unitHash } from './sampling';
import { uuidv7 } from './uuid';

const compile = (rules: Record<string, number>): Sampler => {
  const sample = compileSampling(rules);
  if (!sample) throw new Error('expected a sampler');
  return sample;
};

/** The fraction of `ids` kept, and the bound it must meet: 5 standard deviations of a binomial. */
function keptFraction(sample: Sampler, name: string, ids: string[], rate: number): { kept: number; bound: number } {
  let kept = 0;
  for (const id of ids) if (sample(name, id, {}) > 0) kept++;
  return { kept: kept / ids.length, bound: 5 * Math.sqrt((rate * (1 - rate)) / ids.length) };
}

/** The rate of the rule that decided: the weight of any kept event is 1 / rate. */
function ruleRate(sample: Sampler, name: string, properties: Record<string, unknown> = {}): number {
  for (let i = 0; ; i++) {
    const weight = sample(name, `probe-${i}`, properties);
    if (weight > 0) return 1 / weight;
  }
}

describe('sampling', () => {
  it('compiles no rules, or rules that keep everything, to nothing to call', () => {
    expect(compileSampling({})).toBeUndefined();
    expect(compileSampling({ '*': 1, debug: 1 })).toBeUndefined();
  });

  it('decides the same for the same id, every time and in any sampler', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 64 }), fc.double({ min: 0.001, max: 0.999, noNaN: true }), (id, rate) => {
      const first = compile({ '*': rate })('e', id, {});
      expect(compile({ '*': rate })('e', id, {})).toBe(first);
      expect([0, 1 / rate]).toContain(first);
      expect(unitHash(id)).toBeGreaterThanOrEqual(0);
      expect(unitHash(id)).toBeLessThan(1);
    }));
  });

  it('keeps the configured fraction of random, time-ordered and sequential ids', () => {
    const n = 100_000;
    const sets = {
      random: Array.from({ length: n }, () => randomUUID()),
      uuidv7: Array.from({ length: n }, () => uuidv7()),
      sequential: Array.from({ length: n }, (_, i) => `evt-${i}`),
      numeric: Array.from({ length: n }, (_, i) => String(1_700_000_000_000 + i)),
    };
    for (const rate of [0.01, 0.1, 0.5, 0.9]) {
      const sample = compile({ 'debug_*': rate });
      for (const [kind, ids] of Object.entries(sets)) {
        const { kept, bound } = keptFraction(sample, 'debug_sql', ids, rate);
        expect(Math.abs(kept - rate), `${kind} at ${rate}: kept ${kept}`).toBeLessThan(bound);
      }
    }
  });

  it('weights each kept event by 1 / rate', () => {
    const sample = compile({ 'debug_*': 0.01 });
    const weights = new Set(Array.from({ length: 2_000 }, (_, i) => sample('debug_x', `id-${i}`, {})));
    expect([...weights].sort((a, b) => a - b)).toEqual([0, 100]);
  });

  it('lets the most specific rule win: exact, then the longest prefix, then *', () => {
    const sample = compile({ '*': 0.5, 'debug_*': 0.1, 'debug_sql_*': 0.01, debug_sql_slow: 0.25, debug_keep: 1 });
    expect(ruleRate(sample, 'debug_sql_slow')).toBe(0.25);
    expect(ruleRate(sample, 'debug_sql_fast')).toBe(0.01);
    expect(ruleRate(sample, 'debug_http')).toBe(0.1);
    expect(ruleRate(sample, 'page_view')).toBe(0.5);
    // An exact rule at 1 shields its name from the prefix that would sample it.
    expect(Array.from({ length: 1_000 }, (_, i) => sample('debug_keep', `k${i}`, {}))).toEqual(Array(1_000).fill(1));
    // Rule order in the object does not matter.
    const reversed = compile({ debug_sql_slow: 0.25, 'debug_sql_*': 0.01, 'debug_*': 0.1, '*': 0.5 });
    expect(ruleRate(reversed, 'debug_sql_fast')).toBe(0.01);
  });

  it('leaves events no rule names alone', () => {
    const sample = compile({ 'debug_*': 0.01 });
    expect(Array.from({ length: 1_000 }, (_, i) => sample('page_view', `p${i}`, {}))).toEqual(Array(1_000).fill(1));
  });

  it('never samples business events by a wildcard, only by an exact rule', () => {
    const all = compile({ '*': 0.01, 'purch*': 0.01 });
    const keptAll = (name: string, properties: Record<string, unknown>) =>
      Array.from({ length: 1_000 }, (_, i) => all(name, `b${i}`, properties)).every((w) => w === 1);
    expect(keptAll('purchase', {})).toBe(true);
    expect(keptAll('subscription_renewed', { revenue: 9.99 })).toBe(true);
    expect(keptAll('refund', { revenue: '-12.50' })).toBe(true);
    // Not money: a revenue that is no number is an ordinary property.
    expect(keptAll('page_view', { revenue: 'n/a' })).toBe(false);
    expect(keptAll('page_view', { revenue: '' })).toBe(false);

    const exact = compile({ '*': 0.01, purchase: 0.5 });
    expect(ruleRate(exact, 'purchase', { revenue: 10 })).toBe(0.5);
  });

  it('refuses invalid rules with a coded error', () => {
    const invalid: Record<string, number>[] = [{ 'a*b': 0.5 }, { '': 0.5 }, { '**': 0.5 }, { x: 0 }, { x: 1.5 }, { x: Number.NaN }];
    for (const rules of invalid) {
      const err = (() => {
        try {
          compileSampling(rules);
        } catch (e) {
          return e;
        }
      })();
      expect(err, JSON.stringify(rules)).toBeInstanceOf(StrataError);
      expect((err as StrataError).code).toBe('STRATA_INVALID_CONFIG');
    }
  });
});
