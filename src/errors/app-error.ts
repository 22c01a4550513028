import { errorCatalogue, type ErrorCode } from './codes.js';
import { errorTexts, type ErrorTexts } from '../i18n/errors/index.js';
import type { Locale } from '../i18n/locale.js';

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
 * What an error says to people: a string (English only, being moved out), or the entry of the error
 * catalogue in the reader's language (`(m) => m.users.notFound`, issue 25).
 */
export type ErrorText = string | ((texts: ErrorTexts) => string);

/**
 * The one error type of twofold's expected failures. `message` is safe for the client, in English
 * (logs, the CLI); `messageIn(locale)` is the same in the reader's language. Anything internal goes
 * into `cause`, which is logged and never sent.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails;
  readonly #text: ErrorText;
  readonly #localized: ((locale: Locale) => string) | undefined;

  constructor(
    code: ErrorCode,
    message: ErrorText,
    options: {
      status?: number;
      details?: ErrorDetails;
      cause?: unknown;
      /** The text in each language, when it comes from elsewhere than the error catalogue (the console's). */
      localized?: (locale: Locale) => string;
    } = {},
  ) {
    super(typeof message === 'string' ? message : message(errorTexts.en), { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? errorCatalogue[code].status;
    this.details = options.details ?? {};
    this.#text = message;
    this.#localized = options.localized;
  }

  /** The message in `locale`; the `code` is the same in every language. */
  messageIn(locale: Locale): string {
    if (this.#localized) return this.#localized(locale);
    if (typeof this.#text === 'function') return this.#text(errorTexts[locale]);
    return this.message;
  }
}

/** Guard clause with type narrowing: `assertThat(user, 'auth.unauthenticated', '...')`. */
export function assertThat(
  condition: unknown,
  code: ErrorCode,
  message: ErrorText,
  options?: ConstructorParameters<typeof AppError>[2],
): asserts condition {
  if (!condition) throw new AppError(code, message, options);
}
