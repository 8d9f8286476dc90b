/**
 * The schedule's choice of hours, on chdb for real: never-published closed hours, quiet hours
 * between, not the open hour; nothing once published; a dirty hour again after new files land.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../core/event';
import { HOUR_MS } from '../../core/time';
import { archiveEvents, useArchiveFixture } from '../../test/support/archive';
import { dueHours, hourStates } from './due-hours';
import { reconcileHour } from './reconcile-hour';

const fx = useArchiveFixture('due');

describe('due hours', () => {
  it('picks closed unpublished hours and the quiet ones between, then only what turns dirty', async () => {
    // Half past an hour that lies ahead of the clock, so that every publication happens before it.
    const current = Math.floor((Date.now() + 2 * HOUR_MS) / HOUR_MS) * HOUR_MS;
    const now = current + 30 * 60_000;
    const event = (id: string, at: number): NormalizedEvent => ({ event_id: id, event: 'x', timestamp: at, tenant: 'due', user_id: null, received_at: at, sample_weight: 1, properties: {} });
    await archiveEvents(fx, [event('a', current - 5 * HOUR_MS), event('b', current - 3 * HOUR_MS + 1), event('c', current + 1)], 0, 0);

    const due = await dueHours(fx.olap, now);
    expect(due.filter((d) => d.tenant === 'due').map((d) => (current - d.hour) / HOUR_MS)).toEqual([5, 4, 3, 2, 1]); // 2 and 1 are closed and quiet; the open hour is not due

    for (const d of due) await reconcileHour({ olap: fx.olap, objects: fx.objects, workDir: join(fx.dir, 'work') }, d.tenant, d.hour);
    expect((await dueHours(fx.olap, now)).filter((d) => d.tenant === 'due')).toEqual([]);

    // A late event lands in a published hour: dirty, once the debounce has passed.
    await archiveEvents(fx, [event('late', current - 3 * HOUR_MS + 2)], 1, 0);
    expect((await dueHours(fx.olap, now, { debounceMs: 24 * HOUR_MS })).filter((d) => d.tenant === 'due')).toEqual([]);
    expect((await dueHours(fx.olap, now, { debounceMs: 0 })).filter((d) => d.tenant === 'due')).toEqual([{ tenant: 'due', hour: current - 3 * HOUR_MS }]);
    // Status: the dirty hour is listed, and the clean run from the first hour ends where it begins.
    expect(await hourStates(fx.olap, 'due')).toEqual({ dirty: [current - 3 * HOUR_MS], reconciledThrough: current - 3 * HOUR_MS });
    await reconcileHour({ olap: fx.olap, objects: fx.objects, workDir: join(fx.dir, 'work') }, 'due', current - 3 * HOUR_MS);
    expect(await hourStates(fx.olap, 'due')).toEqual({ dirty: [], reconciledThrough: current });
  });

  it('takes a compacted hour as clean: its compacted file stands for the files it replaced', async () => {
    const current = Math.floor((Date.now() + 2 * HOUR_MS) / HOUR_MS) * HOUR_MS;
    const now = current + 30 * 60_000;
    const hour = current - 2 * HOUR_MS;
    const event = (id: string, at: number): NormalizedEvent => ({ event_id: id, event: 'x', timestamp: at, tenant: 'packed', user_id: null, received_at: at, sample_weight: 1, properties: {} });
    const mine = async (debounceMs: number) => (await dueHours(fx.olap, now, { debounceMs })).filter((d) => d.tenant === 'packed').map((d) => d.hour);
    await archiveEvents(fx, [event('a', hour + 1)], 0, 0);
    await archiveEvents(fx, [event('b', hour + 2)], 1, 0);
    await archiveEvents(fx, [event('a', hour + 1)], 2, 0); // a replay's copy

    const run = await reconcileHour({ olap: fx.olap, objects: fx.objects, workDir: join(fx.dir, 'work') }, 'packed', hour);
    expect(run).toMatchObject({ events: 2, filesRead: 3, compactedInto: expect.stringContaining('compacted-') });
    expect(await mine(0)).toEqual([current - HOUR_MS]); // the quiet hour after it, never published
    expect(await hourStates(fx.olap, 'packed')).toEqual({ dirty: [], reconciledThrough: hour + HOUR_MS });

    // A file landing beside the compacted one makes the hour dirty again, until it is compacted in.
    await archiveEvents(fx, [event('c', hour + 3)], 0, 5);
    expect(await mine(0)).toEqual([hour, current - HOUR_MS]);
    expect(await hourStates(fx.olap, 'packed')).toEqual({ dirty: [hour], reconciledThrough: null });
    await reconcileHour({ olap: fx.olap, objects: fx.objects, workDir: join(fx.dir, 'work') }, 'packed', hour);
    expect(await mine(0)).toEqual([current - HOUR_MS]);
    expect(await hourStates(fx.olap, 'packed')).toEqual({ dirty: [], reconciledThrough: hour + HOUR_MS });
  });
});
