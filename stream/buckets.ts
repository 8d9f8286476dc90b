/**
 * Folds events into additive 1-minute deltas per cube. Event time decides the bucket, so late and
 * out-of-order events land in their own minute, however old. Nothing here deduplicates: the speed
 * layer is provisional, and the batch layer makes it exact.
 */
import { BUILT_IN_DIMENSIONS, type Cube } from '../core/dimensions';
import type { NormalizedEvent } from '../core/event';
import { formatMicros, minuteOf, revenueMicros } from '../core/rollups';

interface Cell {
  tenant: string;
  minute: number;
  dims: string[];
  events: number;
  sessions: number;
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
  sessions: number;
  revenue: string;
  user_ids: string[];
  [dimension: string]: string | number | string[];
}

export interface BucketFold {
  /**
   * Folds one event. `values` are its dimension values as decided (enriched, capped), in
   * BUILT_IN_DIMENSIONS order, and `keys` stand for them in cell keys: anything that identifies
   * a value within its tenant and dimension (the dictionary's ids, which are short where values
   * such as page URLs are long and costly to hash). `sessionStart` says whether it starts a session.
   */
  add(event: NormalizedEvent, values: readonly string[], keys: readonly (string | number)[], sessionStart: boolean): void;
  /** Number of events folded since the last drain. */
  readonly pending: number;
  /** Returns the accumulated deltas per cube and starts afresh. */
  drain(): Map<Cube, SpeedDeltaRow[]>;
}

const SEP = '\u0001';

export function createBucketFold(cubes: readonly Cube[]): BucketFold {
  let cells: Map<string, Cell>[] = cubes.map(() => new Map());
  let pending = 0;
  // Each dimension's value is read once per event; cubes pick theirs by position. Keys are built
  // by concatenation and a cell's dimension list only when the cell is new: this runs for every
  // event and every cube.
  const positions = cubes.map((cube) => cube.dimensions.map((d) => BUILT_IN_DIMENSIONS.indexOf(d)));

  return {
    add(event, values, keys, sessionStart) {
      const minute = minuteOf(event);
      const weight = event.sample_weight;
      const revenue = revenueMicros(event) * weight;
      const sessions = sessionStart ? weight : 0;
      const prefix = event.tenant + SEP + minute;
      for (let c = 0; c < cubes.length; c++) {
        const picks = positions[c] as number[];
        let key = prefix;
        for (let i = 0; i < picks.length; i++) key += SEP + (keys[picks[i] as number] as string | number);
        const byKey = cells[c] as Map<string, Cell>;
        let cell = byKey.get(key);
        if (!cell) {
          cell = { tenant: event.tenant, minute, dims: picks.map((i) => values[i] as string), events: 0, sessions: 0, revenueMicros: 0, users: [] };
          byKey.set(key, cell);
        }
        cell.events += weight;
        cell.sessions += sessions;
        cell.revenueMicros += revenue;
        if (event.user_id !== null) cell.users.push(event.user_id);
      }
      pending++;
    },
    get pending() {
      return pending;
    },
    drain() {
      const out = new Map<Cube, SpeedDeltaRow[]>();
      cubes.forEach((cube, c) => out.set(cube, [...(cells[c] as Map<string, Cell>).values()].map((cell) => toRow(cube, cell))));
      cells = cubes.map(() => new Map());
      pending = 0;
      return out;
    },
  };
}

/** A row's values in speedInputColumns order, for JSONCompactEachRow. */
export function speedInputValues(cube: Cube, row: SpeedDeltaRow): unknown[] {
  return [row.tenant, row.minute, ...cube.dimensions.map((d) => row[d]), row.events, row.sessions, row.revenue, row.user_ids];
}

function toRow(cube: Cube, cell: Cell): SpeedDeltaRow {
  const row: SpeedDeltaRow = {
    tenant: cell.tenant,
    minute: cell.minute / 1000,
    events: cell.events,
    sessions: cell.sessions,
    revenue: formatMicros(Math.round(cell.revenueMicros)),
    user_ids: cell.users.length > 1 ? [...new Set(cell.users)] : cell.users,
  };
  cube.dimensions.forEach((d, i) => (row[d] = cell.dims[i] as string));
  return row;
}
