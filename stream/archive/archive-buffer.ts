/**
 * Collects decided events for the archive on the fold thread, column by column, per (tenant, event
 * hour, partition). A drain serialises each group as one JSON object of arrays: one stringify per
 * column is several times cheaper than one per event (measured 1.7 µs an event against 2.9–6.9),
 * and DuckDB unnests it into Parquet.
 */
import { BUILT_IN_DIMENSIONS } from '../../core/dimensions';
import type { NormalizedEvent } from '../../core/event';
import { formatMicros } from '../../core/rollups';
import { HOUR_MS, floorTo } from '../../core/time';

/** One future archive file: its place and log range, and its columns as JSON bytes. */
export interface ArchiveChunk {
  tenant: string;
  /** Event hour start, epoch ms. */
  hour: number;
  partition: number;
  firstOffset: number;
  lastOffset: number;
  events: number;
  body: Uint8Array;
}

interface Columns {
  tenant: string;
  hour: number;
  partition: number;
  event_id: string[];
  event: string[];
  timestamp: number[];
  received_at: number[];
  user_id: (string | null)[];
  offset: number[];
  sample_weight: number[];
  revenue: string[];
  /** One array per dimension, in BUILT_IN_DIMENSIONS order. */
  dims: string[][];
  properties: Record<string, unknown>[];
}

export interface ArchiveBuffer {
  /** Records that a record of `partition` at `offset` was read, events or not. */
  noteRecord(partition: number, offset: number): void;
  add(event: NormalizedEvent, partition: number, offset: number, values: readonly string[], revenueMicros: number): void;
  readonly pending: number;
  /** Everything since the last drain, one chunk per (tenant, hour, partition). */
  drain(): ArchiveChunk[];
}

export function createArchiveBuffer(): ArchiveBuffer {
  let groups = new Map<string, Columns>();
  /** Per partition, the first and last record offset since the last drain: every file's name. */
  let ranges = new Map<number, [number, number]>();
  let pending = 0;
  const encoder = new TextEncoder();
  // Consecutive events mostly share a group: the last one is kept at hand rather than keyed again.
  let last: Columns | undefined;

  return {
    noteRecord(partition, offset) {
      const range = ranges.get(partition);
      if (!range) ranges.set(partition, [offset, offset]);
      else {
        if (offset < range[0]) range[0] = offset;
        if (offset > range[1]) range[1] = offset;
      }
    },
    add(event, partition, offset, values, revenueMicros) {
      const hour = floorTo(event.timestamp, HOUR_MS);
      let group = last;
      if (!group || group.hour !== hour || group.partition !== partition || group.tenant !== event.tenant) {
        const key = `${event.tenant}\u0000${hour}\u0000${partition}`;
        group = groups.get(key);
        if (!group) {
          group = emptyColumns(event.tenant, hour, partition);
          groups.set(key, group);
        }
        last = group;
      }
      group.event_id.push(event.event_id);
      group.event.push(event.event);
      group.timestamp.push(event.timestamp);
      group.received_at.push(event.received_at);
      group.user_id.push(event.user_id);
      group.offset.push(offset);
      group.sample_weight.push(event.sample_weight);
      group.revenue.push(revenueMicros === 0 ? '0' : formatMicros(revenueMicros));
      for (let d = 0; d < group.dims.length; d++) (group.dims[d] as string[]).push(values[d] as string);
      group.properties.push(event.properties);
      pending++;
    },
    get pending() {
      return pending;
    },
    drain() {
      const chunks: ArchiveChunk[] = [];
      for (const group of groups.values()) {
        const [firstOffset, lastOffset] = ranges.get(group.partition) ?? [0, 0];
        chunks.push({
          tenant: group.tenant, hour: group.hour, partition: group.partition, firstOffset, lastOffset,
          events: group.event_id.length,
          body: encoder.encode(JSON.stringify(group)),
        });
      }
      groups = new Map();
      last = undefined;
      ranges = new Map();
      pending = 0;
      return chunks;
    },
  };
}

function emptyColumns(tenant: string, hour: number, partition: number): Columns {
  return {
    tenant, hour, partition,
    event_id: [], event: [], timestamp: [], received_at: [], user_id: [], offset: [], sample_weight: [], revenue: [],
    dims: BUILT_IN_DIMENSIONS.map(() => []),
    properties: [],
  };
}
