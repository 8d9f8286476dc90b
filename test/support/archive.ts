/**
 * Reads what the archive holds under a prefix, the way an auditor would: fetch every Parquet file
 * from object storage and ask DuckDB.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { BUILT_IN_DIMENSIONS } from '../../core/dimensions';
import { duckList } from '../../infra/duckdb-sql';
import type { NormalizedEvent } from '../../core/event';
import { dimensionValue, revenueMicros } from '../../core/rollups';
import type { ObjectStore } from '../../infra/objectstore/objectstore';
import type { OlapStore } from '../../infra/olap/olap';
import { createArchiveBuffer } from '../../stream/archive/archive-buffer';
import { createFsObjectStore } from '../../infra/objectstore/fs';
import { createChdbStore } from '../../infra/olap/chdb';
import { ensureRollupSchema } from '../../infra/olap/schema';
import { createSequence, ensureManifestSchema, recordArchiveFiles } from '../../stream/archive/manifest';
import { type ParquetWriter, createParquetWriter } from '../../stream/archive/parquet-writer';

/**
 * Archives events the way the speed layer does (files per tenant and hour, a manifest row each),
 * as if they had been read from one partition's records `first`, `first + 1`, …
 */
export async function archiveEvents(
  target: { olap: OlapStore; writer: ParquetWriter; seq: () => number },
  events: readonly NormalizedEvent[], partition: number, first: number,
): Promise<void> {
  const spool = mkdtempSync(join(tmpdir(), 'strata-spool-'));
  try {
    const buffer = createArchiveBuffer(spool);
    events.forEach((event, i) => {
      buffer.noteRecord(partition, first + i);
      buffer.add(event, partition, first + i, BUILT_IN_DIMENSIONS.map((d) => dimensionValue(event, d)), revenueMicros(event));
    });
    const files = [];
    for (const chunk of buffer.drain()) files.push(await target.writer.write(chunk));
    await recordArchiveFiles(target.olap, files, target.seq);
  } finally {
    rmSync(spool, { recursive: true, force: true });
  }
}

/** Runs `select` (over a relation named `archive`) on every file under `prefix`; no files, no rows. */
export async function queryArchive<T = Record<string, unknown>>(objects: ObjectStore, prefix: string, select: string): Promise<T[]> {
  const keys = (await objects.list(prefix)).filter((k) => k.endsWith('.parquet'));
  if (keys.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'strata-archive-read-'));
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const files = await Promise.all(keys.map(async (key, i) => {
      const path = join(dir, `${i}.parquet`);
      writeFileSync(path, (await objects.get(key)) ?? Buffer.alloc(0));
      return path;
    }));
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(`WITH archive AS (SELECT * FROM read_parquet(${duckList(files)})) ${select}`);
    const rows = reader.getRowObjectsJson() as T[];
    connection.closeSync();
    return rows;
  } finally {
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The distinct event ids archived under a prefix. */
export async function archivedEventIds(objects: ObjectStore, prefix: string): Promise<Set<string>> {
  const rows = await queryArchive<{ event_id: string }>(objects, prefix, 'SELECT DISTINCT event_id FROM archive');
  return new Set(rows.map((r) => r.event_id));
}

/** An OLAP store with the rollup and manifest tables, an object store and an archive writer, in `dir`. */
export interface ArchiveFixture {
  olap: OlapStore;
  objects: ObjectStore;
  writer: ParquetWriter;
  seq: () => number;
  close(): Promise<void>;
}

export async function openArchiveFixture(dir: string, database: string): Promise<ArchiveFixture> {
  const olap = await createChdbStore({ path: join(dir, 'olap'), database });
  await ensureRollupSchema(olap);
  await ensureManifestSchema(olap);
  const objects = createFsObjectStore({ root: join(dir, 'objects') });
  const writer = await createParquetWriter({ objects, tmpDir: join(dir, 'tmp') });
  return {
    olap, objects, writer, seq: createSequence(),
    async close() {
      await writer.close();
      await olap.close();
    },
  };
}

/**
 * An archive fixture for a test file: opened before its tests in a fresh temporary directory,
 * closed and removed after. Read its fields inside tests (they are set by the time tests run).
 */
export function useArchiveFixture(label: string): ArchiveFixture & { dir: string } {
  const fixture = { dir: mkdtempSync(join(tmpdir(), `strata-${label}-`)) } as ArchiveFixture & { dir: string };
  beforeAll(async () => {
    Object.assign(fixture, await openArchiveFixture(fixture.dir, `${label}_${process.pid}`));
  });
  afterAll(async () => {
    await fixture.close?.();
    rmSync(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
}
