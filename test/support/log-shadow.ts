/**
 * A crash test's own reading of the event log: how many events each record holds, so that the
 * events between a group's committed position and the log's end (what a restart replays) can be
 * counted exactly, and every copy of every event in the log can be counted at the end.
 */
import { decodeEvents } from '../../core/event';
import type { LogPositions } from '../../infra/eventlog/eventlog';

export interface LogShadow {
  /** Reads until every partition is read up to `ends` (the next offset), or throws past the deadline. */
  catchUp(ends: LogPositions, timeoutMs?: number): Promise<void>;
  /** Events in the records of `partition` with offsets in [from, to). */
  eventsIn(partition: number, from: number, to: number): number;
  /** Events read so far, every copy counted. */
  events(): number;
  /** Distinct event ids read so far. */
  ids(): ReadonlySet<string>;
  close(): Promise<void>;
}

/** The per-record tally both shadows keep. */
export class RecordTally {
  private readonly counts = new Map<number, number[]>();
  private readonly next = new Map<number, number>();
  private readonly seen = new Set<string>();
  private total = 0;
  undecodable = 0;

  add(partition: number, offset: number, value: Uint8Array): void {
    const events = decodeEvents(value);
    if (!events) this.undecodable += 1;
    const counts = this.counts.get(partition) ?? [];
    this.counts.set(partition, counts);
    counts[offset] = events?.length ?? 0;
    for (const event of events ?? []) this.seen.add(event.event_id);
    this.total += events?.length ?? 0;
    this.next.set(partition, Math.max(this.next.get(partition) ?? 0, offset + 1));
  }

  /** The next offset not yet read, per partition. */
  nextOffset(partition: number): number {
    return this.next.get(partition) ?? 0;
  }

  reached(ends: LogPositions): boolean {
    return [...ends].every(([partition, end]) => this.nextOffset(partition) >= end);
  }

  eventsIn(partition: number, from: number, to: number): number {
    const counts = this.counts.get(partition) ?? [];
    let sum = 0;
    for (let offset = from; offset < to; offset++) sum += counts[offset] ?? 0;
    return sum;
  }

  events(): number {
    return this.total;
  }

  ids(): ReadonlySet<string> {
    return this.seen;
  }
}

/** Σ over partitions of the events in [committed, end): what a restart at this moment replays at most. */
export function eventsBetween(shadow: LogShadow, committed: LogPositions, ends: LogPositions): { events: number; records: number } {
  let events = 0;
  let records = 0;
  for (const [partition, end] of ends) {
    const from = committed.get(partition) ?? 0;
    events += shadow.eventsIn(partition, from, end);
    records += Math.max(0, end - from);
  }
  return { events, records };
}
