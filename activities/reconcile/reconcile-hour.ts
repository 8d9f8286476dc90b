/**
 * reconcileHour: the archive's files for one tenant's hour (and the 30 minutes before, for
 * sessions) → DuckDB deduplicates → exact rollups at 1m and 1h per cube → published under a fresh
 * version. Idempotent: a rerun publishes the same numbers under a newer version. Files that land
 * during a run are not in its `files_read`, so the hour stays dirty for the next run.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HOUR_MS } from '../../core/time';
import type { ObjectStore } from '../../infra/objectstore/objectstore';
import type { OlapStore } from '../../infra/olap/olap';
import { listArchiveFiles } from '../../stream/archive/manifest';
import { dedupeHour } from './dedupe-hour';
import { type Published, publishHour } from './publish-hour';

export interface ReconcileDeps {
  olap: OlapStore;
  objects: ObjectStore;
  /** Scratch space for fetched files and the deduplicated output. */
  workDir: string;
}

export interface ReconcileResult extends Published {
  tenant: string;
  /** Hour start, RFC 3339. */
  hour: string;
  filesRead: number;
}

export async function reconcileHour(deps: ReconcileDeps, tenant: string, hour: number): Promise<ReconcileResult> {
  const hourFiles = (await listArchiveFiles(deps.olap, tenant, hour)).map((f) => f.file);
  const lookbackFiles = (await listArchiveFiles(deps.olap, tenant, hour - HOUR_MS)).map((f) => f.file);
  const dir = join(deps.workDir, `${tenant}-${hour}-${process.pid}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  try {
    const local = await fetchAll(deps.objects, hourFiles, dir, 'h');
    let published: Published;
    if (local.length === 0) {
      published = await publishHour(deps.olap, { tenant, hour, file: undefined, filesRead: hourFiles, events: 0 });
    } else {
      const out = join(dir, 'deduped.parquet');
      const events = await dedupeHour({ hourFiles: local, lookbackFiles: await fetchAll(deps.objects, lookbackFiles, dir, 'l'), hour, out });
      published = await publishHour(deps.olap, { tenant, hour, file: out, filesRead: hourFiles, events });
    }
    return { ...published, tenant, hour: new Date(hour).toISOString(), filesRead: hourFiles.length };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Local copies of archive objects: DuckDB reads local files (its httpfs extension cannot be
 * downloaded here). A file listed in the manifest but gone (compacted meanwhile) is skipped.
 */
async function fetchAll(objects: ObjectStore, keys: string[], dir: string, prefix: string): Promise<string[]> {
  const paths: string[] = [];
  for (const [i, key] of keys.entries()) {
    const body = await objects.get(key);
    if (!body) continue;
    const path = join(dir, `${prefix}${i}.parquet`);
    await writeFile(path, body);
    paths.push(path);
  }
  return paths;
}
