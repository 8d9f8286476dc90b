/**
 * reconcileHour: the archive's files for one tenant's hour (and the 30 minutes before, for
 * sessions) → DuckDB deduplicates → exact rollups at 1m and 1h per cube → published under a fresh
 * version. Idempotent: a rerun publishes the same numbers under a newer version. Files that land
 * during a run are not in its `files_read`, so the hour stays dirty for the next run. An hour read
 * from two files or more is compacted into one on the way (compact-hour.ts).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HOUR_MS } from '../../core/time';
import type { ObjectStore } from '../../infra/objectstore/objectstore';
import type { OlapStore } from '../../infra/olap/olap';
import { listArchiveFiles } from '../../stream/archive/manifest';
import { deleteReplaced, storeCompacted } from './compact-hour';
import { dedupeHour } from './dedupe-hour';
import { type Fetched, fetchAll } from '../../infra/objectstore/fetch-local';
import { type Published, publishHour } from './publish-hour';

export interface ReconcileDeps {
  olap: OlapStore;
  objects: ObjectStore;
  /** Scratch space for fetched files and the deduplicated output. */
  workDir: string;
  /**
   * Called once a tenant's new hour or day version is visible to readers, to tell the query cache
   * (cli/system.ts). It must not throw: the version is published either way.
   */
  onPublished?: (tenant: string) => Promise<void>;
}

export interface ReconcileResult extends Published {
  tenant: string;
  /** Hour start, RFC 3339. */
  hour: string;
  filesRead: number;
  /** The file the hour's files were compacted into, if they were. */
  compactedInto?: string;
  /** Objects of replaced files that could not be deleted: a later run of the hour tries again. */
  undeleted: string[];
}

export async function reconcileHour(deps: ReconcileDeps, tenant: string, hour: number): Promise<ReconcileResult> {
  const dir = join(deps.workDir, `${tenant}-${hour}-${process.pid}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  try {
    const files = await fetchHour(deps, tenant, hour, dir, 'h');
    let published: Published;
    let compactedInto: string | undefined;
    if (files.read.length === 0) {
      published = await publishHour(deps.olap, { tenant, hour, file: undefined, filesRead: files.missing, events: 0 });
    } else {
      const lookback = await fetchHour(deps, tenant, hour - HOUR_MS, dir, 'l');
      const out = join(dir, 'deduped.parquet');
      const compactTo = files.read.length >= 2 ? join(dir, 'compacted.parquet') : undefined;
      const deduped = await dedupeHour({
        hourFiles: files.read.map((f) => f.path), lookbackFiles: lookback.read.map((f) => f.path), hour, out, compactTo,
      });
      if (compactTo) {
        const replaces = files.read.map((f) => f.key);
        compactedInto = await storeCompacted(deps, { tenant, hour, path: compactTo, events: deduped.compactedEvents ?? 0, replaces });
      }
      // What the run read, as the manifest now lists it: the compacted file stands for its inputs.
      const filesRead = [...(compactedInto ? [compactedInto] : files.read.map((f) => f.key)), ...files.missing];
      published = await publishHour(deps.olap, { tenant, hour, file: out, filesRead, events: deduped.events });
    }
    await deps.onPublished?.(tenant);
    // Only once published: until then the published version's `files_read` names the inputs, and
    // what reads those files (the day's rebuild) must still find them.
    const undeleted = await deleteReplaced(deps, tenant, hour);
    return {
      ...published, tenant, hour: new Date(hour).toISOString(), filesRead: files.read.length + files.missing.length,
      compactedInto, undeleted,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Listings tried before a file listed but gone is taken as missing. */
const FETCH_ATTEMPTS = 3;

/**
 * Local copies of an hour's files: DuckDB reads local files (its httpfs extension cannot be
 * downloaded here). A run of that hour may compact a listed file and delete it before it is
 * fetched (the previous hour, read for the lookback, by a run of its own); the compacted file
 * is registered before its inputs go, so listing again finds it.
 */
async function fetchHour(deps: ReconcileDeps, tenant: string, hour: number, dir: string, prefix: string): Promise<Fetched> {
  for (let attempt = 1; ; attempt++) {
    const keys = (await listArchiveFiles(deps.olap, tenant, hour)).map((f) => f.file);
    const fetched = await fetchAll(deps.objects, keys, dir, prefix);
    if (fetched.missing.length === 0 || attempt === FETCH_ATTEMPTS) return fetched;
  }
}
