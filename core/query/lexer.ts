/**
 * Splits query text into tokens. Anything the language has no token for becomes one `invalid`
 * token (and lexing stops there), so that the parser reports it with the list of what it expected
 * at that point, as for any other wrong token.
 */

export type TokenKind = 'word' | 'number' | 'string' | 'punct' | 'invalid' | 'eof';

export interface Token {
  kind: TokenKind;
  /**
   * word: as written; number: its text; string: the value, '' unescaped; punct: the symbol;
   * invalid: why it is not a token.
   */
  value: string;
  start: number;
  end: number;
}

const PUNCT = ['<=', '>=', '<>', '!=', '(', ')', ',', '.', '*', '=', '<', '>', '-'] as const;

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isWordStart = (c: string) => /[A-Za-z_]/.test(c);
const isWordPart = (c: string) => /[A-Za-z0-9_]/.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const token = isWordStart(c) ? word(text, i)
      : isDigit(c) ? number(text, i)
        : c === "'" ? string(text, i)
          : punct(text, i);
    tokens.push(token);
    if (token.kind === 'invalid') return [...tokens, { kind: 'eof', value: '', start: token.start, end: token.start }];
    i = token.end;
  }
  tokens.push({ kind: 'eof', value: '', start: text.length, end: text.length });
  return tokens;
}

function word(text: string, start: number): Token {
  let end = start + 1;
  while (end < text.length && isWordPart(text[end] as string)) end++;
  return { kind: 'word', value: text.slice(start, end), start, end };
}

const NUMBER = /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

function number(text: string, start: number): Token {
  NUMBER.lastIndex = start;
  const match = NUMBER.exec(text);
  const end = start + (match?.[0].length ?? 1);
  // `10abc` or `1.2.3` is a typo, not a number followed by a name.
  const next = text[end];
  if (next !== undefined && (isWordPart(next) || next === '.')) {
    return invalid(start, end + 1, `"${text.slice(start, end + 1)}" is not a number`);
  }
  return { kind: 'number', value: text.slice(start, end), start, end };
}

/** Standard SQL strings: '' is a quote, and a backslash is just a character. */
function string(text: string, start: number): Token {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const close = text.indexOf("'", i);
    if (close === -1) break;
    value += text.slice(i, close);
    if (text[close + 1] !== "'") return { kind: 'string', value, start, end: close + 1 };
    value += "'";
    i = close + 2;
  }
  return invalid(start, text.length, "this string is never closed with ' (write '' for a quote inside a string)");
}

function punct(text: string, start: number): Token {
  const rest = text.slice(start, start + 2);
  if (rest === '--' || rest === '/*') return invalid(start, start + 2, `comments (${rest}) are not part of the query language`);
  const symbol = PUNCT.find((p) => rest.startsWith(p));
  if (symbol) return { kind: 'punct', value: symbol, start, end: start + symbol.length };
  const c = String.fromCodePoint(text.codePointAt(start) as number);
  return invalid(start, start + c.length, unexpected(c));
}

function unexpected(c: string): string {
  if (c === '"' || c === '`') return `${c} quotes nothing here: strings take single quotes, and names need no quotes`;
  if (c === ';') return 'a query is one statement, with no ";"';
  const code = `U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
  // Invisible or look-alike characters are common in pasted text; the code point shows which.
  return /^[\x21-\x7e]$/.test(c) ? `unexpected character "${c}"` : `unexpected character ${code}`;
}

function invalid(start: number, end: number, why: string): Token {
  return { kind: 'invalid', value: why, start, end };
}
