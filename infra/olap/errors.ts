/**
 * The error both OlapStore adapters reject with when the engine refuses a query, so callers can
 * branch on `type` (TIMEOUT_EXCEEDED, SYNTAX_ERROR, …) whichever adapter runs.
 */
export class OlapQueryError extends Error {
  /** The ClickHouse exception code, e.g. 159. */
  readonly code: number;
  /** The ClickHouse exception name, e.g. "TIMEOUT_EXCEEDED". */
  readonly type: string;

  constructor(code: number, type: string, message: string, options?: { cause?: unknown }) {
    super(`Code: ${code}. DB::Exception: ${message} (${type})`, options);
    this.name = 'OlapQueryError';
    this.code = code;
    this.type = type;
  }
}

// The name closes the text; chdb wraps some errors ("Code: 108. …: Code: 108. … (NAME) (version …). (NAME)").
const TYPE_AT_END = /\s*\(([A-Z][A-Z0-9_]*)\)\s*$/;
const VERSION_AT_END = /\s*\(version [^()]*\)\.?\s*$/;

/** Parses ClickHouse's `Code: N. DB::Exception: … (NAME)` text; undefined when it is not one. */
export function parseExceptionText(text: string): { code: number; type: string; message: string } | undefined {
  const code = /^\s*Code: (\d+)\./.exec(text)?.[1];
  const type = TYPE_AT_END.exec(text)?.[1];
  if (code === undefined || type === undefined) return undefined;
  const at = text.lastIndexOf('DB::Exception: ');
  let message = at >= 0 ? text.slice(at + 'DB::Exception: '.length) : text;
  for (let prev = ''; prev !== message;) {
    prev = message;
    message = message.replace(TYPE_AT_END, '').replace(VERSION_AT_END, '');
  }
  return { code: Number(code), type, message: message.trim() };
}

/** An engine error as an OlapQueryError; anything else (aborts, bugs) passes through unchanged. */
export function toOlapError(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof OlapQueryError || err.name === 'AbortError') return err;
  const parsed = parseExceptionText(err.message);
  return parsed ? new OlapQueryError(parsed.code, parsed.type, parsed.message, { cause: err }) : err;
}
