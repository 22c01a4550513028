import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Every cookie twofold sets, named in one place. Behind https (RFC 6265bis §4.1.3) a cookie that
 * covers the whole site gets the `__Host-` prefix — the browser then takes it only from this very
 * host, over https, with `Path=/` and no `Domain`, so neither a sibling subdomain nor a plain-http
 * page can plant or shadow a session or CSRF cookie; a cookie scoped to one path (the pending
 * login, a link's secret) cannot carry `__Host-` and gets `__Secure-`. Over plain http (a local
 * trial) browsers refuse both prefixes, so the names stay bare.
 */
export interface CookieNames {
  session: string;
  csrf: string;
  /** The pending login between password and code, on /login only. */
  challenge: string;
  /** A secret that came in a link (reset, ticket status, cancel), on that link's path only. */
  link: string;
  /** The lost-phone form's login and code verification, on /recovery/ticket only. */
  recoveryForm: string;
  /** A refused form's message and typed values, for the page it redirects to (post/redirect/get). */
  flash: string;
  /** The second login step's methods (code, passkey, recovery code), on /login only (signed). */
  secondStep: string;
  /** An application's sign-in in progress: where the console returns once signed in (signed). */
  continueTo: string;
  /** The OpenID Provider's own session (oidc-provider sets it; signing out of the console ends it). */
  oidcSession: string;
}

export function cookieNames(secure: boolean): CookieNames {
  const host = secure ? '__Host-' : '';
  const scoped = secure ? '__Secure-' : '';
  return {
    session: `${host}twofold_session`,
    csrf: `${host}twofold_csrf`,
    challenge: `${scoped}twofold_challenge`,
    link: `${scoped}twofold_link`,
    recoveryForm: `${scoped}twofold_recovery`,
    flash: `${scoped}twofold_flash`,
    secondStep: `${scoped}twofold_second_step`,
    continueTo: `${host}twofold_continue`,
    oidcSession: 'twofold_oidc_session',
  };
}

/**
 * A secret that arrives in a link's query (a reset link, a ticket's status or cancel link) leaves
 * the address at the first request: it moves into an HttpOnly cookie scoped to that page's path
 * and lasting `maxAgeSeconds`, and the page reloads without it. So no Referer, browser history,
 * proxy or access log holds it after that first request (decision 023; OWASP Forgot Password Cheat
 * Sheet "Referrer Policy"). The page then reads it with `read` and forgets it with `drop`.
 */
export function createLinkSecrets(names: CookieNames, secure: boolean) {
  const options = (path: string) => ({ httpOnly: true, sameSite: 'lax' as const, secure, path });
  return {
    /** Moves `secret` into the cookie for `path` and redirects there (303, no query). */
    stash(reply: FastifyReply, path: string, secret: string, maxAgeSeconds: number) {
      reply.setCookie(names.link, secret, { ...options(path), maxAge: maxAgeSeconds });
      reply.header('referrer-policy', 'no-referrer');
      return reply.redirect(path, 303);
    },
    read(request: FastifyRequest): string | null {
      const value = request.cookies[names.link];
      return value && value.length <= 400 ? value : null;
    },
    drop(reply: FastifyReply, path: string) {
      reply.clearCookie(names.link, options(path));
    },
  };
}
export type LinkSecrets = ReturnType<typeof createLinkSecrets>;
