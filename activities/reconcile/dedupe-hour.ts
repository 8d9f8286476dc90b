/**
 * The exact view of one hour, computed by DuckDB from the archive: every event once (the earliest
 * copy by (received_at, partition, offset) wins), each marked with whether it starts a session,
 * written as Parquet for the OLAP store to roll up. Asked to, it also compacts the hour's files
 * into one archive file of the same first copies, in the same DuckDB instance.
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { ARCHIVE_COLUMNS } from '../../core/archive';
import { BUILT_IN_DIMENSIONS } from '../../core/dimensions';
import { HOUR_MS } from '../../core/time';
import { duckList, duckString } from '../../infra/duckdb-sql';
import { dateTime64Text } from '../../infra/olap/sql';

export interface DedupeInput {
  /** Local copies of the hour's archive files. */
  hourFiles: string[];
  /** Local copies of the previous hour's files: sessions look back 30 minutes into it. */
  lookbackFiles: string[];
  /** Hour start, epoch ms. */
  hour: number;
  /** Where the deduplicated rows go. */
  out: string;
  /** Where to write the hour's files compacted (every archive column, each event once, zstd); unset, nothing is. */
  compactTo?: string;
}

export interface Deduped {
  /** Distinct events in the hour. */
  events: number;
  /** Rows of the compacted file, when one was asked for. */
  compactedEvents?: number;
}

/** The columns of the output, in order; the OLAP store's stage table has the same. */
export const DEDUPED_COLUMNS = ['tenant', 'minute', ...BUILT_IN_DIMENSIONS, 'weight', 'revenue', 'session', 'user_id'] as const;

const SESSION_GAP = "INTERVAL 30 MINUTE";
const utc = (ms: number): string => `TIMESTAMP ${duckString(dateTime64Text(ms))}`;

/** Where a row of archive files came from: DuckDB's virtual columns, the file's place in the list and the row's in the file. */
const ORIGIN = 'file_index, file_row_number';

/**
 * Which copy of an event counts (DESIGN "Data model"): the earliest by (received_at, partition,
 * offset). Copies alike in those are one log record archived twice; ordering them by file and row
 * too makes both statements below pick the same one, so the compacted file holds the very rows
 * this run rolls up.
 */
const FIRST_COPY = `row_number() OVER (PARTITION BY event_id ORDER BY received_at, "partition", "offset", ${ORIGIN}) = 1`;

/**
 * The compacted file, in the archive's columns, order and types, so that it reads like any archive
 * file. The first copies are picked over narrow columns, and only their rows are then read whole:
 * cheaper than carrying every column through the window.
 */
const compactSql = (files: readonly string[], out: string): string => `COPY (
    WITH firsts AS (SELECT ${ORIGIN} FROM read_parquet(${duckList(files)}) QUALIFY ${FIRST_COPY}),
    rows AS (SELECT *, ${ORIGIN} FROM read_parquet(${duckList(files)}))
    SELECT ${ARCHIVE_COLUMNS.map(([name, type]) => `CAST("${name}" AS ${type}) AS "${name}"`).join(', ')}
    FROM rows SEMI JOIN firsts USING (${ORIGIN})
  ) TO ${duckString(out)} (FORMAT parquet, COMPRESSION zstd)`;

function dedupeSql(input: DedupeInput): string {
  const from = utc(input.hour);
  const to = utc(input.hour + HOUR_MS);
  const columns = `event_id, "timestamp", received_at, "partition", "offset", tenant, user_id, sample_weight, revenue, dims, ${ORIGIN}`;
  const sources = [`SELECT ${columns} FROM read_parquet(${duckList(input.hourFiles)})`];
  if (input.lookbackFiles.length > 0) {
    sources.push(`SELECT ${columns} FROM read_parquet(${duckList(input.lookbackFiles)}) WHERE "timestamp" >= ${from} - ${SESSION_GAP}`);
  }
  return `COPY (
    WITH raw AS (${sources.join(' UNION ALL ')}),
    once AS (SELECT * FROM raw QUALIFY ${FIRST_COPY}),
    ordered AS (SELECT *, lag("timestamp") OVER (PARTITION BY tenant, user_id ORDER BY "timestamp", event_id) AS previous FROM once)
    SELECT tenant, date_trunc('minute', "timestamp") AS minute,
      ${BUILT_IN_DIMENSIONS.map((d) => `dims."${d}" AS "${d}"`).join(', ')},
      sample_weight AS weight, revenue,
      CASE WHEN user_id IS NOT NULL AND (previous IS NULL OR "timestamp" - previous > ${SESSION_GAP}) THEN sample_weight ELSE 0 END AS session,
      user_id
    FROM ordered
    WHERE "timestamp" >= ${from} AND "timestamp" < ${to}
  ) TO ${duckString(input.out)} (FORMAT parquet)`;
}

export async function dedupeHour(input: DedupeInput): Promise<Deduped> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  try {
    // The compaction reads every column and the rollup only a few: on connections of their own
    // they run side by side, so compacting adds little to the hour's time.
    const rollup = writeAndCount(instance, dedupeSql(input), input.out);
    const compaction = input.compactTo === undefined ? Promise.resolve(undefined) : writeAndCount(instance, compactSql(input.hourFiles, input.compactTo), input.compactTo);
    // Both settle before the instance is closed under them, even when one fails.
    await Promise.allSettled([rollup, compaction]);
    return { events: await rollup, compactedEvents: await compaction };
  } finally {
    instance.closeSync();
  }
}

/** Runs a COPY on a connection of its own; returns the rows of the file it wrote. */
async function writeAndCount(instance: DuckDBInstance, copy: string, file: string): Promise<number> {
  const connection: DuckDBConnection = await instance.connect();
  try {
    await connection.run(copy);
    const counted = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet(${duckString(file)})`);
    return Number(counted.getRows()[0]?.[0] ?? 0);
  } finally {
    connection.closeSync();
  }
}
