/**
 * How long reconciling one hour of 1M events takes, embedded (chdb and a local object store):
 * the hour is archived first as the speed layer would (files of 100K events, 5% of them copies
 * from a replay), then reconcileHour fetches, deduplicates, rolls up and publishes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reconcileDay } from '../activities/reconcile/reconcile-day';
import { reconcileHour } from '../activities/reconcile/reconcile-hour';
import { BUILT_IN_DIMENSIONS } from '../core/dimensions';
import type { NormalizedEvent } from '../core/event';
import { dimensionValue, revenueMicros } from '../core/rollups';
import { DAY_MS, HOUR_MS, floorTo } from '../core/time';
import { createFsObjectStore } from '../infra/objectstore/fs';
import { createChdbStore } from '../infra/olap/chdb';
import { ensureRollupSchema } from '../infra/olap/schema';
import { createArchiveBuffer } from '../stream/archive/archive-buffer';
import { createSequence, ensureManifestSchema, recordArchiveFiles } from '../stream/archive/manifest';
import { createParquetWriter } from '../stream/archive/parquet-writer';
import { makeEvent } from './events';

export interface ReconcileBench {
  events: number;
  files: number;
  archive_s: number;
  reconcile_s: number;
  distinct_events: number;
  /** reconcileDay over the day of that hour, once its other 23 (quiet) hours are published. */
  day_s: number;
  day_users: number;
}

const FILE_EVENTS = 100_000;

export async function benchReconcile(events = 1_000_000): Promise<ReconcileBench> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-reconcile-bench-'));
  const olap = await createChdbStore({ path: join(dir, 'olap'), database: 'reconcile_bench' });
  const objects = createFsObjectStore({ root: join(dir, 'objects') });
  const writer = await createParquetWriter({ objects, tmpDir: join(dir, 'tmp') });
  try {
    await ensureRollupSchema(olap);
    await ensureManifestSchema(olap);
    const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
    const seq = createSequence();
    const started = Date.now();
    let files = 0;
    for (let first = 0; first < events; first += FILE_EVENTS) {
      const buffer = createArchiveBuffer(join(dir, 'spool'));
      for (let i = first; i < Math.min(events, first + FILE_EVENTS); i++) {
        // Every 20th event repeats an earlier id, as a replay would archive it again.
        const id = i % 20 === 19 ? i - 19 : i;
        const raw = makeEvent(i, hour + HOUR_MS);
        const event: NormalizedEvent = {
          event_id: `e${id}`, event: raw.event, timestamp: hour + (i % 3600) * 1000, tenant: 'bench', user_id: raw.user_id,
          received_at: hour + HOUR_MS, sample_weight: 1,
          properties: { page: raw.page, country: raw.country, device: raw.device, referrer: raw.referrer, ...(raw.event === 'purchase' ? { revenue: (i % 1000) / 10 } : {}) },
        };
        buffer.noteRecord(0, i);
        buffer.add(event, 0, i, BUILT_IN_DIMENSIONS.map((d) => dimensionValue(event, d)), revenueMicros(event));
      }
      const written = [];
      for (const chunk of buffer.drain()) written.push(await writer.write(chunk));
      await recordArchiveFiles(olap, written, seq);
      files += written.length;
    }
    const archived = Date.now();
    const deps = { olap, objects, workDir: join(dir, 'work') };
    const result = await reconcileHour(deps, 'bench', hour);
    const reconciled = Date.now();
    const day = floorTo(hour, DAY_MS);
    for (let h = day; h < day + DAY_MS; h += HOUR_MS) if (h !== hour) await reconcileHour(deps, 'bench', h);
    const dayStarted = Date.now();
    const built = await reconcileDay(deps, 'bench', day);
    return {
      events, files, archive_s: round1((archived - started) / 1000), reconcile_s: round1((reconciled - archived) / 1000), distinct_events: result.events,
      day_s: round1((Date.now() - dayStarted) / 1000), day_users: built.published ? built.users : 0,
    };
  } finally {
    await writer.close();
    await olap.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;
