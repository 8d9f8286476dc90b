/**
 * No user text reaches SQL except as parameters: hostile values become parameters (the SQL is the
 * same whatever the value), and hostile identifiers are refused. Property tests back both claims,
 * and that the parser only ever answers with an AST or a StrataError.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StrataError } from '../errors';
import { compileQuery, prepareQuery } from './index';

const now = Date.parse('2026-11-20T12:00:00Z');
const DAY = "timestamp >= now() - INTERVAL 1 day";

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** Templates that take one string literal at `$`, across both targets and every place a value goes. */
const TEMPLATES = [
  'SELECT country, sum(events) FROM rollups WHERE country = $ GROUP BY country',
  'SELECT count() FROM events WHERE ' + DAY + ' AND properties.plan IN ($, $) AND NOT (event != $ OR user_id < $)',
  "SELECT event_id FROM events WHERE " + DAY + " AND event_id NOT IN ('a', $)",
];

function compile(text: string, tenant = 'acme') {
  return compileQuery(prepareQuery(text, { now }), { tenant, source: () => 'SRC' });
}

/**
 * Compiles the template with `value` and checks that the SQL is the one a harmless value gives,
 * that the value arrives intact as a parameter, and that the SQL does not hold it.
 */
function assertInert(template: string, value: string): void {
  const harmless = compile(template.replaceAll('$', quote('x')));
  const hostile = compile(template.replaceAll('$', quote(value)));
  expect(hostile.sql).toBe(harmless.sql);
  expect(Object.values(hostile.params)).toContain(value);
  if (!harmless.sql.includes(value)) expect(hostile.sql).not.toContain(value);
}

const ATTACKS = [
  "'; DROP TABLE rollups; --",
  "' OR 1=1 --",
  "\\' OR 1=1 --",
  '\\',
  '\\\\\'\\',
  "US') OR ('1'='1",
  '/* */ OR 1=1',
  '*/ OR 1=1 /*',
  '-- ',
  '; SELECT * FROM system.tables',
  '{q_tenant:String}',
  '$q_tenant',
  '$1',
  "\u2019 OR \u20191\u2019=\u20191",
  '\uff07 OR 1=1',
  '\u0000',
  '\u202e',
  '\ud83d\ude00\ud83d',
  "\n' OR tenant != '",
];

describe('hostile values', () => {
  // Plain it() per case: it.each would read `$…` in a name as a placeholder.
  for (const [i, attack] of ATTACKS.entries()) {
    it(`attack ${i} (${JSON.stringify(attack)}) stays a parameter`, () => {
      for (const template of TEMPLATES) assertInert(template, attack);
    });
  }

  it('a hostile tenant is a parameter too', () => {
    const tenant = "acme' OR '1'='1";
    const q = compile('SELECT sum(events) FROM rollups', tenant);
    expect(q.sql).not.toContain(tenant);
    expect(q.params.q_tenant).toBe(tenant);
  });

  it('aliases never reach SQL', () => {
    const q = compile('SELECT country AS evil_alias_123, sum(events) AS from_users FROM rollups GROUP BY evil_alias_123 ORDER BY from_users');
    expect(q.sql).not.toMatch(/evil_alias_123|from_users/);
    expect(q.columns.map((c) => c.name)).toEqual(['evil_alias_123', 'from_users']);
  });

  it('property names are validated, then bound', () => {
    const q = compile(`SELECT properties.plan_2 FROM events WHERE ${DAY}`);
    expect(q.sql).not.toContain('plan_2');
    expect(q.params.q_0).toBe('$.plan_2');
  });
});

describe('hostile identifiers are refused', () => {
  const refused = [
    'SELECT country) OR 1=1 -- FROM rollups',
    'SELECT sum(events) FROM rollups WHERE country) OR 1=1 -- = 1',
    'SELECT sum(events) FROM rollups; DROP TABLE rollups',
    'SELECT sum(events) FROM rollups WHERE country = 1; --',
    'SELECT sum(events) FROM (SELECT 1)',
    'SELECT sum(events) FROM system.tables',
    'SELECT sum(events) FROM rollups /* x */',
    'SELECT "country" FROM rollups',
    'SELECT `country` FROM rollups',
    'SELECT sum(events) AS "x; DROP" FROM rollups',
    `SELECT properties.plan') OR 1=1 -- FROM events WHERE ${DAY}`,
    `SELECT properties."a b" FROM events WHERE ${DAY}`,
    'SELECT country\\ FROM rollups',
    'SELECT count\u0430ry FROM rollups',
    'SELECT sum(events) FROM rollups WHERE country = $1',
    'SELECT sum(events) FROM rollups WHERE country = {q_tenant:String}',
    "SELECT toStartOfHour(time, 'UTC'); DROP TABLE x FROM rollups",
    "SELECT date_trunc('hour'' OR 1=1 --', time) FROM rollups",
    'SELECT sum(events) FROM rollups WHERE tenant = 1',
    'SELECT sleep(3) FROM rollups',
    'SELECT dims FROM events',
  ];
  for (const text of refused) {
    it(text, () => {
      expect(() => prepareQuery(text, { now })).toThrow(StrataError);
    });
  }
});

/** Whatever `run` throws must be a StrataError; anything else fails the property. */
function onlyStrataErrors(run: () => unknown): boolean {
  try {
    run();
  } catch (err) {
    if (!(err instanceof StrataError)) throw err;
    expect(['STRATA_QUERY_SYNTAX', 'STRATA_QUERY_INVALID']).toContain(err.code);
  }
  return true;
}

/** Fragments of the language, so that random queries get past the first token often. */
const FRAGMENTS = [
  'SELECT', 'FROM', 'WHERE', 'GROUP BY', 'ORDER BY', 'LIMIT', 'AS', 'AND', 'OR', 'NOT', 'IN', 'DESC', 'DISTINCT', 'INTERVAL', 'TIMESTAMP',
  'rollups', 'events', 'time', 'timestamp', 'country', 'events', 'users', 'user_id', 'properties.plan', 'x',
  'count()', 'count(*)', 'sum(events)', 'uniq(users)', 'toStartOfHour(time)', "date_trunc('week', timestamp)", 'now()', 'now() - INTERVAL 1 day',
  '(', ')', ',', '=', '!=', '<>', '<', '>=', '-', '*', '.', '1', '0', '2.5', "'US'", "'2026-11-20T10:00:00Z'", "'", ';', '--', '"', '\u00e9',
];

describe('properties', () => {
  it('for arbitrary text, the parser answers with a query or a StrataError, quickly', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => onlyStrataErrors(() => compile(text))), { numRuns: 2000 });
  });

  it('for arbitrary sequences of the language, the same', () => {
    const query = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 30 }).map((parts) => parts.join(' '));
    const started = Date.now();
    fc.assert(fc.property(query, (text) => onlyStrataErrors(() => compile(text))), { numRuns: 3000 });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('for random well-formed queries, the same, and many of them compile', () => {
    const shapes = {
      rollups: {
        items: ['country', 'time', 'event', 'sum(events)', 'sum(revenue) AS r', 'uniq(users)', 'toStartOfHour(time)', "date_trunc('week', time) AS w", 'max(time)', 'events'],
        conditions: ["country = 'US'", 'time >= now() - INTERVAL 2 day', "event IN ('a', 'b')", "NOT device != 'tv'", "(page = '/' OR campaign = 'x')", "time < '2026-11-20T11:00:00Z'", 'sessions > 1'],
        keys: ['1', '2', 'country', 'event', 'toStartOfHour(time)', 'time', 'r', 'w', 'sum(events)'],
        bound: '',
      },
      events: {
        items: ['country', 'timestamp', 'event', 'count()', 'sum(revenue) AS r', 'count(DISTINCT user_id)', 'properties.plan', "date_trunc('day', timestamp) AS d", 'min(received_at)', 'uniq(user_id)'],
        conditions: ["country = 'US'", "timestamp >= '2026-11-19T00:00:00Z'", 'revenue > 1', "properties.plan IN ('pro')", "NOT (event = 'x' OR user_id < 'u')", "received_at < TIMESTAMP '2026-11-20T11:00:00Z'"],
        keys: ['1', '2', 'country', 'event', 'properties.plan', 'timestamp', 'r', 'd', 'count()'],
        bound: 'timestamp >= now() - INTERVAL 1 day AND ',
      },
    };
    const query = fc.constantFrom('rollups', 'events').chain((table) => {
      const shape = shapes[table as keyof typeof shapes];
      return fc.record({
        items: fc.uniqueArray(fc.constantFrom(...shape.items), { minLength: 1, maxLength: 3 }),
        where: fc.array(fc.constantFrom(...shape.conditions), { maxLength: 3 }),
        or: fc.boolean(),
        group: fc.uniqueArray(fc.constantFrom(...shape.keys), { maxLength: 2 }),
        order: fc.uniqueArray(fc.constantFrom(...shape.keys.map((k) => `${k} DESC`), ...shape.keys), { maxLength: 2 }),
        limit: fc.option(fc.nat(200_000)),
      }).map((q) => [
        `SELECT ${q.items.join(', ')} FROM ${table}`,
        `WHERE ${shape.bound}(${q.where.length > 0 ? q.where.join(q.or ? ' OR ' : ' AND ') : "event != ''"})`,
        q.group.length > 0 ? `GROUP BY ${q.group.join(', ')}` : '',
        q.order.length > 0 ? `ORDER BY ${q.order.join(', ')}` : '',
        q.limit === null ? '' : `LIMIT ${q.limit}`,
      ].join(' '));
    });
    let compiled = 0;
    fc.assert(fc.property(query, (text) => onlyStrataErrors(() => {
      compile(text);
      compiled++;
    })), { numRuns: 3000 });
    expect(compiled).toBeGreaterThan(100);
  });

  it('for arbitrary string literals, the SQL is the same and holds none of them', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom(...TEMPLATES), (value, template) => {
      assertInert(template, value);
    }), { numRuns: 1000 });
  });
});
