import { describe, expect, it } from 'vitest';
import { StrataError } from '../errors';
import { prepareQuery } from './index';

const now = Date.parse('2026-11-20T12:00:00Z');
const DAY = "timestamp >= now() - INTERVAL 1 day";

/** The message of the STRATA_QUERY_INVALID that preparing `text` throws, with its position. */
function invalid(text: string): { message: string; column: number } {
  try {
    prepareQuery(text, { now });
  } catch (err) {
    if (!(err instanceof StrataError)) throw err;
    expect(err.code).toBe('STRATA_QUERY_INVALID');
    const position = err.details?.position as { column: number };
    return { message: err.message, column: position.column };
  }
  throw new Error(`accepted: ${text}`);
}

describe('semantic errors', () => {
  it('name the valid tables, columns and functions', () => {
    expect(invalid('SELECT a FROM metrics')).toEqual({ column: 15, message: 'invalid query at line 1, column 15: unknown table "metrics"; the tables are rollups and events' });
    expect(invalid('SELECT cuntry FROM rollups').message)
      .toContain('unknown column "cuntry" in rollups; the columns are time, event, country, device, page, campaign, events, sessions, revenue, users');
    expect(invalid(`SELECT users FROM events WHERE ${DAY}`).message).toContain('unknown column "users" in events (users is a column of rollups); the columns are event_id, event, timestamp, received_at, user_id, revenue, sample_weight, country, device, page, campaign, properties.<name>');
    expect(invalid('SELECT median(events) FROM rollups').message).toContain('unknown function median(); the functions on rollups are sum, uniq, min, max, toStartOfMinute, toStartOfHour, toStartOfDay, date_trunc, now');
    expect(invalid(`SELECT properties.plan FROM rollups`).message).toContain('unknown column "properties" in rollups (properties is a column of events)');
  });

  it('keep rollup measures and states to the aggregates that make sense of them', () => {
    expect(invalid('SELECT country, events FROM rollups').message).toContain('events is a partial sum on each rollup row, meaningful only summed: use sum(events)');
    expect(invalid('SELECT max(revenue) FROM rollups').message).toContain('use sum(revenue)');
    expect(invalid("SELECT sum(events) FROM rollups WHERE sessions > 1").message).toContain('sessions is a partial sum on each rollup row, so it cannot filter rows');
    expect(invalid('SELECT sum(users) FROM rollups').message).toContain('users holds distinct-user states, meaningful only merged: use uniq(users)');
    expect(invalid('SELECT uniq(country) FROM rollups').message).toContain('uniq() takes users');
    expect(invalid('SELECT sum(country) FROM rollups').message).toContain('sum() on rollups takes events, sessions or revenue');
    expect(invalid('SELECT count() FROM rollups').message).toContain('use sum(events) for events (weighted by sampling) or uniq(users)');
    expect(invalid('SELECT count(DISTINCT country) FROM rollups').message).toContain('count(DISTINCT …) is for events; on rollups, distinct users are uniq(users)');
    expect(invalid('SELECT avg(events) FROM rollups').message).toContain('avg() over them means nothing');
  });

  it('check aggregates on events', () => {
    expect(invalid(`SELECT uniq(user_id) FROM events WHERE ${DAY}`).message).toContain('count exactly with count(DISTINCT user_id)');
    expect(invalid(`SELECT count(user_id) FROM events WHERE ${DAY}`).message).toContain('count() counts events, and count(DISTINCT col) counts distinct values');
    expect(invalid(`SELECT sum(country) FROM events WHERE ${DAY}`).message).toContain('sum() takes a number column, such as revenue or sample_weight');
    expect(invalid(`SELECT avg(DISTINCT revenue) FROM events WHERE ${DAY}`).message).toContain('(DISTINCT is for count(DISTINCT col))');
    expect(invalid(`SELECT sum(*) FROM events WHERE ${DAY}`).message).toContain('sum() takes one column');
    expect(invalid(`SELECT max(count()) FROM events WHERE ${DAY}`).message).toContain('the argument of max() must be a column');
    expect(invalid(`SELECT properties FROM events WHERE ${DAY}`).message).toContain('properties is JSON: name one of its keys, as in properties.plan');
    expect(invalid(`SELECT country.code FROM events WHERE ${DAY}`).message).toContain('country has no fields');
    expect(invalid(`SELECT properties.a_very_long_name_that_goes_on_and_on_and_on_well_past_sixty_four_chars FROM events WHERE ${DAY}`).message).toContain('at most 64');
  });

  it('check time buckets', () => {
    expect(invalid('SELECT toStartOfHour(country) FROM rollups').message).toContain('toStartOfHour takes a time column: time');
    expect(invalid(`SELECT date_trunc('second', timestamp) FROM events WHERE ${DAY}`)).toMatchObject({
      column: 19, message: expect.stringContaining("date_trunc's unit must be one of 'minute', 'hour', 'day', 'week', 'month'"),
    });
    expect(invalid('SELECT date_trunc(time) FROM rollups').message).toContain("date_trunc takes a unit ('minute', 'hour', 'day', 'week', 'month') and a time column, as in date_trunc('hour', time)");
    expect(invalid(`SELECT toStartOfDay(timestamp, 'UTC') FROM events WHERE ${DAY}`).message).toContain('toStartOfDay() takes one time column');
  });

  it('say which column must be grouped', () => {
    expect(invalid('SELECT country, sum(events) FROM rollups')).toEqual({
      column: 8,
      message: 'invalid query at line 1, column 8: country must appear in GROUP BY or be inside an aggregate, because the query aggregates: add GROUP BY country',
    });
    expect(invalid('SELECT country, device, sum(events) FROM rollups GROUP BY country').message).toContain('device must appear in GROUP BY');
    expect(invalid('SELECT country FROM rollups GROUP BY device').message).toContain('country must appear in GROUP BY');
    expect(invalid('SELECT country FROM rollups ORDER BY sum(events)').message).toContain('country must appear in GROUP BY');
    expect(invalid('SELECT country, sum(events) FROM rollups GROUP BY country ORDER BY device').message).toContain('device must appear in GROUP BY');
    expect(invalid('SELECT time, sum(events) FROM rollups GROUP BY toStartOfHour(time)').message).toContain('time must appear in GROUP BY');
  });

  it('resolve positions and aliases in GROUP BY and ORDER BY, and check them', () => {
    expect(invalid('SELECT country, sum(events) FROM rollups GROUP BY 3').message).toContain('GROUP BY 3 is not a select position: the positions are 1 to 2');
    expect(invalid('SELECT country, sum(events) FROM rollups GROUP BY 1 ORDER BY 0').message).toContain('ORDER BY 0 is not a select position');
    expect(invalid('SELECT country, sum(events) FROM rollups GROUP BY 1.5').message).toContain('not a select position');
    expect(invalid('SELECT country, sum(events) AS n FROM rollups GROUP BY n').message).toContain('GROUP BY cannot group by sum(events), an aggregate');
    expect(invalid('SELECT country FROM rollups GROUP BY sum(events)').message).toContain('sum() is an aggregate; GROUP BY takes columns');
    expect(invalid("SELECT country FROM rollups GROUP BY 'x'").message).toContain("'x' is a value; GROUP BY takes columns");
    expect(invalid('SELECT country AS c, device AS C FROM rollups').message).toContain('two columns are named C: give one another name with AS');
    expect(invalid('SELECT country, country FROM rollups').message).toContain('two columns are named country');
  });

  it('type comparisons, with times as RFC 3339 strings', () => {
    expect(invalid("SELECT sum(events) FROM rollups WHERE country = 1").message).toContain('cannot compare country (string) with 1 (number)');
    expect(invalid("SELECT sum(events) FROM rollups WHERE time >= 'yesterday'")).toMatchObject({
      column: 47, message: expect.stringContaining("'yesterday' is not an RFC 3339 time with a zone, such as '2026-11-20T10:00:00Z'"),
    });
    expect(invalid("SELECT sum(events) FROM rollups WHERE time >= '2026-11-20T10:00:00'").message).toContain('is not an RFC 3339 time with a zone');
    expect(invalid("SELECT sum(events) FROM rollups WHERE time >= 5").message).toContain('cannot compare time (time) with 5 (number): times compare with RFC 3339 strings');
    expect(invalid("SELECT sum(events) FROM rollups WHERE country = TIMESTAMP '2026-11-20T10:00:00Z'").message).toContain("cannot compare country (string) with TIMESTAMP '2026-11-20T10:00:00Z' (time)");
    expect(invalid("SELECT sum(events) FROM rollups WHERE TIMESTAMP 'soon' < time").message).toContain("'soon' is not an RFC 3339 time");
    expect(invalid("SELECT sum(events) FROM rollups WHERE time > '1900-01-01T00:00:00Z'").message).toContain('times must fall in [1970-01-01T00:00:00Z, 2300-01-01T00:00:00Z)');
    expect(invalid("SELECT sum(events) FROM rollups WHERE country IN ('US', 2)").message).toContain('cannot compare country (string) with 2 (number)');
    expect(invalid("SELECT sum(events) FROM rollups WHERE country IN ('US', device)").message).toContain('IN lists hold values (strings, numbers, times), not device');
    expect(invalid("SELECT sum(events) FROM rollups WHERE country = 1e999").message).toContain('1e999 is out of range for a number');
  });

  it('keep values, aggregates and now() in their places', () => {
    expect(invalid("SELECT 'x' FROM rollups").message).toContain("'x' is a value; select items are columns, aggregates or time buckets");
    expect(invalid('SELECT now() FROM rollups').message).toContain('now() is a value for WHERE');
    expect(invalid('SELECT sum(events) FROM rollups WHERE sum(events) > 1').message).toContain('sum() is an aggregate, and WHERE filters rows before aggregation (there is no HAVING)');
    expect(invalid('SELECT sum(events) FROM rollups WHERE time > now(1)').message).toContain('now() takes no arguments');
    expect(invalid('SELECT sum(events) FROM rollups WHERE time > now() - INTERVAL 1.5 hour').message).toContain('INTERVAL takes a whole number of hours, not 1.5');
    expect(invalid('SELECT sum(events) FROM rollups WHERE time > now() - INTERVAL 99999999 week').message).toContain('times must fall in');
  });

  it('bound LIMIT', () => {
    expect(prepareQuery('SELECT country FROM rollups LIMIT 100000', { now }).limit).toBe(100_000);
    expect(prepareQuery('SELECT country FROM rollups LIMIT 0', { now }).limit).toBe(0);
    expect(invalid('SELECT country FROM rollups LIMIT 100001')).toEqual({ column: 35, message: 'invalid query at line 1, column 35: LIMIT 100001 is above the maximum of 100000' });
    expect(invalid('SELECT country FROM rollups LIMIT 2.5').message).toContain('LIMIT takes a whole number, not 2.5');
  });

  it('bound events queries to 31 days, saying why', () => {
    expect(invalid('SELECT event_id FROM events')).toEqual({
      column: 22,
      message: 'invalid query at line 1, column 22: a query on events must bound timestamp from below and span at most 31 days, as in WHERE timestamp >= now() - INTERVAL 1 day, because every archive file it reads is fetched from object storage',
    });
    expect(invalid("SELECT event_id FROM events WHERE timestamp < '2026-11-20T00:00:00Z'").message).toContain('must bound timestamp from below');
    expect(invalid("SELECT event_id FROM events WHERE received_at >= now() - INTERVAL 1 day").message).toContain('must bound timestamp from below');
    expect(invalid("SELECT event_id FROM events WHERE timestamp >= now() - INTERVAL 1 day OR event = 'x'").message).toContain('must bound timestamp from below');
    expect(invalid('SELECT event_id FROM events WHERE timestamp >= now() - INTERVAL 32 days').message)
      .toContain('a query on events may span at most 31 days of timestamp, because every archive file it reads is fetched from object storage; this one spans [2026-10-19T12:00:00Z, 2026-11-20T12:00:00Z) (query rollups for longer windows)');
    // <= includes its instant: one millisecond more than 31 days.
    expect(invalid("SELECT event_id FROM events WHERE timestamp >= '2026-10-01T00:00:00Z' AND timestamp <= '2026-11-01T00:00:00Z'").message)
      .toContain('spans [2026-10-01T00:00:00Z, 2026-11-01T00:00:00.001Z)');
    expect(prepareQuery("SELECT event_id FROM events WHERE timestamp > '2026-10-01T00:00:00Z' AND timestamp <= '2026-11-01T00:00:00Z'", { now }).window.to)
      .toBe(Date.parse('2026-11-01T00:00:00.001Z'));
  });
});
