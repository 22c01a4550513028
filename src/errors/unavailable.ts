/**
 * Recognises errors that mean "the database cannot answer now" rather than "this request is
 * wrong": they become `503 service.unavailable` with Retry-After, never a 500 with a stack
 * (docs/design.md §5: instances answer 503, never a success, while the database is gone). Matched by
 * shape, so no layer has to import a driver to ask.
 */

/** Socket-level failures (Node's errno codes). */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/**
 * PostgreSQL SQLSTATEs (Appendix A of its manual): class 08 connection exceptions, 53300 too many
 * connections, 57014 statement timeout, 57P01-57P03 shutdown or start-up, 40001/40P01
 * serialization failure and deadlock once the store's retries are spent; SQLite's busy timeout.
 */
function isUnavailableCode(code: string): boolean {
  return (
    code.startsWith('08') ||
    ['53300', '57014', '57P01', '57P02', '57P03', '40001', '40P01', 'SQLITE_BUSY'].includes(code)
  );
}

/** Messages node-postgres uses for a lost connection or a timeout; it sets no code on them. */
const driverMessages = [
  'Connection terminated',
  'Query read timeout',
  'timeout exceeded when trying to connect',
  'is not queryable',
  'Cannot use a pool after calling end',
  'Client was closed and is not queryable',
];

export function isDatabaseUnavailable(error: unknown): boolean {
  for (
    let current = error, depth = 0;
    current && depth < 4;
    current = (current as { cause?: unknown }).cause, depth++
  ) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (networkCodes.has(code) || isUnavailableCode(code))) return true;
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string' && driverMessages.some((m) => message.includes(m))) return true;
    if (current instanceof AggregateError && current.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
  }
  return false;
}

/** True for the errors a transaction may simply be run again after (PostgreSQL deadlock, serialization). */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}
