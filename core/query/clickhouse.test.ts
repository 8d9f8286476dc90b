/**
 * The rollups target run for real: compiled SQL on chdb (the ClickHouse engine in-process), over
 * a source subquery shaped like the executor's (minute, tenant, dimensions, measures, users states).
 */
import { Session } from 'chdb';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_IN_DIMENSIONS } from '../dimensions';
import { compileQuery, prepareQuery } from './index';

const now = Date.parse('2026-11-20T12:00:00Z');
const session = new Session();
afterAll(() => session.cleanup());

/** [tenant, minute, event, country, device, events, sessions, revenue, users] */
const ROWS: [string, string, string, string, string, number, number, number, string[]][] = [
  ['t1', '2026-11-20 10:01:00', 'page_view', 'US', 'mobile', 3, 1, 0, ['u1', 'u2']],
  ['t1', '2026-11-20 10:01:00', 'page_view', 'US', 'mobile', 2, 0, 0, ['u2']],
  ['t1', '2026-11-20 10:59:00', 'purchase', 'DE', 'desktop', 1, 1, 12.5, ['u3']],
  ['t1', '2026-11-20 11:30:00', 'page_view', 'DE', 'mobile', 4, 2, 0, ['u3', 'u4']],
  ['t1', '2026-11-01 09:00:00', 'page_view', 'US', 'mobile', 100, 1, 0, ['u5']],
  ['t2', '2026-11-20 10:01:00', 'page_view', 'US', 'mobile', 50, 1, 0, ['u9']],
  ['t3', '2026-11-20 11:31:00', 'click', "it\\'s \\\\ here", 'mobile', 7, 0, 0, []],
];

const SOURCE = `(SELECT tenant, minute, ${BUILT_IN_DIMENSIONS.join(', ')}, events, sessions, revenue,
    arrayReduce('uniqCombinedState', user_ids) AS users
  FROM values('tenant String, minute DateTime(\\'UTC\\'), event String, country String, device String, page String, campaign String,
    events Float64, sessions Float64, revenue Decimal(38, 6), user_ids Array(String)',
    ${ROWS.map(([tenant, minute, event, country, device, events, sessions, revenue, users]) =>
    `('${tenant}', '${minute}', '${event}', '${country}', '${device}', '/', '(none)', ${events}, ${sessions}, ${revenue}, [${users.map((u) => `'${u}'`).join(', ')}])`).join(', ')}))`;

function run(text: string, tenant = 't1'): unknown[] {
  const compiled = compileQuery(prepareQuery(text, { now }), { tenant, source: () => SOURCE });
  const params = Object.fromEntries(Object.entries(compiled.params).map(([k, v]) => [k, String(v)]));
  const out = session.queryBind(compiled.sql, params, 'JSONCompactEachRow');
  return out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);
}

describe('rollups on ClickHouse (chdb)', () => {
  it('sums measures and merges users per group, for the tenant only, over the default 7 days', () => {
    expect(run('SELECT country, sum(events) AS events, sum(sessions), sum(revenue), uniq(users) FROM rollups GROUP BY country ORDER BY events DESC'))
      .toEqual([['US', 5, 1, 0, 2], ['DE', 5, 3, 12.5, 2]]);
  });

  it('buckets time in each unit', () => {
    expect(run("SELECT toStartOfHour(time) AS h, sum(events) FROM rollups WHERE time >= '2026-11-20T00:00:00Z' GROUP BY h ORDER BY h"))
      .toEqual([['2026-11-20 10:00:00', 6], ['2026-11-20 11:00:00', 4]]);
    expect(run("SELECT toStartOfMinute(time), toStartOfDay(time), date_trunc('week', time), date_trunc('month', time), date_trunc('hour', time) FROM rollups ORDER BY 1 LIMIT 1"))
      .toEqual([['2026-11-20 10:01:00', '2026-11-20 00:00:00', '2026-11-16 00:00:00', '2026-11-01 00:00:00', '2026-11-20 10:00:00']]);
  });

  it('applies explicit bounds, NOT, OR, IN, <> and LIMIT', () => {
    expect(run("SELECT sum(events) FROM rollups WHERE time >= now() - INTERVAL 30 day AND time < TIMESTAMP '2026-11-20T11:00:00Z'")).toEqual([[106]]);
    expect(run("SELECT min(time), max(country) FROM rollups WHERE NOT (event = 'purchase' OR country NOT IN ('US', 'DE')) AND device <> 'desktop'"))
      .toEqual([['2026-11-20 10:01:00', 'US']]);
    expect(run('SELECT event, sum(events) FROM rollups GROUP BY 1 ORDER BY 2 LIMIT 1')).toEqual([['purchase', 1]]);
  });

  it('keeps hostile values inert', () => {
    // A backslash escapes a quote in ClickHouse literals but not in this language: it must stay a value.
    expect(run("SELECT sum(events) FROM rollups WHERE country = '\\''; DROP TABLE x; --' OR country = 'US'' OR 1=1 --'")).toEqual([[0]]);
    expect(run("SELECT sum(events) FROM rollups WHERE country = 'US'")).toEqual([[5]]);
    expect(run("SELECT sum(events) FROM rollups WHERE country = 'it''s \\ here'", 't3')).toEqual([[7]]);
  });
});
