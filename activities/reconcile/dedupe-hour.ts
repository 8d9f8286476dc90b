/**
 * The exact view of one hour, computed by DuckDB from the archive: every event once (the earliest
 * copy by (received_at, partition, offset) wins), each marked with whether it starts a session,
 * written as Parquet for the OLAP store to roll up.
 */
import { DuckDBInstance } from '@duckdb/node-api';
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
}

/** The columns of the output, in order; the OLAP store's stage table has the same. */
export const DEDUPED_COLUMNS = ['tenant', 'minute', ...BUILT_IN_DIMENSIONS, 'weight', 'revenue', 'session', 'user_id'] as const;

const SESSION_GAP = "INTERVAL 30 MINUTE";
const utc = (ms: number): string => `TIMESTAMP ${duckString(dateTime64Text(ms))}`;

/** Returns the number of distinct events in the hour. */
export async function dedupeHour(input: DedupeInput): Promise<number> {
  const from = utc(input.hour);
  const to = utc(input.hour + HOUR_MS);
  const columns = 'event_id, "timestamp", received_at, "partition", "offset", tenant, user_id, sample_weight, revenue, dims';
  const sources = [`SELECT ${columns} FROM read_parquet(${duckList(input.hourFiles)})`];
  if (input.lookbackFiles.length > 0) {
    sources.push(`SELECT ${columns} FROM read_parquet(${duckList(input.lookbackFiles)}) WHERE "timestamp" >= ${from} - ${SESSION_GAP}`);
  }
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  try {
    const connection = await instance.connect();
    try {
      await connection.run(`COPY (
        WITH raw AS (${sources.join(' UNION ALL ')}),
        once AS (SELECT * FROM raw QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY received_at, "partition", "offset") = 1),
        ordered AS (SELECT *, lag("timestamp") OVER (PARTITION BY tenant, user_id ORDER BY "timestamp", event_id) AS previous FROM once)
        SELECT tenant, date_trunc('minute', "timestamp") AS minute,
          ${BUILT_IN_DIMENSIONS.map((d) => `dims."${d}" AS "${d}"`).join(', ')},
          sample_weight AS weight, revenue,
          CASE WHEN user_id IS NOT NULL AND (previous IS NULL OR "timestamp" - previous > ${SESSION_GAP}) THEN sample_weight ELSE 0 END AS session,
          user_id
        FROM ordered
        WHERE "timestamp" >= ${from} AND "timestamp" < ${to}
      ) TO ${duckString(input.out)} (FORMAT parquet)`);
      const counted = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet(${duckString(input.out)})`);
      return Number(counted.getRows()[0]?.[0] ?? 0);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
