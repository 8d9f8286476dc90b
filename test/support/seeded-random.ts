/** A repeatable stream of draws in [0, 1) from a seed (a linear congruential generator), for known test data. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}
