import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CookieNames } from '../plugins/cookies.js';

/**
 * An application's sign-in in progress (decision 029): the console pages it passes through — sign
 * in, bind a device, verify — go back to its interaction when they are done, instead of the
 * overview. Signed, so no other site or page can plant a destination; only interaction paths.
 */
export function createContinuation(
  cookies: CookieNames,
  cookieBase: { httpOnly: boolean; sameSite: 'lax'; secure: boolean; path: string },
) {
  const continuation = {
    /**
     * `app`: the application's name, for the sign-in page to say where it leads. `freshSince`: the
     * application asked for a new sign-in; one at or after this time counts.
     */
    set(reply: FastifyReply, path: string, options: { app: string; home?: string; freshSince?: number }) {
      const value = JSON.stringify({
        path,
        app: options.app.slice(0, 100),
        home: options.home ?? null,
        since: options.freshSince ?? null,
      });
      // Longer than the sign-in request lives (15 minutes): a late answer still lands on its page,
      // which says it expired and leads back to the application — not on the console's overview.
      reply.setCookie(cookies.continueTo, value, { ...cookieBase, maxAge: 3600, signed: true });
    },
    read(
      request: FastifyRequest,
    ): { path: string; app: string; home: string | null; freshSince: number | null } | null {
      const signed = request.cookies[cookies.continueTo];
      const unsigned = signed ? request.unsignCookie(signed) : null;
      if (!unsigned?.valid || unsigned.value === null) return null;
      try {
        const { path, app, home, since } = JSON.parse(unsigned.value) as {
          path?: unknown;
          app?: unknown;
          home?: unknown;
          since?: unknown;
        };
        if (typeof path !== 'string' || !/^\/oidc-login\/[A-Za-z0-9_-]{1,64}$/.test(path)) return null;
        return {
          path,
          app: typeof app === 'string' ? app : '',
          home: typeof home === 'string' && /^https?:\/\//.test(home) ? home : null,
          freshSince: typeof since === 'number' ? since : null,
        };
      } catch {
        return null;
      }
    },
    peek(request: FastifyRequest): string | null {
      return continuation.read(request)?.path ?? null;
    },
    clear(reply: FastifyReply) {
      reply.clearCookie(cookies.continueTo, cookieBase);
    },
  };
  return continuation;
}
export type Continuation = ReturnType<typeof createContinuation>;
