import { createHmac } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifySchema, type RouteOptions } from 'fastify';
import { ErrorResponse } from './api/schemas.js';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import swagger from '@fastify/swagger';
import type { AppDeps } from './deps.js';
import { AppError } from '../errors/app-error.js';
import { createAuthHook } from './plugins/auth.js';
import { cookieNames } from './plugins/cookies.js';
import { createUploadGate } from './plugins/multipart.js';
import { AccessLogController } from './plugins/access-log.js';
import { clientErrorHandler, frameworkErrorHandler, registerErrorHandling, sendAppError } from './plugins/errors.js';
import { registerAccountRoutes } from './api/accounts.routes.js';
import { registerSessionRoutes } from './api/sessions.routes.js';
import { registerMfaRoutes } from './api/mfa.routes.js';
import { registerDeviceRoutes } from './api/devices.routes.js';
import { registerStepUpRoutes } from './api/step-up.routes.js';
import { registerAuditRoutes } from './api/audit.routes.js';
import { registerUserRoutes } from './api/users.routes.js';
import { registerRecoveryRoutes } from './api/recovery.routes.js';
import { registerSupportRoutes } from './api/support.routes.js';
import { registerWorkspaceRoutes } from './api/workspaces.routes.js';
import { registerDevRoutes } from './api/dev.routes.js';
import { registerConsole, renderConsoleError } from './console/index.js';
import { createOidcHost, registerOidcRoutes } from './oidc/provider.js';
import { registerOidcClientRoutes } from './api/oidc-clients.routes.js';
import { registerApiTokenRoutes } from './api/api-tokens.routes.js';
import { registerWebhookRoutes } from './api/webhooks.routes.js';

export type { AppConfig, AppDeps } from './deps.js';

/** Log redaction: no token, cookie or secret in a log line (docs/design.md §2.8). Bodies are never logged. */
export const logRedactPaths = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];

function containsNul(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 8 || value === null || typeof value !== 'object') return false;
  return Object.entries(value as Record<string, unknown>).some(
    ([key, inner]) => key.includes('\u0000') || containsNul(inner, depth + 1),
  );
}

/** The headers a connect-style middleware sets, run once against a stand-in response. */
function recordHeaders(
  middleware: (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void,
): [string, string][] {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string | number | string[]) =>
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value)),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  };
  let failure: unknown;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error) => (failure = error));
  if (failure) throw failure;
  return [...headers];
}

function describeOperation(route: RouteOptions) {
  const schema = route.schema as
    | (FastifySchema & {
        operationId?: string;
        security?: unknown[];
        summary?: string;
        description?: string;
        hide?: boolean;
        response?: Record<string, Record<string, unknown>>;
      })
    | undefined;
  if (!schema || schema.hide) return;
  const method = (Array.isArray(route.method) ? route.method[0]! : route.method).toLowerCase();
  const words = route.url
    .replace(/^\/api\/v1\//, '')
    .split(/[/-]/)
    .filter(Boolean)
    .map((w) => (w.startsWith(':') ? `by-${w.slice(1)}` : w));
  schema.operationId ??= [method, ...words]
    .map((w, i) => (i === 0 ? w : w.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())))
    .join('');
  if (
    (route.config as { auth?: string } | undefined)?.auth === undefined ||
    (route.config as { auth?: string }).auth === 'none'
  )
    schema.security = [];
  // Which API token scope the operation takes (decision 031); without one, no token may call it.
  const scope = (route.config as { scope?: string } | undefined)?.scope;
  schema.description = [schema.description, scope ? `API tokens need the scope \`${scope}\`.` : null]
    .filter(Boolean)
    .join(' ');
  if (!schema.description) delete schema.description;
  // A copy per route: response schemas are shared between routes and must not carry one route's text.
  for (const [status, response] of Object.entries(schema.response ?? {})) {
    if (status.startsWith('2') && !response.description)
      schema.response![status] = { ...response, description: schema.summary ?? 'Success' };
  }
}

/** Builds the app; never listens (the fastify Testing guide's app/server split). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Security headers from helmet, computed once: none depends on the request (no CSP nonces), so
  // its middleware runs once at start against a recorder, and each request copies the result.
  // (@fastify/helmet rebuilt the middleware and re-parsed the CSP on every request: ~20 µs.)
  const securityHeaders = recordHeaders(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'default-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'style-src': ["'self'"],
          'script-src': ["'self'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
          // The console serves no fonts; helmet's default also allows any https: host and data:.
          'font-src': ["'self'"],
          // Only behind https: on a plain http:// deployment the browser would rewrite our own CSS and
          // form posts to https://, which nothing answers (the console loaded unstyled and logins hung).
          'upgrade-insecure-requests': deps.config.secureCookies ? [] : null,
        },
      },
      // HSTS likewise only when the public URL is https:// (RFC 6797 §7.2: ignored over http anyway).
      // includeSubDomains (RFC 6797 §6.1.2) binds every host under ours to https for a year: only by
      // the operator's choice, since other services under the same domain may not speak it.
      strictTransportSecurity: deps.config.secureCookies
        ? { maxAge: 31_536_000, includeSubDomains: deps.config.hstsIncludeSubDomains }
        : false,
      // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` on our own form
      // posts, and the origin check needs the real one. Other sites still learn nothing.
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  const app = Fastify({
    ...(deps.loggerInstance ? { loggerInstance: deps.loggerInstance } : { logger: deps.logger ?? false }),
    logController: new AccessLogController(),
    // fastify accepts a hop count too (proxy-addr), though its types omit it.
    trustProxy: deps.config.trustProxy as boolean | string[],
    bodyLimit: 64 * 1024, // 64 KiB: every body we accept is a few hundred bytes
    // The router's own refusals (bad %-encoding, a segment over 100 characters) in our error shape.
    frameworkErrors: frameworkErrorHandler(securityHeaders, renderConsoleError),
    // …and Node's HTTP parser's (malformed requests, oversized headers) likewise.
    clientErrorHandler,
    ajv: {
      // Extra fields are refused, not silently dropped; "123456" and 123456 are different things.
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false },
    },
  });

  // Signs what only the server may write into a cookie (the console's flash of a refused form):
  // a key derived from the instance key, so nothing another host plants is shown (decision 024).
  await app.register(cookie, {
    secret: createHmac('sha256', deps.config.secretKeys[0]!.key).update('twofold cookie signing').digest(),
  });
  app.decorate('uploadGate', createUploadGate());
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of securityHeaders) reply.raw.setHeader(name, value);
    done();
  });
  // The shared error schema: every route's error responses point at it.
  app.addSchema(ErrorResponse);
  await app.register(swagger, {
    // Shared schemas keep their own names under components.schemas.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'twofold API',
        version: '1',
        description: 'Accounts, password login and virtual MFA. The contract: docs/API.md in the source repository.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: cookieNames(deps.config.secureCookies).session },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
  });

  registerErrorHandling(app, renderConsoleError);
  // PostgreSQL text cannot hold NUL, and no field of ours has a use for it: refuse it everywhere
  // with a 400 before any handler runs (found by the randomized bad-input run).
  app.addHook('preValidation', async (request) => {
    for (const [part, value] of [
      ['body', request.body],
      ['querystring', request.query],
      ['params', request.params],
    ] as const) {
      if (containsNul(value, 0)) {
        throw new AppError('validation.failed', (m) => m.http.nulCharacter, {
          details: { fields: [{ path: part, message: 'must not contain NUL (\\u0000)' }] },
        });
      }
    }
  });
  app.addHook(
    'preHandler',
    createAuthHook({
      sessions: deps.services.sessions,
      apiTokens: deps.services.apiTokens,
      publicUrl: deps.config.publicUrl,
      sessionCookie: cookieNames(deps.config.secureCookies).session,
    }),
  );

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const readiness = await deps.services.health.readiness();
    if (readiness.ready) return { status: 'ready' };
    reply.header('cache-control', 'no-store');
    return sendAppError(
      reply,
      new AppError('service.unavailable', readiness.message, {
        details: { retryAfterSeconds: 5, reason: readiness.reason },
      }),
    );
  });
  // Every answer counted by route template and status (the metrics; no path, id or address).
  app.addHook('onResponse', async (request, reply) => {
    deps.services.metrics.request(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
  });
  // While shutting down, every answer closes its connection, so keep-alive clients move on.
  app.addHook('onSend', async (_request, reply) => {
    if (deps.services.health.draining) reply.header('connection', 'close');
  });

  await app.register(
    async (api) => {
      // OpenAPI per operation: a stable operationId, public endpoints marked as needing no
      // authentication, and the summary as the description of the success response.
      api.addHook('onRoute', (route) => describeOperation(route));
      // The API speaks JSON only; forms and text belong to the console (API.md conventions).
      api.addHook('onRequest', async (request, reply) => {
        // Answers carry tokens, challenges, secrets or personal data: no cache keeps any of them
        // (RFC 9111 §5.2.2.5), including the login answers with their session token or challenge.
        reply.header('cache-control', 'no-store');
        const type = request.headers['content-type'];
        // One route takes files: a lost-device ticket's evidence (API.md "Recovery").
        if (request.routeOptions.config.multipart && type !== undefined && /^multipart\/form-data\s*;/i.test(type))
          return;
        if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
          throw new AppError('request.unsupported_media_type', (m) => m.http.sendJson);
        }
      });
      registerAccountRoutes(api, deps.services);
      registerSessionRoutes(api, deps.services);
      registerStepUpRoutes(api, deps.services);
      registerDeviceRoutes(api, deps.services);
      registerMfaRoutes(api, deps.services);
      registerAuditRoutes(api, deps.services);
      registerUserRoutes(api, deps.services);
      registerWorkspaceRoutes(api, deps.services);
      registerRecoveryRoutes(api, deps.services);
      registerSupportRoutes(api, deps.services);
      registerOidcClientRoutes(api, deps.services);
      registerApiTokenRoutes(api, deps.services);
      registerWebhookRoutes(api, deps.services);
      if (deps.config.dev) registerDevRoutes(api, deps.services);
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    },
    { prefix: '/api/v1' },
  );

  // twofold as an OpenID Provider (decision 029): the protocol under /oidc, the sign-in on the console.
  const oidc = createOidcHost(deps);
  await registerOidcRoutes(app, oidc, securityHeaders);
  await app.register(async (consoleApp) => registerConsole(consoleApp, deps, oidc));
  return app;
}
