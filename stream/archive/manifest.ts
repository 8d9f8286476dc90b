/**
 * The archive manifest: a row per file, in the OLAP store, written only once the file is durable.
 * The batch layer reads an hour's rows to know which files to reconcile, and whether files landed
 * since its last run (then the hour is dirty). Reconciliation compacts an hour's files into one and
 * adds its row, listing the files it `replaces`: from then on the hour holds the compacted file and
 * no longer its inputs, which can be deleted.
 */
import type { OlapStore } from '../../infra/olap/olap';
import type { WrittenFile } from './parquet-writer';

export const MANIFEST_TABLE = 'archive_manifest';

export interface ManifestRow {
  tenant: string;
  /** Event hour start, epoch ms. */
  hour: number;
  file: string;
  /** Allocation order of rows (µs, increasing per writer): later rows for one file supersede earlier. */
  seq: number;
  events: number;
  bytes: number;
  /** Files a compacted file stands for; empty for files the speed layer writes. */
  replaces: string[];
}

export async function ensureManifestSchema(olap: OlapStore): Promise<void> {
  await olap.exec(`CREATE TABLE IF NOT EXISTS ${olap.table(MANIFEST_TABLE)} (
      tenant LowCardinality(String), hour DateTime('UTC'), file String, seq UInt64,
      partition UInt32, first_offset UInt64, last_offset UInt64, events UInt64, bytes UInt64,
      replaces Array(String), written_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplacingMergeTree(seq)
    ORDER BY (tenant, hour, file)`);
}

/** Allocates increasing sequence numbers from the clock, in µs, never repeating within a process. */
export function createSequence(): () => number {
  let last = 0;
  return () => {
    last = Math.max(last + 1, Date.now() * 1000);
    return last;
  };
}

export async function recordArchiveFiles(olap: OlapStore, files: readonly WrittenFile[], seq: () => number): Promise<void> {
  if (files.length === 0) return;
  await olap.insert(MANIFEST_TABLE, files.map((f) => ({
    tenant: f.tenant, hour: f.hour / 1000, file: f.key, seq: seq(),
    partition: f.partition, first_offset: f.firstOffset, last_offset: f.lastOffset, events: f.events, bytes: f.bytes, replaces: [],
  })));
}

/** A file that reconciliation compacted an hour's files into. */
export interface CompactedFile {
  tenant: string;
  /** Event hour start, epoch ms. */
  hour: number;
  key: string;
  events: number;
  bytes: number;
  /** The files it holds every event of, once each. */
  replaces: readonly string[];
}

export async function recordCompactedFile(olap: OlapStore, file: CompactedFile, seq: () => number): Promise<void> {
  // It spans partitions and offset ranges, so it claims none.
  await olap.insert(MANIFEST_TABLE, [{
    tenant: file.tenant, hour: file.hour / 1000, file: file.key, seq: seq(),
    partition: 0, first_offset: 0, last_offset: 0, events: file.events, bytes: file.bytes, replaces: file.replaces,
  }]);
}

/**
 * The manifest's live rows, as a subquery: every row except those of files that a compacted file
 * of the same tenant and hour replaced. Whatever asks what an hour holds (reconciliation, the
 * clean/dirty check) reads this, so they agree. `where` narrows both sides alike, and may use
 * query parameters.
 */
export function liveManifestSql(olap: OlapStore, where = '1'): string {
  const manifest = olap.table(MANIFEST_TABLE);
  return `(SELECT * FROM ${manifest} WHERE (${where})
    AND (tenant, hour, file) NOT IN (SELECT tenant, hour, arrayJoin(replaces) FROM ${manifest} WHERE (${where})))`;
}

const ONE_HOUR = "tenant = {tenant:String} AND hour = toDateTime({hour:UInt32}, 'UTC')";

/** The hour's live files, one row per file (its latest). */
export async function listArchiveFiles(olap: OlapStore, tenant: string, hour: number): Promise<ManifestRow[]> {
  const rows = await olap.query<{ tenant: string; file: string; latest: string; events: string; bytes: string; replaces: string[] }>(
    `SELECT tenant, file, max(seq) AS latest, argMax(events, seq) AS events, argMax(bytes, seq) AS bytes, argMax(replaces, seq) AS replaces
     FROM ${liveManifestSql(olap, ONE_HOUR)}
     GROUP BY tenant, file ORDER BY file`,
    { params: { tenant, hour: hour / 1000 } },
  );
  return rows.map((r) => ({ tenant: r.tenant, hour, file: r.file, seq: Number(r.latest), events: Number(r.events), bytes: Number(r.bytes), replaces: r.replaces }));
}

/** The hour's files that a compacted file replaced: their objects are garbage, wherever they remain. */
export async function listReplacedFiles(olap: OlapStore, tenant: string, hour: number): Promise<string[]> {
  const rows = await olap.query<{ file: string }>(
    `SELECT DISTINCT arrayJoin(replaces) AS file FROM ${olap.table(MANIFEST_TABLE)} WHERE ${ONE_HOUR} ORDER BY file`,
    { params: { tenant, hour: hour / 1000 } },
  );
  return rows.map((r) => r.file);
}

/** The live files of a tenant's hours in [from, to) (epoch ms), for a query over the archive. */
export async function listArchiveFilesBetween(olap: OlapStore, tenant: string, from: number, to: number): Promise<string[]> {
  const rows = await olap.query<{ file: string }>(
    `SELECT DISTINCT file FROM ${liveManifestSql(olap, "tenant = {tenant:String} AND hour >= toDateTime({from:UInt32}, 'UTC') AND hour < toDateTime({to:UInt32}, 'UTC')")}
     ORDER BY file`,
    { params: { tenant, from: Math.floor(from / 3_600_000) * 3600, to: Math.ceil(to / 3_600_000) * 3600 } },
  );
  return rows.map((r) => r.file);
}
