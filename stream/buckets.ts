/**
 * Folds events into additive 1-minute deltas per cube. Event time decides the bucket, so late and
 * out-of-order events land in their own minute, however old. Nothing here deduplicates: the speed
 * layer is provisional, and the batch layer makes it exact.
 */
import { BUILT_IN_DIMENSIONS, type Cube } from '../core/dimensions';
import type { NormalizedEvent } from '../core/event';
import { dimensionValue, formatMicros, minuteOf, revenueMicros } from '../core/rollups';

interface Cell {
  tenant: string;
  minute: number;
  dims: string[];
  events: number;
  revenueMicros: number;
  /** Users seen in the cell, repeats included: most cells see one event, and a Set each costs. */
  users: string[];
}

/** A row for a cube's speed input table. */
export interface SpeedDeltaRow {
  tenant: string;
  /** Bucket start, epoch seconds. */
  minute: number;
  events: number;
  revenue: string;
  user_ids: string[];
  [dimension: string]: string | number | string[];
}

export interface BucketFold {
  add(event: NormalizedEvent): void;
  /** Number of events folded since the last drain. */
  readonly pending: number;
  /** Returns the accumulated deltas per cube and starts afresh. */
  drain(): Map<Cube, SpeedDeltaRow[]>;
}

export function createBucketFold(cubes: readonly Cube[]): BucketFold {
  let cells = new Map<Cube, Map<string, Cell>>();
  let pending = 0;
  // Each dimension's value is read once per event; cubes pick theirs by position.
  const positions = cubes.map((cube) => cube.dimensions.map((d) => BUILT_IN_DIMENSIONS.indexOf(d)));

  return {
    add(event) {
      const minute = minuteOf(event);
      const revenue = revenueMicros(event);
      const values = BUILT_IN_DIMENSIONS.map((d) => dimensionValue(event, d));
      const prefix = `${event.tenant}\u0001${minute}`;
      for (let c = 0; c < cubes.length; c++) {
        const cube = cubes[c] as Cube;
        const dims = (positions[c] as number[]).map((i) => values[i] as string);
        const key = `${prefix}\u0001${dims.join('\u0001')}`;
        let byKey = cells.get(cube);
        if (!byKey) cells.set(cube, (byKey = new Map()));
        let cell = byKey.get(key);
        if (!cell) byKey.set(key, (cell = { tenant: event.tenant, minute, dims, events: 0, revenueMicros: 0, users: [] }));
        cell.events += event.sample_weight;
        cell.revenueMicros += revenue * event.sample_weight;
        if (event.user_id !== null) cell.users.push(event.user_id);
      }
      pending++;
    },
    get pending() {
      return pending;
    },
    drain() {
      const out = new Map<Cube, SpeedDeltaRow[]>();
      for (const [cube, byKey] of cells) {
        out.set(cube, [...byKey.values()].map((cell) => toRow(cube, cell)));
      }
      cells = new Map();
      pending = 0;
      return out;
    },
  };
}

function toRow(cube: Cube, cell: Cell): SpeedDeltaRow {
  const row: SpeedDeltaRow = {
    tenant: cell.tenant,
    minute: cell.minute / 1000,
    events: cell.events,
    revenue: formatMicros(Math.round(cell.revenueMicros)),
    user_ids: cell.users.length > 1 ? [...new Set(cell.users)] : cell.users,
  };
  cube.dimensions.forEach((d, i) => (row[d] = cell.dims[i] as string));
  return row;
}
