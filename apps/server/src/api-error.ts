import type { ApiErrorCode } from '@plantwire/protocol';
import type { ValidationIssue } from '@plantwire/flow';

/** The HTTP status of each API error code (docs/api.md lists them). */
export const STATUS_OF: Readonly<Record<ApiErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  REVISION_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  FLOW_INVALID: 422,
  RATE_LIMITED: 429,
  NOT_SUPPORTED: 501,
  NOT_CONNECTED: 503,
  INJECT_REFUSED: 409,
  INTERNAL: 500,
};

/**
 * An error a route throws to answer with an {@link ApiError} body. Anything else thrown in a
 * route becomes 500 INTERNAL with a message naming what was attempted, never a stack trace.
 */
export class ApiHttpError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly issues: readonly ValidationIssue[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ApiErrorCode, message: string, options: { status?: number; issues?: readonly ValidationIssue[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'ApiHttpError';
    this.code = code;
    this.status = options.status ?? STATUS_OF[code];
    this.issues = options.issues;
    this.headers = options.headers ?? {};
  }
}
