/**
 * Errors as ClickHouse's HTTP interface reports them: `Code: N. DB::Exception: … (NAME)` in the
 * body, the code in X-ClickHouse-Exception-Code, and the status ClickHouse derives from the code
 * (src/Server/HTTP/exceptionCodeToHTTPStatus.cpp). @clickhouse/client parses exactly this.
 */
import { parseExceptionText } from '../../olap/errors';

/** An error the stand-in raises itself, in ClickHouse's terms. */
export class StandinError extends Error {
  constructor(readonly code: number, readonly type: string, message: string) {
    super(message);
    this.name = 'StandinError';
  }
}

const STATUS_BY_NAME: Record<string, number> = {};
const statuses: Array<[number, string[]]> = [
  [401, ['REQUIRED_PASSWORD']],
  [403, ['UNKNOWN_USER', 'WRONG_PASSWORD', 'AUTHENTICATION_FAILED', 'SET_NON_GRANTED_ROLE', 'ACCESS_DENIED']],
  [400, ['BAD_ARGUMENTS', 'CANNOT_COMPILE_REGEXP', 'CANNOT_PARSE_TEXT', 'CANNOT_PARSE_ESCAPE_SEQUENCE',
    'CANNOT_PARSE_QUOTED_STRING', 'CANNOT_PARSE_DATE', 'CANNOT_PARSE_DATETIME', 'CANNOT_PARSE_NUMBER',
    'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING', 'CANNOT_PARSE_IPV4', 'CANNOT_PARSE_IPV6', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
    'CANNOT_PARSE_UUID', 'DUPLICATE_COLUMN', 'ILLEGAL_COLUMN', 'UNKNOWN_ELEMENT_IN_AST', 'UNKNOWN_TYPE_OF_AST_NODE',
    'THERE_IS_NO_COLUMN', 'TOO_DEEP_AST', 'TOO_BIG_AST', 'UNEXPECTED_AST_STRUCTURE', 'SYNTAX_ERROR', 'INCORRECT_DATA',
    'TYPE_MISMATCH', 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE']],
  [404, ['UNKNOWN_TABLE', 'UNKNOWN_FUNCTION', 'UNKNOWN_IDENTIFIER', 'UNKNOWN_TYPE', 'UNKNOWN_STORAGE', 'UNKNOWN_DATABASE',
    'UNKNOWN_SETTING', 'UNKNOWN_DIRECTION_OF_SORTING', 'UNKNOWN_AGGREGATE_FUNCTION', 'UNKNOWN_FORMAT',
    'UNKNOWN_DATABASE_ENGINE', 'UNKNOWN_TYPE_OF_QUERY', 'UNKNOWN_ROLE']],
  [413, ['QUERY_IS_TOO_LARGE']],
  [501, ['NOT_IMPLEMENTED']],
  [503, ['SOCKET_TIMEOUT', 'CANNOT_OPEN_FILE', 'CANNOT_SCHEDULE_TASK']],
  [411, ['HTTP_LENGTH_REQUIRED']],
  [408, ['TIMEOUT_EXCEEDED']],
  [415, ['UNSUPPORTED_MEDIA_TYPE']],
];
for (const [status, names] of statuses) for (const name of names) STATUS_BY_NAME[name] = status;

export interface ErrorReply { status: number; code: number; body: string }

/** Any failure as ClickHouse would answer it; engine errors keep their code and name. */
export function errorReply(err: unknown): ErrorReply {
  const { code, type, message } = describe(err);
  const sentence = /[.!?]$/.test(message) ? message : `${message}.`;
  return { status: STATUS_BY_NAME[type] ?? 500, code, body: `Code: ${code}. DB::Exception: ${sentence} (${type})\n` };
}

function describe(err: unknown): { code: number; type: string; message: string } {
  if (err instanceof StandinError) return { code: err.code, type: err.type, message: err.message };
  const text = err instanceof Error ? err.message : String(err);
  // chdb's own errors carry ClickHouse's text; re-rendering it also drops chdb's double wrapping.
  return parseExceptionText(text) ?? { code: 1001, type: 'STD_EXCEPTION', message: text };
}
