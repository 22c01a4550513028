import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { DEFAULT_LOCALE, type Locale } from '../../i18n/locale.js';
import { apiLocaleOf } from './locale.js';
import { isDatabaseUnavailable, isRetryableConflict } from '../../errors/unavailable.js';

/** The `{error:{code, message, …}}` body; `message` in the caller's language (`Accept-Language`, issue 25). */
export function errorBody(error: AppError, locale: Locale = DEFAULT_LOCALE) {
  return { error: { code: error.code, message: error.messageIn(locale), ...error.details } };
}

export function sendAppError(reply: FastifyReply, error: AppError) {
  if (error.details.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(error.details.retryAfterSeconds));
  // The same request may answer in several languages: caches must keep them apart (RFC 9110 §12.5.5).
  reply.header('vary', 'accept-language');
  return reply
    .status(error.status)
    .type('application/json; charset=utf-8')
    .send(errorBody(error, apiLocaleOf(reply.request)));
}

/**
 * Turns everything thrown into the `{error:{code,message}}` contract. Framework 4xx (bad JSON,
 * schema, size, media type) get stable codes; anything unexpected is a 500 with no detail in the
 * response and the full error in the log (docs/design.md §2.10, ASVS 5.0 16.5.1).
 */
export function toAppError(error: FastifyError | AppError | Error): AppError {
  if (error instanceof AppError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const fields = fastifyError.validation.slice(0, 5).map((v) => ({
      path: `${fastifyError.validationContext === 'body' ? '' : `${fastifyError.validationContext}:`}${v.instancePath || '/'}`,
      message:
        v.keyword === 'additionalProperties'
          ? `unknown field "${(v.params as { additionalProperty?: string }).additionalProperty}"`
          : (v.message ?? 'is not valid'),
    }));
    return new AppError(
      'validation.failed',
      (m) => m.http.invalidRequestFields(fields.map((f) => `${f.path} ${f.message}`).join('; ')),
      { details: { fields } },
    );
  }
  switch (fastifyError.code) {
    case 'FST_ERR_BAD_URL':
      return new AppError('request.invalid_url', (m) => m.http.invalidPercentEncoding);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('request.invalid_url', (m) => m.http.paramTooLong);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('request.invalid_json', (m) => m.http.invalidJson);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('validation.failed', (m) => m.http.emptyBody);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('request.too_large', (m) => m.http.bodyTooLarge);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('request.unsupported_media_type', (m) => m.http.sendJson);
  }
  if (error instanceof SyntaxError || fastifyError.statusCode === 400) {
    return new AppError('request.invalid_json', (m) => m.http.invalidJson);
  }
  if (fastifyError.statusCode === 413) return new AppError('request.too_large', (m) => m.http.bodyTooLarge);
  if (fastifyError.statusCode === 415) return new AppError('request.unsupported_media_type', (m) => m.http.sendJson);
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new AppError('validation.failed', (m) => m.http.invalidRequest);
  }
  if (isRetryableConflict(error)) {
    // Still conflicting after the store's retries: contention, not a fault of the request.
    return new AppError('service.unavailable', (m) => m.http.busy, { details: { retryAfterSeconds: 1 }, cause: error });
  }
  if (isDatabaseUnavailable(error)) {
    return new AppError('service.unavailable', (m) => m.http.databaseUnreachable, {
      details: { retryAfterSeconds: 5 },
      cause: error,
    });
  }
  return new AppError('internal.error', (m) => m.http.internal, { cause: error });
}

/**
 * Fastify answers what its router refuses (bad %-encoding, an over-long path segment) before any
 * hook runs, in a body of its own; this sends those in the contract's shape, with the headers every
 * other answer carries.
 */
export function frameworkErrorHandler(
  headers: [string, string][],
  renderConsoleError?: (reply: FastifyReply, error: AppError) => unknown,
) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    for (const [name, value] of headers) reply.header(name, value);
    return answerError(error, request, reply, renderConsoleError);
  };
}

function answerError(
  error: Error,
  request: FastifyRequest,
  reply: FastifyReply,
  renderConsoleError?: (reply: FastifyReply, error: AppError) => unknown,
) {
  const appError = toAppError(error);
  if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: appError.code }, 'request refused');
  if (renderConsoleError && isConsolePath(request.url)) return renderConsoleError(reply, appError);
  return sendAppError(reply, appError);
}

export function registerErrorHandling(
  app: FastifyInstance,
  renderConsoleError?: (reply: FastifyReply, error: AppError) => unknown,
) {
  app.setErrorHandler((error, request, reply) => answerError(error as Error, request, reply, renderConsoleError));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const error = new AppError('request.not_found', (m) => m.http.noRoute(request.method, path));
    // People who mistype a console address get a page, not JSON; API clients keep the contract.
    return renderConsoleError && isConsolePath(path) ? renderConsoleError(reply, error) : sendAppError(reply, error);
  });
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (a broken request line, headers over
 * 16 KiB, a request that never finished arriving): answered on the socket in the contract's shape
 * — Fastify's default body says `"Client Error"` — then the connection closes.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const appError =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new AppError('request.headers_too_large', (m) => m.http.headersTooLarge)
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AppError('request.timeout', (m) => m.http.timeout)
        : new AppError('request.invalid_http', (m) => m.http.invalidHttp);
  const body = JSON.stringify(errorBody(appError));
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${appError.status} ${STATUS_CODES[appError.status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n' +
        body,
    );
  socket.destroy();
}

/** Console pages are everything but the API and the health probes. */
function isConsolePath(url: string): boolean {
  return !url.startsWith('/api/') && !url.startsWith('/healthz') && !url.startsWith('/readyz');
}
