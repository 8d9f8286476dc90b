/**
 * What the HTTP layer needs to know about one statement: its kind, its FORMAT clause, where inline
 * data starts, an input() call, and the `KILL QUERY WHERE query_id = '…'` form it answers itself.
 */
import { isWord, scan, type Token } from './lexer';
import { StandinError } from './errors';

export interface Span { start: number; end: number }

export interface Statement {
  /** First keyword, upper case: SELECT, INSERT, CREATE, KILL, … ("SELECT" for a leading paren). */
  kind: string;
  /** The top-level FORMAT clause. For INSERT it names the data's format, otherwise the output's. */
  format?: Span & { name: string };
  /** INSERT only: the top-level SETTINGS keyword, before which FROM INFILE must go. */
  settingsAt?: number;
  /** INSERT only: `input(…)` and the source text of its arguments. */
  input?: Span & { args: string };
  /** INSERT only: where inline data starts (after FORMAT name or VALUES); the rest is data. */
  dataStart?: number;
  /** KILL QUERY WHERE query_id = '…' [SYNC|ASYNC|TEST]: answered from the stand-in's own registry. */
  killQueryId?: { id: string; mode: string };
}

export function analyse(sql: string): Statement {
  const tokens = scan(sql);
  const first = tokens.next().value as Token | undefined;
  if (!first) throw new StandinError(62, 'SYNTAX_ERROR', 'Empty query');
  const kind = first.text === '(' ? 'SELECT' : first.text.toUpperCase();
  return kind === 'INSERT' ? analyseInsert(sql, tokens) : analyseOther(kind, first, tokens);
}

function analyseInsert(sql: string, tokens: Generator<Token>): Statement {
  const st: Statement = { kind: 'INSERT' };
  const seen: Token[] = [];
  for (const t of tokens) {
    seen.push(t);
    const prev = seen[seen.length - 2];
    if (t.text === '(' && isWord(prev, 'INPUT') && prev?.end === t.start) {
      const close = closingParen(tokens, t.depth, seen);
      st.input = { start: prev.start, end: close.end, args: sql.slice(t.end, close.start) };
    } else if (t.depth === 0 && isWord(t, 'SETTINGS') && st.format === undefined) {
      st.settingsAt ??= t.start;
    } else if (t.depth === 0 && isWord(t, 'VALUES') && !st.input) {
      st.dataStart = t.end;
      return st;
    } else if (t.depth === 0 && t.kind === 'word' && isWord(prev, 'FORMAT') && prev?.depth === 0) {
      st.format = { name: t.text, start: prev.start, end: t.end };
      st.dataStart = t.end;
      return st;
    } else if (t.depth === 0 && t.text === ';') {
      throw multiStatement();
    }
  }
  return st;
}

function closingParen(tokens: Generator<Token>, depth: number, seen: Token[]): Token {
  // next(), not for…of: leaving a for…of would close the generator the caller still reads.
  for (let r = tokens.next(); !r.done; r = tokens.next()) {
    seen.push(r.value);
    if (r.value.text === ')' && r.value.depth === depth) return r.value;
  }
  throw new StandinError(62, 'SYNTAX_ERROR', 'Unbalanced parentheses in input(…)');
}

function analyseOther(kind: string, first: Token, tokens: Generator<Token>): Statement {
  const all: Token[] = [first];
  for (const t of tokens) all.push(t);
  // A trailing semicolon is fine; a second statement is not (ClickHouse's HTTP rule too).
  let end = all.length;
  while (end > 0 && all[end - 1]?.text === ';' && all[end - 1]?.depth === 0) end--;
  if (all.slice(0, end).some((t) => t.text === ';' && t.depth === 0)) throw multiStatement();
  const st: Statement = { kind };
  const name = all[end - 1];
  const keyword = all[end - 2];
  if (name?.kind === 'word' && name.depth === 0 && isWord(keyword, 'FORMAT') && keyword?.depth === 0) {
    st.format = { name: name.text, start: keyword.start, end: name.end };
  }
  if (kind === 'KILL') {
    st.killQueryId = killByQueryId(all.slice(0, st.format ? end - 2 : end));
    // Passed through to chdb, where KILL … SYNC never returns.
    if (!st.killQueryId && all.some((t) => t.depth === 0 && isWord(t, 'SYNC'))) {
      throw new StandinError(48, 'NOT_IMPLEMENTED', "The stand-in supports KILL … SYNC only as KILL QUERY WHERE query_id = '…' SYNC");
    }
  }
  return st;
}

function killByQueryId(t: Token[]): Statement['killQueryId'] {
  const [, query, where, column, eq, id, mode] = t;
  const shape = isWord(query, 'QUERY') && isWord(where, 'WHERE') && isWord(column, 'QUERY_ID') && eq?.text === '=' && id?.kind === 'string';
  const modeName = mode?.text.toUpperCase() ?? 'ASYNC';
  if (!shape || !id || t.length > 7 || !['SYNC', 'ASYNC', 'TEST'].includes(modeName)) return undefined;
  return { id: id.text, mode: modeName };
}

function multiStatement(): StandinError {
  return new StandinError(62, 'SYNTAX_ERROR', 'Multi-statements are not allowed');
}
