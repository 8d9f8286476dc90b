/**
 * A recursive-descent parser for the ad-hoc query language (grammar in docs/query-language.md).
 *
 * Each place that tests for a token notes it as expected at the current token; a syntax error then
 * lists everything that would have been accepted where the query went wrong, the way a reader
 * needs it ("expected AS, \",\" or FROM"). Tests that only peek ahead (a name followed by `(`)
 * are not noted, so the lists stay short.
 */
import type { CompareOp, Condition, Expr, IntervalUnit, OrderItem, Query, SelectItem } from './ast';
import { invalidError, syntaxError } from './errors';
import { type Token, tokenize } from './lexer';

/** Words that end or join clauses, so they cannot name a column or an alias. */
const RESERVED = new Set(['SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'ORDER', 'LIMIT', 'AS', 'AND', 'OR', 'NOT', 'IN', 'ASC', 'DESC', 'DISTINCT']);

/** Parentheses, NOTs and calls may nest this deep; deeper is refused before the stack is at risk. */
export const MAX_NESTING = 32;

const COMPARE_OPS: readonly CompareOp[] = ['=', '!=', '<', '<=', '>', '>='];

const UNITS: Record<string, IntervalUnit> = {
  MINUTE: 'minute', MINUTES: 'minute', HOUR: 'hour', HOURS: 'hour', DAY: 'day', DAYS: 'day', WEEK: 'week', WEEKS: 'week',
};

/** Longer text is refused before it is read: it bounds the work and the parameters' size. */
export const MAX_QUERY_LENGTH = 65_536;

/** Parses query text; throws StrataError (STRATA_QUERY_SYNTAX, or STRATA_QUERY_INVALID when too long). */
export function parseQuery(text: string): Query {
  if (text.length > MAX_QUERY_LENGTH) {
    throw invalidError(text, MAX_QUERY_LENGTH, `the query is ${text.length} characters long; the maximum is ${MAX_QUERY_LENGTH}`);
  }
  return new Parser(text).query();
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  private expected: string[] = [];
  private expectedAt = -1;
  private depth = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  query(): Query {
    this.keyword('SELECT');
    const select = [this.selectItem()];
    while (this.punct(',')) select.push(this.selectItem());
    this.keyword('FROM');
    const table = this.expectName('table (rollups or events)');
    const query: Query = { select, from: table.value.toLowerCase(), fromAt: table.start, groupBy: [], orderBy: [] };
    if (this.keyword('WHERE', false)) query.where = this.or();
    if (this.keyword('GROUP', false, 'GROUP BY')) {
      this.keyword('BY');
      query.groupBy = this.list(() => this.value());
    }
    if (this.keyword('ORDER', false, 'ORDER BY')) {
      this.keyword('BY');
      query.orderBy = this.list(() => this.orderItem());
    }
    if (this.keyword('LIMIT', false)) {
      const n = this.expectKind('number', 'number');
      query.limit = { value: Number(n.value), at: n.start };
    }
    this.expectKind('eof', 'end of query');
    return query;
  }

  private selectItem(): SelectItem {
    const token = this.peek();
    if (token.kind === 'punct' && token.value === '*') {
      throw syntaxError(this.text, token.start,
        'SELECT * is not supported: name the columns, aggregates or time buckets you want, because rollups hold pre-aggregated ' +
        'measures that only make sense summed, and events reads every column it names from object storage', ['expression']);
    }
    const expr = this.value();
    if (!this.keyword('AS', false)) return { expr, at: token.start };
    const alias = this.expectName('alias');
    return { expr, alias: alias.value, at: token.start };
  }

  private orderItem(): OrderItem {
    const expr = this.value();
    if (this.keyword('DESC', false)) return { expr, descending: true };
    this.keyword('ASC', false);
    return { expr, descending: false };
  }

  private list<T>(item: () => T): T[] {
    const items = [item()];
    while (this.punct(',')) items.push(item());
    return items;
  }

  // Conditions: OR binds loosest, then AND, then NOT, as in SQL.
  // AND and OR collect their operands flat, so that a long chain of them is not a deep tree.
  private or(): Condition {
    const parts = [this.and()];
    while (this.keyword('OR', false)) parts.push(this.and());
    return parts.length === 1 ? parts[0] as Condition : { kind: 'or', parts, at: (parts[0] as Condition).at };
  }

  private and(): Condition {
    const parts = [this.not()];
    while (this.keyword('AND', false)) parts.push(this.not());
    return parts.length === 1 ? parts[0] as Condition : { kind: 'and', parts, at: (parts[0] as Condition).at };
  }

  private not(): Condition {
    const at = this.peek().start;
    if (this.keyword('NOT', false)) return this.nested(() => ({ kind: 'not', operand: this.not(), at }));
    return this.predicate();
  }

  private predicate(): Condition {
    const at = this.peek().start;
    if (this.punct('(')) {
      const inner = this.nested(() => this.or());
      this.expectPunct(')');
      return inner;
    }
    const left = this.value();
    const op = COMPARE_OPS.find((o) => this.punct(o)) ?? (this.punct('<>') ? '!=' : undefined);
    if (op) return { kind: 'compare', op, left, right: this.value(), at };
    const negated = this.keyword('NOT', false, 'NOT IN');
    this.keyword('IN');
    this.expectPunct('(');
    const list = this.list(() => this.value());
    this.expectPunct(')');
    return { kind: 'in', negated, left, list, at };
  }

  /** A column, literal or call, and `now() - INTERVAL n unit`. */
  private value(): Expr {
    const base = this.primary();
    if (base.kind !== 'call' || base.name.toLowerCase() !== 'now' || !this.punct('-')) return base;
    this.keyword('INTERVAL');
    const amount = this.expectKind('number', 'number');
    const unit = this.expectName('time unit (minute, hour, day or week)');
    const singular = UNITS[unit.value.toUpperCase()];
    if (!singular) {
      throw syntaxError(this.text, unit.start, `"${unit.value}" is not a time unit`, ['minute', 'hour', 'day', 'week']);
    }
    return { kind: 'interval', base, amount: Number(amount.value), unit: singular, at: base.at };
  }

  private primary(): Expr {
    const token = this.peek();
    // Literals are noted as part of `expression`, the one name a syntax error gives them.
    if (this.accept('number', (t) => t.kind === 'number', false)) return { kind: 'number', value: Number(token.value), text: token.value, at: token.start };
    if (this.accept('string', (t) => t.kind === 'string', false)) return { kind: 'string', value: token.value, at: token.start };
    if (this.punct('-', false)) {
      const n = this.expectKind('number', 'number');
      return { kind: 'number', value: -Number(n.value), text: `-${n.value}`, at: token.start };
    }
    const name = this.expectName('expression');
    const next = this.peek();
    if (name.value.toUpperCase() === 'TIMESTAMP' && next.kind === 'string') {
      this.i++;
      return { kind: 'timestamp', text: next.value, at: token.start };
    }
    if (next.kind === 'punct' && next.value === '(') {
      this.i++;
      return this.nested(() => this.call(name));
    }
    if (next.kind === 'punct' && next.value === '.') {
      this.i++;
      // Any word may follow the dot, keywords included, since it names a JSON key; so it must
      // follow at once, or `properties. FROM events` would read FROM as the key.
      const path = this.accept('property name', (t) => t.kind === 'word' && t.start === next.end) ?? this.fail();
      return { kind: 'column', name: name.value.toLowerCase(), path: path.value, at: token.start };
    }
    return { kind: 'column', name: name.value.toLowerCase(), at: token.start };
  }

  private call(name: Token): Expr {
    const call = { kind: 'call' as const, name: name.value, args: [] as Expr[], star: false, distinct: false, at: name.start };
    if (this.punct(')')) return call;
    if (this.punct('*')) {
      call.star = true;
    } else {
      call.distinct = this.keyword('DISTINCT', false);
      call.args = this.list(() => this.value());
    }
    this.expectPunct(')');
    return call;
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_NESTING) {
      throw syntaxError(this.text, this.peek().start, `the query nests deeper than ${MAX_NESTING} levels`, []);
    }
    const result = parse();
    this.depth--;
    return result;
  }

  // Token tests. `what` is the name a syntax error lists; `note = false` peeks without noting it.

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private accept(what: string, test: (t: Token) => boolean, note = true): Token | undefined {
    if (note) this.note(what);
    const token = this.peek();
    if (!test(token)) return undefined;
    this.i++;
    return token;
  }

  private note(what: string): void {
    if (this.i !== this.expectedAt) {
      this.expectedAt = this.i;
      this.expected = [];
    }
    if (!this.expected.includes(what)) this.expected.push(what);
  }

  /** Consumes the keyword if it is next; when `required`, fails otherwise. */
  private keyword(word: string, required = true, what = word): boolean {
    const found = this.accept(what, (t) => t.kind === 'word' && t.value.toUpperCase() === word) !== undefined;
    if (!found && required) this.fail();
    return found;
  }

  private punct(symbol: string, note = true): boolean {
    return this.accept(symbol, (t) => t.kind === 'punct' && t.value === symbol, note) !== undefined;
  }

  private expectPunct(symbol: string): void {
    if (!this.punct(symbol)) this.fail();
  }

  private expectKind(kind: Token['kind'], what: string): Token {
    return this.accept(what, (t) => t.kind === kind) ?? this.fail();
  }

  /** A word that is not a reserved keyword: a column, function, table, alias or unit. */
  private expectName(what: string): Token {
    return this.accept(what, (t) => t.kind === 'word' && !RESERVED.has(t.value.toUpperCase())) ?? this.fail();
  }

  private fail(): never {
    const token = this.peek();
    const expected = this.expectedAt === this.i ? this.expected : [];
    throw syntaxError(this.text, token.start, found(token), expected);
  }
}

function found(token: Token): string {
  switch (token.kind) {
    case 'eof': return 'the query ends too soon';
    case 'invalid': return token.value;
    case 'string': return 'unexpected string';
    case 'number': return `unexpected number ${token.value}`;
    default: return `unexpected "${token.value}"`;
  }
}
