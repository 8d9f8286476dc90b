/**
 * The events target run for real: compiled SQL on an in-memory DuckDB over a table in the
 * archive's columns, bound the way the executor binds it (`connection.run(sql, params)`).
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_COLUMNS } from '../archive';
import { compileQuery, prepareQuery } from './index';

const now = Date.parse('2026-11-20T12:00:00Z');
let instance: DuckDBInstance;
let connection: DuckDBConnection;

/** [id, event, timestamp, tenant, user, revenue, country, device, properties] */
const ROWS: [string, string, string, string, string | null, number, string, string, string][] = [
  ['e1', 'page_view', '2026-11-20 10:01:00', 't1', 'u1', 0, 'US', 'mobile', '{"plan":"pro"}'],
  ['e2', 'page_view', '2026-11-20 10:30:00', 't1', 'u2', 0, 'US', 'desktop', '{"plan":"free","n":5,"z":null}'],
  ['e3', 'purchase', '2026-11-20 11:15:00', 't1', 'u1', 12.5, 'DE', 'mobile', '{"plan":"pro","note":"it\'\'s"}'],
  ['e4', 'click', '2026-11-20 11:59:00', 't1', null, 0, 'FR', 'mobile', '{}'],
  ['e5', 'page_view', '2026-11-10 09:00:00', 't1', 'u3', 0, 'US', 'mobile', '{"plan":"pro"}'],
  ['x1', 'purchase', '2026-11-20 10:05:00', 't2', 'u9', 99, 'US', 'mobile', '{"plan":"pro"}'],
];

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  await connection.run(`CREATE TABLE archive (${ARCHIVE_COLUMNS.map(([name, type]) => `"${name}" ${type}`).join(', ')})`);
  const values = ROWS.map(([id, event, ts, tenant, user, revenue, country, device, props], i) =>
    `('${id}', '${event}', TIMESTAMP '${ts}', TIMESTAMP '${ts}', '${tenant}', ${user === null ? 'NULL' : `'${user}'`}, 0, ${i}, 1.0, ${revenue}, ` +
    `{'event': '${event}', 'country': '${country}', 'device': '${device}', 'page': '/', 'campaign': '(none)'}, '${props}')`);
  await connection.run(`INSERT INTO archive VALUES ${values.join(', ')}`);
});

afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

async function run(text: string, tenant = 't1'): Promise<unknown[][]> {
  const compiled = compileQuery(prepareQuery(text, { now }), { tenant, source: () => 'archive' });
  const reader = await connection.runAndReadAll(compiled.sql, compiled.params);
  // JSON form: BIGINT counts and DECIMAL sums read as text, as they would in a reply before typing.
  return reader.getRowsJson();
}

const TODAY = "timestamp >= '2026-11-20T00:00:00Z'";

describe('events on DuckDB', () => {
  it('groups dimensions from dims, counts and sums, for the tenant only', async () => {
    expect(await run(`SELECT country, count(), sum(revenue), count(DISTINCT user_id) FROM events WHERE ${TODAY} GROUP BY country ORDER BY country`))
      .toEqual([['DE', '1', '12.500000', '1'], ['FR', '1', '0.000000', '0'], ['US', '2', '0.000000', '2']]);
  });

  it('reads properties, in SELECT, WHERE and GROUP BY alike', async () => {
    expect(await run(`SELECT properties.plan AS plan, count() AS n FROM events WHERE ${TODAY} AND properties.plan IN ('pro', 'free') GROUP BY plan ORDER BY n DESC, plan`))
      .toEqual([['pro', '2'], ['free', '1']]);
    expect(await run(`SELECT event_id FROM events WHERE ${TODAY} AND properties.note = 'it''s'`)).toEqual([['e3']]);
    expect(await run(`SELECT properties.n, properties.z, properties.missing FROM events WHERE ${TODAY} AND event_id = 'e2'`)).toEqual([['5', null, null]]);
  });

  it('buckets time in each unit', async () => {
    expect(await run(`SELECT date_trunc('hour', timestamp) AS h, count() FROM events WHERE ${TODAY} GROUP BY h ORDER BY h`))
      .toEqual([['2026-11-20 10:00:00', '2'], ['2026-11-20 11:00:00', '2']]);
    expect(await run("SELECT toStartOfDay(timestamp), date_trunc('week', timestamp), date_trunc('month', received_at), toStartOfMinute(timestamp) FROM events WHERE timestamp >= now() - INTERVAL 2 hours ORDER BY 4 LIMIT 1"))
      .toEqual([['2026-11-20 00:00:00', '2026-11-16 00:00:00', '2026-11-01 00:00:00', '2026-11-20 10:01:00']]);
  });

  it('applies the window, NOT, OR, NOT IN, <> and LIMIT', async () => {
    expect(await run("SELECT event_id FROM events WHERE timestamp >= now() - INTERVAL 30 days ORDER BY timestamp")).toEqual([['e5'], ['e1'], ['e2'], ['e3'], ['e4']]);
    expect(await run(`SELECT event_id FROM events WHERE ${TODAY} AND NOT (event = 'click' OR country NOT IN ('US', 'DE')) AND event <> 'purchase' ORDER BY 1 DESC LIMIT 1`))
      .toEqual([['e2']]);
    expect(await run(`SELECT event_id FROM events WHERE timestamp > TIMESTAMP '2026-11-20T10:01:00Z' AND timestamp <= '2026-11-20T11:15:00Z' ORDER BY event_id`))
      .toEqual([['e2'], ['e3']]);
  });

  it('keeps hostile values inert', async () => {
    expect(await run(`SELECT count() FROM events WHERE ${TODAY} AND country = '''; DROP TABLE archive; --'`)).toEqual([['0']]);
    expect(await run(`SELECT count() FROM events WHERE ${TODAY} AND country = 'US'' OR ''1''=''1'`)).toEqual([['0']]);
    expect(await run(`SELECT count() FROM events WHERE ${TODAY}`)).toEqual([['4']]);
  });
});
