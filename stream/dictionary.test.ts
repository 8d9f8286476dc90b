import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NONE_ID, OTHER_ID, createDictionary } from './dictionary';

const decided = (id: number, value: string) => (id === OTHER_ID ? '(other)' : id === NONE_ID ? '(none)' : value);

describe('dimension dictionary', () => {
  it('admits the first N distinct values per tenant and dimension, then answers (other)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 9 }))), (asks) => {
      const dictionary = createDictionary([3, 5]);
      const seen = new Map<string, string[]>();
      for (const [tenant, dimension, n] of asks) {
        const key = `${tenant}/${dimension}`;
        const admitted = seen.get(key) ?? [];
        const value = `v${n}`;
        const expected = admitted.includes(value) || admitted.length < (dimension === 0 ? 3 : 5) ? value : '(other)';
        if (expected === value && !admitted.includes(value)) admitted.push(value);
        seen.set(key, admitted);
        expect(decided(dictionary.decide(tenant, dimension, value), value)).toBe(expected);
      }
      const taken = dictionary.takeAdmitted();
      expect(taken.length).toBe([...seen.values()].reduce((n, a) => n + a.length, 0));
      expect(dictionary.takeAdmitted()).toEqual([]);
    }));
  });

  it('never counts (none), and keeps what another process admitted', () => {
    const dictionary = createDictionary([1]);
    expect(dictionary.decide('t', 0, '(none)')).toBe(NONE_ID);
    dictionary.learn([['t', 0, 'x'], ['t', 0, 'y']]);
    const y = dictionary.decide('t', 0, 'y');
    expect(y).toBeGreaterThan(OTHER_ID);
    expect(dictionary.decide('t', 0, 'y')).toBe(y);
    expect(dictionary.decide('t', 0, 'x')).not.toBe(y);
    expect(dictionary.decide('t', 0, 'z')).toBe(OTHER_ID);
    expect(dictionary.takeAdmitted()).toEqual([]);
  });
});
