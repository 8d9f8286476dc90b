import { describe, expect, it } from 'vitest';
import { StrataError } from '../errors';
import { tokenize } from './lexer';
import { MAX_NESTING, MAX_QUERY_LENGTH, parseQuery } from './parser';

/** The StrataError parseQuery throws for `text`. */
function failure(text: string): StrataError {
  try {
    parseQuery(text);
  } catch (err) {
    if (err instanceof StrataError) return err;
    throw err;
  }
  throw new Error(`parsed: ${text}`);
}

const syntax = (text: string) => {
  const err = failure(text);
  expect(err.code).toBe('STRATA_QUERY_SYNTAX');
  return { message: err.message, ...err.details };
};

describe('tokenize', () => {
  it('reads words, numbers, strings with doubled quotes, and operators', () => {
    expect(tokenize("a_1 12.5e-3 'it''s \\ ok' <= <> != >= - .").map((t) => [t.kind, t.value])).toEqual([
      ['word', 'a_1'], ['number', '12.5e-3'], ['string', "it's \\ ok"], ['punct', '<='], ['punct', '<>'], ['punct', '!='],
      ['punct', '>='], ['punct', '-'], ['punct', '.'], ['eof', ''],
    ]);
  });

  it('stops at the first character it has no token for', () => {
    expect(tokenize('a ; b').map((t) => t.kind)).toEqual(['word', 'invalid', 'eof']);
    expect(tokenize("'open").map((t) => [t.kind, t.start, t.end])).toEqual([['invalid', 0, 5], ['eof', 0, 0]]);
  });
});

describe('parseQuery', () => {
  it('parses every clause, keywords in any case', () => {
    const q = parseQuery("select Country AS c, count(*), count(DISTINCT user_id), date_trunc('hour', time) from Rollups where a = 1 and not (b != 'x' or c in (1, 2)) group by 1, c order by 2 desc, c asc, d limit 5");
    expect(q.from).toBe('rollups');
    expect(q.select.map((s) => [s.expr.kind, s.alias])).toEqual([['column', 'c'], ['call', undefined], ['call', undefined], ['call', undefined]]);
    expect(q.select[1]?.expr).toMatchObject({ kind: 'call', name: 'count', star: true, args: [] });
    expect(q.select[2]?.expr).toMatchObject({ kind: 'call', distinct: true, args: [{ kind: 'column', name: 'user_id' }] });
    expect(q.where).toMatchObject({
      kind: 'and',
      parts: [
        { kind: 'compare', op: '=', left: { kind: 'column', name: 'a' }, right: { kind: 'number', value: 1 } },
        { kind: 'not', operand: { kind: 'or', parts: [{ kind: 'compare', op: '!=' }, { kind: 'in', negated: false, list: [{ value: 1 }, { value: 2 }] }] } },
      ],
    });
    expect(q.groupBy).toMatchObject([{ kind: 'number', value: 1 }, { kind: 'column', name: 'c' }]);
    expect(q.orderBy.map((o) => o.descending)).toEqual([true, false, false]);
    expect(q.limit).toEqual({ value: 5, at: q.limit?.at });
  });

  it('parses literals: strings, negative numbers, TIMESTAMP, now() - INTERVAL in every unit spelling', () => {
    const q = parseQuery("SELECT a FROM events WHERE a = 'x''y' AND b = -2.5 AND timestamp > TIMESTAMP '2026-11-20T10:00:00Z' AND c NOT IN (now() - INTERVAL 3 Hours, now() - interval 1 week, now())");
    expect(q.where).toMatchObject({
      parts: [
        { right: { kind: 'string', value: "x'y" } },
        { right: { kind: 'number', value: -2.5 } },
        { left: { kind: 'column', name: 'timestamp' }, right: { kind: 'timestamp', text: '2026-11-20T10:00:00Z' } },
        { kind: 'in', negated: true, list: [{ kind: 'interval', amount: 3, unit: 'hour' }, { kind: 'interval', amount: 1, unit: 'week' }, { kind: 'call', name: 'now' }] },
      ],
    });
  });

  it('reads properties.<name>, keeping the name as written, keywords included', () => {
    expect(parseQuery('SELECT properties.Plan, properties.from FROM events').select.map((s) => s.expr))
      .toMatchObject([{ kind: 'column', name: 'properties', path: 'Plan' }, { kind: 'column', name: 'properties', path: 'from' }]);
  });

  it('keeps AND and OR chains flat', () => {
    const q = parseQuery(`SELECT a FROM t WHERE ${Array.from({ length: 5000 }, () => 'a = 1').join(' OR ')}`);
    expect(q.where).toMatchObject({ kind: 'or' });
    expect(q.where?.kind === 'or' && q.where.parts.length).toBe(5000);
  });
});

describe('syntax errors', () => {
  it('list what was expected where the query went wrong', () => {
    expect(syntax('SELECT country rollups')).toMatchObject({
      position: { offset: 15, line: 1, column: 16 }, expected: ['AS', ',', 'FROM'],
      message: 'syntax error at line 1, column 16: unexpected "rollups"; expected AS, "," or FROM',
    });
    expect(syntax('SELECT')).toMatchObject({ position: { offset: 6, line: 1, column: 7 }, expected: ['expression'] });
    expect(syntax('select a from')).toMatchObject({ expected: ['table (rollups or events)'] });
    expect(syntax('SELECT a FROM rollups foo')).toMatchObject({ position: { offset: 22 }, expected: ['WHERE', 'GROUP BY', 'ORDER BY', 'LIMIT', 'end of query'] });
    expect(syntax("SELECT a FROM rollups WHERE a = 'x' b")).toMatchObject({ expected: ['AND', 'OR', 'GROUP BY', 'ORDER BY', 'LIMIT', 'end of query'] });
    expect(syntax('SELECT a FROM rollups WHERE a b')).toMatchObject({ expected: ['=', '!=', '<', '<=', '>', '>=', '<>', 'NOT IN', 'IN'] });
    expect(syntax('SELECT a FROM rollups WHERE a NOT 1')).toMatchObject({ expected: ['IN'] });
    expect(syntax('SELECT a FROM rollups WHERE a IN 1')).toMatchObject({ expected: ['('] });
    expect(syntax('SELECT a FROM rollups WHERE (a = 1')).toMatchObject({ expected: ['AND', 'OR', ')'], message: expect.stringContaining('the query ends too soon') });
    expect(syntax('SELECT a FROM rollups GROUP 1')).toMatchObject({ expected: ['BY'] });
    expect(syntax('SELECT a FROM rollups ORDER BY a DESC b')).toMatchObject({ expected: [',', 'LIMIT', 'end of query'] });
    expect(syntax('SELECT a FROM rollups LIMIT x')).toMatchObject({ expected: ['number'] });
    expect(syntax('SELECT a FROM rollups LIMIT -1')).toMatchObject({ expected: ['number'] });
    expect(syntax('SELECT a FROM rollups LIMIT 1 2')).toMatchObject({ expected: ['end of query'] });
    expect(syntax('SELECT count(, FROM rollups')).toMatchObject({ position: { column: 14 }, expected: [')', '*', 'DISTINCT', 'expression'] });
    expect(syntax('SELECT a AS FROM rollups')).toMatchObject({ expected: ['alias'] });
    expect(syntax('SELECT properties. FROM events')).toMatchObject({ expected: ['property name'] });
    expect(syntax('SELECT from FROM rollups')).toMatchObject({ position: { column: 8 }, expected: ['expression'] });
    expect(syntax('SELECT a FROM events WHERE timestamp > now() - 1')).toMatchObject({ expected: ['INTERVAL'] });
    expect(syntax('SELECT a FROM events WHERE timestamp > now() - INTERVAL x day')).toMatchObject({ expected: ['number'] });
    expect(syntax('SELECT a FROM events WHERE timestamp > now() - INTERVAL 1 second')).toMatchObject({
      expected: ['minute', 'hour', 'day', 'week'], message: expect.stringContaining('"second" is not a time unit'),
    });
  });

  it('count lines and columns from 1, across newlines', () => {
    expect(syntax('SELECT a,\n  b\nFROM rollups\nWHERE a = = 1')).toMatchObject({ position: { offset: 37, line: 4, column: 11 }, expected: ['expression'] });
  });

  it('explain characters the language has no token for', () => {
    expect(syntax('SELECT * FROM rollups')).toMatchObject({ position: { column: 8 }, message: expect.stringMatching(/SELECT \* is not supported: name the columns.*object storage/) });
    expect(syntax('SELECT a FROM rollups;')).toMatchObject({ position: { column: 22 }, message: expect.stringContaining('a query is one statement, with no ";"') });
    expect(syntax('SELECT a FROM rollups -- hi')).toMatchObject({ position: { column: 23 }, message: expect.stringContaining('comments (--) are not part of the query language') });
    expect(syntax('SELECT a /* x */ FROM rollups')).toMatchObject({ message: expect.stringContaining('comments (/*)'), expected: ['AS', ',', 'FROM'] });
    expect(syntax('SELECT "a" FROM rollups')).toMatchObject({ message: expect.stringContaining('strings take single quotes, and names need no quotes') });
    expect(syntax("SELECT a FROM rollups WHERE a = 'open")).toMatchObject({ position: { column: 33 }, message: expect.stringContaining("never closed with '") });
    expect(syntax('SELECT a\u00a0FROM rollups')).toMatchObject({ position: { column: 9 }, message: expect.stringContaining('unexpected character U+00A0') });
    expect(syntax('SELECT pays\u00e9 FROM rollups')).toMatchObject({ position: { column: 12 }, message: expect.stringContaining('U+00E9') });
    expect(syntax('SELECT a FROM rollups LIMIT 10x')).toMatchObject({ message: expect.stringContaining('"10x" is not a number') });
  });

  it('refuse nesting past the limit instead of exhausting the stack', () => {
    const deep = (n: number) => `SELECT a FROM rollups WHERE ${'('.repeat(n)}a = 1${')'.repeat(n)}`;
    expect(() => parseQuery(deep(MAX_NESTING))).not.toThrow();
    expect(syntax(deep(MAX_NESTING + 1)).message).toContain(`nests deeper than ${MAX_NESTING} levels`);
    expect(syntax(`SELECT a FROM rollups WHERE ${'NOT '.repeat(100_00)}a = 1`).message).toContain('nests deeper');
  });

  it('refuse text past the length limit as invalid', () => {
    const err = failure(`SELECT a FROM rollups WHERE a = '${'x'.repeat(MAX_QUERY_LENGTH)}'`);
    expect(err.code).toBe('STRATA_QUERY_INVALID');
    expect(err.message).toContain(`the maximum is ${MAX_QUERY_LENGTH}`);
  });
});
