/**
 * Typed errors with stable codes. The HTTP layer maps codes to statuses in one place
 * (api/errors.ts); everything below it only throws these.
 */
export const ERROR_CODES = {
  STRATA_BAD_REQUEST: 400,
  STRATA_INVALID_EVENT: 400,
  STRATA_INVALID_JSON: 400,
  STRATA_INVALID_PARAMETER: 400,
  STRATA_UNKNOWN_METRIC: 400,
  STRATA_UNKNOWN_DIMENSION: 400,
  STRATA_TOO_MANY_POINTS: 400,
  /** Ad-hoc query text that does not parse; details carry `position` and `expected`. */
  STRATA_QUERY_SYNTAX: 400,
  /** Ad-hoc query that parses but asks for something the schema or limits do not allow. */
  STRATA_QUERY_INVALID: 400,
  STRATA_UNAUTHORIZED: 401,
  STRATA_FORBIDDEN: 403,
  STRATA_NOT_FOUND: 404,
  STRATA_PAYLOAD_TOO_LARGE: 413,
  STRATA_UNSUPPORTED_MEDIA_TYPE: 415,
  STRATA_RATE_LIMITED: 429,
  STRATA_INTERNAL: 500,
  STRATA_UNAVAILABLE: 503,
  STRATA_QUERY_TIMEOUT: 504,
  STRATA_INVALID_CONFIG: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class StrataError extends Error {
  readonly code: ErrorCode;
  /** Extra fields carried in the error envelope (e.g. `errors`, `position`). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'StrataError';
    this.code = code;
    this.details = details;
  }
}
