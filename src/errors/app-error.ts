import { errorCatalogue, type ErrorCode } from './codes.js';

/** Extra fields that go inside the `error` object of a response (API.md conventions). */
export interface ErrorDetails {
  retryAfterSeconds?: number;
  methods?: string[];
  /** The sensitive operation that asked for a step-up (docs/sensitive-operations.md). */
  operation?: string;
  hint?: 'clock_skew';
  /** Why an instance is not ready (GET /readyz). */
  reason?: 'shutting_down' | 'database_unreachable' | 'schema_behind';
  fields?: { path: string; message: string }[];
  /** The API token scope the call needs (`403 token.scope`). */
  scope?: string;
}

/**
 * The one error type of twofold's expected failures. `message` is safe for the client; anything
 * internal goes into `cause`, which is logged and never sent.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails;

  constructor(
    code: ErrorCode,
    message: string,
    options: { status?: number; details?: ErrorDetails; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? errorCatalogue[code].status;
    this.details = options.details ?? {};
  }
}

/** Guard clause with type narrowing: `assertThat(user, 'auth.unauthenticated', '...')`. */
export function assertThat(
  condition: unknown,
  code: ErrorCode,
  message: string,
  options?: ConstructorParameters<typeof AppError>[2],
): asserts condition {
  if (!condition) throw new AppError(code, message, options);
}
