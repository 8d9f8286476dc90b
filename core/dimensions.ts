/**
 * Dimensions are the low-cardinality properties rollups group by. `user_id` is never one.
 */
export const BUILT_IN_DIMENSIONS = ['event', 'country', 'device', 'page', 'campaign'] as const;
export type Dimension = (typeof BUILT_IN_DIMENSIONS)[number];

/** What a missing value reads as, in rollups and replies. */
export const NONE_VALUE = '(none)';

/** Names that cannot be dimensions because the metrics API uses them as parameters or reply keys. */
export const RESERVED_NAMES = [
  'name', 'range', 'from', 'to', 'granularity', 'group_by', 'filter', 'limit', 'value', 'layer',
] as const;

export function isDimension(name: string): name is Dimension {
  return (BUILT_IN_DIMENSIONS as readonly string[]).includes(name);
}

/**
 * A cube is a rollup table over a dimension set. The planner picks the smallest one that holds every
 * dimension a query groups or filters by (Cube's pre-aggregation matching).
 */
export interface Cube {
  name: string;
  dimensions: readonly Dimension[];
}

export const CUBES: readonly Cube[] = [
  { name: 'geo_device', dimensions: ['event', 'country', 'device'] },
  { name: 'full', dimensions: BUILT_IN_DIMENSIONS },
];

export function smallestCube(needed: Iterable<Dimension>): Cube {
  const wanted = [...needed];
  const fits = CUBES.filter((cube) => wanted.every((d) => cube.dimensions.includes(d)));
  fits.sort((a, b) => a.dimensions.length - b.dimensions.length);
  const cube = fits[0];
  if (!cube) throw new Error(`no cube holds dimensions ${wanted.join(', ')}`);
  return cube;
}
