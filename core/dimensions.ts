/**
 * Dimensions are the low-cardinality properties rollups group by. `user_id` is never one.
 */
export const BUILT_IN_DIMENSIONS = ['event', 'country', 'device', 'page', 'campaign'] as const;
export type Dimension = (typeof BUILT_IN_DIMENSIONS)[number];

/** What a missing value reads as, in rollups and replies. */
export const NONE_VALUE = '(none)';

/** What a value reads as once its dimension's dictionary is full (the dictionary's cap). */
export const OTHER_VALUE = '(other)';

/**
 * Distinct values a tenant's dictionary admits per dimension; later values read as `(other)`.
 * Pages are many by nature, so they get more room.
 */
export function dimensionCap(dimension: Dimension): number {
  return dimension === 'page' ? 10_000 : 1000;
}

/** Names that cannot be dimensions because the metrics API uses them as parameters or reply keys. */
export const RESERVED_NAMES = [
  'name', 'range', 'from', 'to', 'granularity', 'group_by', 'filter', 'limit', 'value', 'layer',
] as const;

export function isDimension(name: string): name is Dimension {
  return (BUILT_IN_DIMENSIONS as readonly string[]).includes(name);
}

/**
 * A cube is a rollup table over a dimension set. The planner picks the smallest one that holds every
 * dimension a query groups or filters by (Cube's pre-aggregation matching), per layer.
 */
export interface Cube {
  name: string;
  dimensions: readonly Dimension[];
  /** Whether the speed layer keeps it too; a batch-only cube costs ingest nothing. */
  speed: boolean;
}

export const CUBES: readonly Cube[] = [
  // One row per hour (and day): an hourly unique_users point is that row's exact count, where a
  // cube with dimensions merges every combination's user set (0.3 to 0.5 s for a day's 24 points).
  { name: 'total', dimensions: [], speed: false },
  { name: 'geo_device', dimensions: ['event', 'country', 'device'], speed: true },
  // A speed cube costs the speed layer a bucket and an insert per event: as one, `event_page` cost
  // sustained ingest its 50K events/s (bench, 2 cores). Batch-only, it costs ingest nothing.
  { name: 'event_page', dimensions: ['event', 'page'], speed: false },
  { name: 'full', dimensions: BUILT_IN_DIMENSIONS, speed: true },
];

/** The cubes the speed layer folds events into. */
export const SPEED_CUBES: readonly Cube[] = CUBES.filter((c) => c.speed);

/** The first cube, in CUBES' order (fewest rows first), that holds every dimension needed. */
export function smallestCube(needed: Iterable<Dimension>, cubes: readonly Cube[] = CUBES): Cube {
  const wanted = [...needed];
  const cube = cubes.find((c) => wanted.every((d) => c.dimensions.includes(d)));
  if (!cube) throw new Error(`no cube holds dimensions ${wanted.join(', ')}`);
  return cube;
}

/** The smallest cube of each layer that holds every dimension needed. */
export function cubesFor(needed: Iterable<Dimension>): { batch: Cube; speed: Cube } {
  const wanted = [...needed];
  return { batch: smallestCube(wanted), speed: smallestCube(wanted, SPEED_CUBES) };
}

/** The cube's dimensions as columns that follow others in a list (`, event, country`), or nothing. */
export function keyTail(cube: Cube): string {
  return cube.dimensions.map((d) => `, ${d}`).join('');
}
