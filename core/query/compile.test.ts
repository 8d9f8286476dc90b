import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../time';
import { type PreparedQuery, compileQuery, prepareQuery } from './index';

const now = Date.parse('2026-11-20T12:00:00Z');
const iso = (text: string) => Date.parse(text);

function compile(text: string) {
  const sources: PreparedQuery[] = [];
  const prepared = prepareQuery(text, { now });
  const compiled = compileQuery(prepared, { tenant: 'acme', source: (q) => (sources.push(q), 'SRC') });
  expect(sources).toEqual([prepared]);
  return { ...prepared, ...compiled };
}

const CH_WINDOW = "tenant = {q_tenant:String} AND minute >= fromUnixTimestamp64Milli({q_from:Int64}, 'UTC') AND minute < fromUnixTimestamp64Milli({q_to:Int64}, 'UTC')";
const DUCK_WINDOW = '"tenant" = CAST($q_tenant AS VARCHAR) AND "timestamp" >= epoch_ms(CAST($q_from AS BIGINT)) AND "timestamp" < epoch_ms(CAST($q_to AS BIGINT))';

describe('compileQuery on rollups (ClickHouse)', () => {
  it('compiles a grouped, ordered, limited query with the tenant and window ANDed before the WHERE', () => {
    const q = compile("SELECT toStartOfHour(time) AS hour, country, sum(events) AS events, uniq(users) FROM rollups WHERE time >= now() - INTERVAL 2 days AND country IN ('US', 'DE') GROUP BY hour, country ORDER BY events DESC, 1 LIMIT 10");
    expect(q.sql).toBe([
      'SELECT toStartOfHour(minute) AS c0, country AS c1, sum(events) AS c2, uniqCombinedMerge(users) AS c3',
      'FROM SRC',
      `WHERE ${CH_WINDOW} AND (minute >= fromUnixTimestamp64Milli({q_0:Int64}, 'UTC') AND country IN ({q_1:String}, {q_2:String}))`,
      'GROUP BY toStartOfHour(minute), country',
      'ORDER BY c2 DESC, c0 ASC',
      'LIMIT {q_limit:UInt32}',
    ].join('\n'));
    expect(q.params).toEqual({ q_tenant: 'acme', q_from: now - 2 * DAY_MS, q_to: now, q_0: now - 2 * DAY_MS, q_1: 'US', q_2: 'DE', q_limit: 10 });
    expect(q.columns).toEqual([
      { name: 'hour', type: 'time' }, { name: 'country', type: 'string' }, { name: 'events', type: 'number' }, { name: 'uniq(users)', type: 'number' },
    ]);
    expect(q).toMatchObject({ target: 'rollups', window: { from: now - 2 * DAY_MS, to: now }, dimensions: ['country'], grain: 'hour', limit: 10 });
  });

  it('defaults to the 7 days before the upper bound, and to LIMIT 1000', () => {
    expect(compile('SELECT sum(sessions) FROM rollups')).toMatchObject({ window: { from: now - 7 * DAY_MS, to: now }, limit: 1000, params: { q_limit: 1000 } });
    const to = iso('2026-11-01T00:00:00Z');
    expect(compile("SELECT sum(sessions) FROM rollups WHERE time < '2026-11-01T00:00:00Z'").window).toEqual({ from: to - 7 * DAY_MS, to });
  });

  it('reads bounds on either side, with > and <= moved by a millisecond, = as one instant, and nothing past now', () => {
    const t = iso('2026-11-20T10:00:00Z');
    expect(compile("SELECT sum(events) FROM rollups WHERE '2026-11-20T10:00:00Z' < time AND time <= TIMESTAMP '2026-11-20T11:00:00Z'").window)
      .toEqual({ from: t + 1, to: t + HOUR_MS + 1 });
    expect(compile("SELECT sum(events) FROM rollups WHERE time = '2026-11-20T10:00:00Z'").window).toEqual({ from: t, to: t + 1 });
    expect(compile("SELECT sum(events) FROM rollups WHERE time >= '2026-11-20T10:00:00Z' AND time < '2027-01-01T00:00:00Z'").window).toEqual({ from: t, to: now });
    // Bounds under OR or NOT do not bound the rows, so they do not make the window.
    expect(compile("SELECT sum(events) FROM rollups WHERE time >= '2026-11-20T10:00:00Z' OR country = 'US'").window).toEqual({ from: now - 7 * DAY_MS, to: now });
    expect(compile("SELECT sum(events) FROM rollups WHERE NOT time < '2026-11-20T10:00:00Z'").window).toEqual({ from: now - 7 * DAY_MS, to: now });
    // Contradictory bounds leave an empty window.
    expect(compile("SELECT sum(events) FROM rollups WHERE time >= '2026-11-20T10:00:00Z' AND time < '2026-11-20T09:00:00Z'").window)
      .toEqual({ from: t - HOUR_MS, to: t - HOUR_MS });
  });

  it('compiles every time bucket and date_trunc unit', () => {
    const q = compile("SELECT toStartOfMinute(time) AS a, toStartOfDay(time) AS b, date_trunc('minute', time) AS c, date_trunc('HOUR', time) AS d, date_trunc('day', time) AS e, date_trunc('week', time) AS f, date_trunc('month', time) AS g FROM rollups");
    expect(q.sql.split('\n')[0]).toBe("SELECT toStartOfMinute(minute) AS c0, toStartOfDay(minute) AS c1, toStartOfMinute(minute) AS c2, toStartOfHour(minute) AS c3, toStartOfDay(minute) AS c4, toDateTime(toMonday(minute), 'UTC') AS c5, toDateTime(toStartOfMonth(minute), 'UTC') AS c6");
    expect(q.columns.every((c) => c.type === 'time')).toBe(true);
  });

  it('compiles NOT, OR, NOT IN, <>, min and max, with parentheses kept', () => {
    const q = compile("SELECT min(time), max(device) FROM rollups WHERE NOT (event = 'click' OR country NOT IN ('US')) AND (device <> 'tv' OR page != '/') AND campaign > 'a'");
    expect(q.sql).toContain(`WHERE ${CH_WINDOW} AND ((NOT (event = {q_0:String} OR country NOT IN ({q_1:String}))) AND (device != {q_2:String} OR page != {q_3:String}) AND campaign > {q_4:String})`);
    expect(q.sql).toContain('SELECT min(minute) AS c0, max(device) AS c1');
    expect(q.columns).toEqual([{ name: 'min(time)', type: 'time' }, { name: 'max(device)', type: 'string' }]);
  });

  it('says which dimensions and how coarse a grain the query needs', () => {
    expect(compile("SELECT date_trunc('day', time), sum(events) FROM rollups WHERE page = '/' AND time >= '2026-11-20T10:30:00Z' GROUP BY 1"))
      .toMatchObject({ dimensions: ['page'], grain: 'day' });
    expect(compile('SELECT sum(events) FROM rollups')).toMatchObject({ dimensions: [], grain: 'day' });
    expect(compile("SELECT event, device, sum(events) FROM rollups WHERE toStartOfHour(time) != '2026-11-20T10:00:00Z' GROUP BY event, device"))
      .toMatchObject({ dimensions: ['event', 'device'], grain: 'hour' });
    expect(compile('SELECT time, sum(events) FROM rollups GROUP BY time')).toMatchObject({ grain: 'minute' });
    expect(compile("SELECT sum(events) FROM rollups WHERE time >= '2026-11-20T10:00:00Z' OR time < '2026-11-19T10:00:00Z'")).toMatchObject({ grain: 'minute' });
  });

  it('groups by position, alias or expression alike', () => {
    const sql = (text: string) => compile(text).sql;
    const expected = sql('SELECT toStartOfHour(time) AS h, sum(events) FROM rollups GROUP BY toStartOfHour(time)');
    expect(sql('SELECT toStartOfHour(time) AS h, sum(events) FROM rollups GROUP BY 1')).toBe(expected);
    expect(sql('SELECT toStartOfHour(time) AS h, sum(events) FROM rollups GROUP BY H')).toBe(expected);
  });

  it('lets a time bucket of a grouped column through, and orders by values not selected', () => {
    const q = compile('SELECT toStartOfDay(time) AS day, sum(events) FROM rollups GROUP BY time ORDER BY sum(revenue) DESC, time');
    expect(q.sql).toContain('GROUP BY minute\nORDER BY sum(revenue) DESC, minute ASC');
  });
});

describe('compileQuery on events (DuckDB)', () => {
  it('compiles raw rows with dims, properties and now() - INTERVAL', () => {
    const q = compile("SELECT event_id, event, timestamp, country, properties.plan FROM events WHERE timestamp >= now() - INTERVAL 90 minutes AND properties.plan = 'pro' ORDER BY timestamp DESC LIMIT 5");
    expect(q.sql).toBe([
      'SELECT "event_id" AS c0, "event" AS c1, "timestamp" AS c2, "dims"."country" AS c3, json_extract_string("properties", CAST($q_0 AS VARCHAR)) AS c4',
      'FROM SRC',
      `WHERE ${DUCK_WINDOW} AND ("timestamp" >= epoch_ms(CAST($q_1 AS BIGINT)) AND json_extract_string("properties", CAST($q_0 AS VARCHAR)) = CAST($q_2 AS VARCHAR))`,
      'ORDER BY c2 DESC',
      'LIMIT CAST($q_limit AS BIGINT)',
    ].join('\n'));
    expect(q.params).toEqual({ q_tenant: 'acme', q_from: now - 90 * 60_000, q_to: now, q_0: '$.plan', q_1: now - 90 * 60_000, q_2: 'pro', q_limit: 5 });
    expect(q.columns.map((c) => c.type)).toEqual(['string', 'string', 'time', 'string', 'string']);
    expect(q).toMatchObject({ target: 'events', dimensions: ['event', 'country'] });
  });

  it('compiles every aggregate and bucket', () => {
    const q = compile("SELECT date_trunc('week', received_at) AS w, toStartOfHour(timestamp) AS h, count(), count(*) AS rows, count(DISTINCT user_id), sum(revenue), avg(sample_weight), min(timestamp), max(properties.plan) FROM events WHERE timestamp >= '2026-11-01T00:00:00Z' GROUP BY 1, 2");
    expect(q.sql.split('\n')[0]).toBe('SELECT date_trunc(\'week\', "received_at") AS c0, date_trunc(\'hour\', "timestamp") AS c1, count(*) AS c2, count(*) AS c3, count(DISTINCT "user_id") AS c4, sum("revenue") AS c5, avg("sample_weight") AS c6, min("timestamp") AS c7, max(json_extract_string("properties", CAST($q_0 AS VARCHAR))) AS c8');
    expect(q.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'w:time', 'h:time', 'count():number', 'rows:number', 'count(DISTINCT user_id):number', 'sum(revenue):number',
      'avg(sample_weight):number', 'min(timestamp):time', 'max(properties.plan):string',
    ]);
  });

  it('reads strings as times in IN lists beside a time', () => {
    const q = compile("SELECT count() FROM events WHERE timestamp >= now() - INTERVAL 1 day AND toStartOfHour(timestamp) IN ('2026-11-20T10:00:00Z', TIMESTAMP '2026-11-20T11:00:00Z') AND '2026-11-20T10:00:00Z' NOT IN (now())");
    expect(q.params).toMatchObject({ q_1: iso('2026-11-20T10:00:00Z'), q_2: iso('2026-11-20T11:00:00Z'), q_3: iso('2026-11-20T10:00:00Z'), q_4: now });
    expect(q.sql).toContain('date_trunc(\'hour\', "timestamp") IN (epoch_ms(CAST($q_1 AS BIGINT)), epoch_ms(CAST($q_2 AS BIGINT))) AND epoch_ms(CAST($q_3 AS BIGINT)) NOT IN (epoch_ms(CAST($q_4 AS BIGINT)))');
  });

  it('compiles numbers and time strings by the type of the column they meet', () => {
    const q = compile("SELECT event_id FROM events WHERE timestamp >= '2026-11-19T00:00:00+02:00' AND revenue >= -1.5 AND sample_weight IN (1, 2.5e1) AND received_at < '2026-11-20T11:00:00.250Z'");
    expect(q.params).toMatchObject({ q_0: iso('2026-11-18T22:00:00Z'), q_1: -1.5, q_2: 1, q_3: 25, q_4: iso('2026-11-20T11:00:00.250Z') });
    expect(q.sql).toContain('"revenue" >= CAST($q_1 AS DOUBLE) AND "sample_weight" IN (CAST($q_2 AS DOUBLE), CAST($q_3 AS DOUBLE)) AND "received_at" < epoch_ms(CAST($q_4 AS BIGINT))');
  });

  it('accepts a window of exactly 31 days', () => {
    const q = compile("SELECT count() FROM events WHERE timestamp >= '2026-10-01T00:00:00Z' AND timestamp < '2026-11-01T00:00:00Z'");
    expect(q.window).toEqual({ from: iso('2026-10-01T00:00:00Z'), to: iso('2026-11-01T00:00:00Z') });
  });
});

describe('docs/query-language.md', () => {
  it('gives examples that compile', () => {
    const doc = readFileSync(new URL('../../docs/query-language.md', import.meta.url), 'utf8');
    const examples = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const example of examples) expect(() => compile(example)).not.toThrow();
  });
});
