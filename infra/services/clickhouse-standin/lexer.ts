/**
 * Just enough of ClickHouse's lexer to find the clauses the HTTP layer cares about (FORMAT,
 * SETTINGS, input(), KILL QUERY) without being fooled by strings, quoted names or comments.
 */
export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'punct';

export interface Token {
  kind: TokenKind;
  /** Source text; for strings and quoted names, the unescaped content. */
  text: string;
  start: number;
  end: number;
  /** Parenthesis depth at the token (an opening paren carries the outer depth). */
  depth: number;
}

const WORD = /[A-Za-z_$]/;
const WORD_CONT = /[A-Za-z0-9_$]/;
const DIGIT = /[0-9]/;

/** All tokens of `sql`. */
export function tokenize(sql: string): Token[] {
  return [...scan(sql)];
}

/** Tokens of `sql`, lazily: a caller can stop before inline data, which can be megabytes. */
export function* scan(sql: string): Generator<Token> {
  let i = 0;
  let depth = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '-' && sql[i + 1] === '-') { i = lineEnd(sql, i); continue; }
    if (c === '#' && (sql[i + 1] === ' ' || sql[i + 1] === '!')) { i = lineEnd(sql, i); continue; }
    if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"' || c === '`') {
      const { text, end } = readQuoted(sql, i, c);
      i = end;
      yield { kind: c === "'" ? 'string' : 'quoted', text, start, end, depth };
    } else if (WORD.test(c)) {
      while (i < sql.length && WORD_CONT.test(sql[i] as string)) i++;
      yield { kind: 'word', text: sql.slice(start, i), start, end: i, depth };
    } else if (DIGIT.test(c)) {
      while (i < sql.length && /[0-9A-Za-z_.]/.test(sql[i] as string)) i++;
      yield { kind: 'number', text: sql.slice(start, i), start, end: i, depth };
    } else {
      if (c === ')') depth = Math.max(0, depth - 1);
      const outer = depth;
      if (c === '(') depth++;
      i++;
      yield { kind: 'punct', text: c, start, end: i, depth: outer };
    }
  }
}

function lineEnd(sql: string, i: number): number {
  const nl = sql.indexOf('\n', i);
  return nl < 0 ? sql.length : nl + 1;
}

/** A quoted run with backslash escapes and doubled quotes, as ClickHouse reads it. */
function readQuoted(sql: string, i: number, quote: string): { text: string; end: number } {
  let text = '';
  let j = i + 1;
  while (j < sql.length) {
    const c = sql[j] as string;
    if (c === '\\' && j + 1 < sql.length) {
      const n = sql[j + 1] as string;
      text += ({ n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', f: '\f' } as Record<string, string>)[n] ?? n;
      j += 2;
    } else if (c === quote && sql[j + 1] === quote) {
      text += quote;
      j += 2;
    } else if (c === quote) {
      return { text, end: j + 1 };
    } else {
      text += c;
      j++;
    }
  }
  return { text, end: sql.length };
}

/** Case-insensitive keyword test. */
export function isWord(token: Token | undefined, word: string): boolean {
  return token?.kind === 'word' && token.text.toUpperCase() === word;
}
