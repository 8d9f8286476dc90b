/**
 * The two ways a query is refused, both 400s: STRATA_QUERY_SYNTAX when the text does not parse
 * (with where, and what would have been accepted there), STRATA_QUERY_INVALID when it parses but
 * asks for something the schema or the limits do not allow.
 */
import { StrataError } from '../errors';

/**
 * Where in the query text. `offset` is 0-based and `column` 1-based, both in UTF-16 code units (as
 * JavaScript and JSON clients index strings); `line` is 1-based and only `\n` starts a new one.
 */
export interface QueryPosition {
  offset: number;
  line: number;
  column: number;
}

export function positionAt(text: string, offset: number): QueryPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { offset, line, column: offset - lineStart + 1 };
}

const where = (p: QueryPosition) => `line ${p.line}, column ${p.column}`;

/** `expected` lists tokens (`FROM`, `,`) and productions (`expression`, `end of query`). */
export function syntaxError(text: string, offset: number, problem: string, expected: readonly string[]): StrataError {
  const position = positionAt(text, offset);
  const wanted = expected.length === 0 ? '' : `; expected ${listOr(expected)}`;
  return new StrataError('STRATA_QUERY_SYNTAX', `syntax error at ${where(position)}: ${problem}${wanted}`, {
    position,
    expected: [...expected],
  });
}

export function invalidError(text: string, offset: number, problem: string): StrataError {
  const position = positionAt(text, offset);
  return new StrataError('STRATA_QUERY_INVALID', `invalid query at ${where(position)}: ${problem}`, { position });
}

/** `a`, `a or b`, `a, b or c`; tokens that are punctuation are quoted so they read as tokens. */
export function listOr(items: readonly string[]): string {
  const shown = items.map((item) => (/^[a-z ]+$|^[A-Z]/.test(item) ? item : `"${item}"`));
  return shown.length <= 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
}
