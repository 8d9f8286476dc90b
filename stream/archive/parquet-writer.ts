/**
 * Turns archive chunks into Parquet with DuckDB and stores them in object storage. DuckDB runs its
 * statements on libuv's pool, so the event loop keeps serving while a file is built.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ARCHIVE_COLUMNS, archiveKey } from '../../core/archive';
import { BUILT_IN_DIMENSIONS } from '../../core/dimensions';
import { duckString } from '../../infra/duckdb-sql';
import type { ObjectStore } from '../../infra/objectstore/objectstore';
import type { ArchiveChunk } from './archive-buffer';

export interface WrittenFile {
  tenant: string;
  hour: number;
  key: string;
  partition: number;
  firstOffset: number;
  lastOffset: number;
  events: number;
  bytes: number;
}

export interface ParquetWriter {
  /** Builds and stores one file; resolves once the object is durable. The chunk's spool file is removed either way. */
  write(chunk: ArchiveChunk): Promise<WrittenFile>;
  close(): Promise<void>;
}

/** The JSON columns the buffer writes, as DuckDB reads them (arrays, unnested into rows below). */
const JSON_COLUMNS = {
  tenant: 'VARCHAR', partition: 'INTEGER',
  event_id: 'VARCHAR[]', event: 'VARCHAR[]', timestamp: 'BIGINT[]', received_at: 'BIGINT[]', user_id: 'VARCHAR[]',
  offset: 'BIGINT[]', sample_weight: 'DOUBLE[]', revenue: 'VARCHAR[]', dims: 'VARCHAR[][]',
  properties: 'JSON[]',
};

const columnsSpec = `{${Object.entries(JSON_COLUMNS).map(([k, v]) => `'${k}': '${v}'`).join(', ')}}`;
const unnested = [
  'unnest(event_id) AS event_id', 'unnest(event) AS event', 'unnest(timestamp) AS ts', 'unnest(received_at) AS rx',
  'tenant', 'unnest(user_id) AS user_id', '"partition"', 'unnest("offset") AS "offset"', 'unnest(sample_weight) AS sample_weight',
  'unnest(revenue) AS revenue', ...BUILT_IN_DIMENSIONS.map((_, i) => `unnest(dims[${i + 1}]) AS d${i}`), 'unnest(properties) AS properties',
].join(', ');
/** Converted to the archive's types, in ARCHIVE_COLUMNS order. */
const projected = [
  'event_id', 'event', 'make_timestamp(ts * 1000) AS "timestamp"', 'make_timestamp(rx * 1000) AS received_at', 'tenant', 'user_id',
  '"partition"', '"offset"', 'sample_weight', 'CAST(revenue AS DECIMAL(38, 6)) AS revenue',
  `struct_pack(${BUILT_IN_DIMENSIONS.map((d, i) => `"${d}" := d${i}`).join(', ')}) AS dims`, 'properties',
];
if (projected.length !== ARCHIVE_COLUMNS.length) throw new Error('the archive projection and ARCHIVE_COLUMNS disagree');

export async function createParquetWriter(options: { objects: ObjectStore; tmpDir: string }): Promise<ParquetWriter> {
  // Leftovers of a crashed process are only half-built files: nothing refers to them.
  rmSync(options.tmpDir, { recursive: true, force: true });
  mkdirSync(options.tmpDir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection: DuckDBConnection = await instance.connect();
  let next = 0;

  return {
    async write(chunk) {
      const json = chunk.path;
      const parquet = join(options.tmpDir, `${next++}.parquet`);
      try {
        await connection.run(`COPY (SELECT ${projected.join(', ')} FROM (SELECT ${unnested}
            FROM read_json(${duckString(json)}, format = 'newline_delimited', maximum_object_size = 2147483647, columns = ${columnsSpec})))
          TO ${duckString(parquet)} (FORMAT parquet, COMPRESSION zstd)`);
        const bytes = await readFile(parquet);
        const key = archiveKey(chunk.tenant, chunk.hour, chunk.partition, chunk.firstOffset, chunk.lastOffset);
        await options.objects.put(key, bytes);
        return { tenant: chunk.tenant, hour: chunk.hour, key, partition: chunk.partition, firstOffset: chunk.firstOffset, lastOffset: chunk.lastOffset, events: chunk.events, bytes: bytes.length };
      } finally {
        await Promise.all([rm(json, { force: true }), rm(parquet, { force: true })]);
      }
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
      rmSync(options.tmpDir, { recursive: true, force: true });
    },
  };
}
