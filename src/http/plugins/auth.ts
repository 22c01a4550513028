import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import type { Principal, RequestMeta } from '../../domain/sessions/principal.js';
import type { SessionsService } from '../../domain/sessions/sessions.service.js';
import type { ApiTokensService } from '../../domain/api-tokens/api-tokens.service.js';
import type { ApiScope } from '../../domain/api-tokens/scopes.js';
import { isApiTokenShaped, isWellFormedApiToken } from '../../crypto/api-token.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    authenticatedBy: 'bearer' | 'cookie' | null;
  }
  interface FastifyContextConfig {
    /** 'none': public; 'session': full session; 'restricted-ok': a restricted session may call it too. */
    auth?: 'none' | 'session' | 'restricted-ok';
    /** The one scope an API token needs for this route; without it, no token may call it (decision 031). */
    scope?: ApiScope;
  }
}

export function requestMeta(request: FastifyRequest): RequestMeta {
  const agent = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof agent === 'string' ? agent.slice(0, 256) : null };
}

/** The session token from `Authorization: Bearer` (API clients) or the console's session cookie. */
export function sessionToken(
  request: FastifyRequest,
  cookieName: string,
): { token: string; via: 'bearer' | 'cookie' } | null {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^Bearer\s+/i.test(header))
    return { token: header.replace(/^Bearer\s+/i, '').trim(), via: 'bearer' };
  const cookie = request.cookies?.[cookieName];
  return cookie ? { token: cookie, via: 'cookie' } : null;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A cookie rides along with any cross-site request, so a cookie-authenticated state change must
 * come from our own origin (ASVS 5.0 3.5.2). Bearer tokens are not sent automatically and need no check.
 */
export function originAllowed(request: FastifyRequest, publicUrl: string): boolean {
  const origin = request.headers.origin;
  if (typeof origin !== 'string') {
    // Browsers send Origin on every cross-origin POST; where it is missing, the Referer must be ours.
    const referer = request.headers.referer;
    if (typeof referer !== 'string') return false;
    try {
      return sameOrigin(new URL(referer).origin, request, publicUrl);
    } catch {
      return false;
    }
  }
  return sameOrigin(origin, request, publicUrl);
}

function sameOrigin(origin: string, request: FastifyRequest, publicUrl: string): boolean {
  return origin === publicUrl || origin === `${request.protocol}://${request.host}`;
}

/**
 * A call with an API token (`Bearer tfk_…`): a malformed one is refused before any database read;
 * a route that names no scope refuses every token; the token must hold the route's scope.
 */
async function authenticateToken(
  request: FastifyRequest,
  token: string,
  mode: 'none' | 'session' | 'restricted-ok',
  apiTokens: Pick<ApiTokensService, 'authenticate'>,
): Promise<void> {
  const scope = request.routeOptions.config.scope;
  // A public route ignores a token, as it ignores a session.
  if (mode === 'none' && !scope) return;
  if (!isWellFormedApiToken(token)) throw new AppError('auth.unauthenticated', (m) => m.http.tokenMalformed);
  if (!scope) throw new AppError('token.scope', (m) => m.http.tokenNotAllowed);
  const principal = await apiTokens.authenticate(token);
  if (!principal?.token) throw new AppError('auth.unauthenticated', (m) => m.http.tokenUnknown);
  if (!principal.token.scopes.includes(scope))
    throw new AppError('token.scope', (m) => m.http.tokenScope(scope), {
      details: { scope },
    });
  request.principal = principal;
  request.authenticatedBy = 'bearer';
}

export function createAuthHook(deps: {
  sessions: SessionsService;
  apiTokens: Pick<ApiTokensService, 'authenticate'>;
  publicUrl: string;
  sessionCookie: string;
}) {
  return async function authHook(request: FastifyRequest, _reply: FastifyReply) {
    request.principal = null;
    request.authenticatedBy = null;
    const mode = request.routeOptions.config.auth ?? 'none';
    const found = sessionToken(request, deps.sessionCookie);
    if (found?.via === 'bearer' && isApiTokenShaped(found.token))
      return authenticateToken(request, found.token, mode, deps.apiTokens);
    if (found) {
      const principal = await deps.sessions.authenticate(found.token);
      if (principal) {
        request.principal = principal;
        request.authenticatedBy = found.via;
      }
    }
    if (mode === 'none') return;
    if (!request.principal) throw new AppError('auth.unauthenticated', (m) => m.http.sessionMissing);
    if (
      request.authenticatedBy === 'cookie' &&
      STATE_CHANGING.has(request.method) &&
      !originAllowed(request, deps.publicUrl)
    ) {
      throw new AppError('auth.origin_mismatch', (m) => m.http.otherSite);
    }
    if (request.principal.restricted && mode !== 'restricted-ok') {
      throw new AppError('mfa.enrollment_required', (m) => m.http.bindFirst);
    }
  };
}

/** The principal of a route declared with `auth: 'session'` or `'restricted-ok'`. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('auth.unauthenticated', (m) => m.http.logInFirst);
  return request.principal;
}
