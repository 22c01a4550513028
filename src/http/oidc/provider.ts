import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { default as Provider, Configuration } from 'oidc-provider';
import type { AppDeps } from '../deps.js';
import { ACR_LEVELS } from '../../domain/sessions/amr.js';
import { constantTimeEqual, sha256Hex } from '../../crypto/random.js';
import { cookieNames } from '../plugins/cookies.js';
import { documentOf, OidcLogoutPage, OidcMessagePage } from '../console/oidc.pages.js';
import { attachConsole } from './console-context.js';
import { policy } from './policy.js';
import { auditAnswers } from './refusals.js';
import { t } from '../console/messages.js';

/** Where the provider is mounted: its issuer is `<TWOFOLD_PUBLIC_URL>/oidc` (API.md). */
export const OIDC_PREFIX = '/oidc';

/** How long what the provider issues lives, in seconds (oidc-provider's `ttl`). */
const OIDC_TTL = {
  /** RFC 9700 §4.1 / RFC 6749 §4.1.2: a code lives a minute at most. */
  AuthorizationCode: 60,
  AccessToken: 600,
  IdToken: 3600,
  /** A refresh token rotates at each use; unused for 14 days, it expires. */
  RefreshToken: 14 * 86_400,
  Grant: 365 * 86_400,
  Interaction: 900,
  Session: 14 * 86_400,
} as const;

function frameFor(title: string) {
  return { title, csrf: '', signedInAs: null };
}

/** oidc-provider, configured for twofold (decision 029); built again when the signing keys change. */
async function buildProvider(deps: AppDeps): Promise<Provider> {
  const { services, config } = deps;
  // Loaded on the first request under /oidc, not at start: the library warns on every load that it
  // wants Node.js 22 (README "Sign in to your applications"), and the CLI has no use for it.
  const { default: Provider, interactionPolicy } = await import('oidc-provider');
  const { signIn } = services.oidc;
  const cookieKey = createHmac('sha256', config.secretKeys[0]!.key).update('twofold oidc cookies').digest('base64url');
  const configuration: Configuration = {
    adapter: services.oidc.Adapter as unknown as Configuration['adapter'],
    clients: [],
    jwks: { keys: (await services.oidc.keys.current()) as NonNullable<Configuration['jwks']>['keys'] },
    findAccount: async (ctx, sub) => {
      const claims = await signIn.account(sub, ctx.oidc.client?.clientId);
      if (!claims) return undefined;
      return { accountId: sub, claims: async () => claims };
    },
    // acr, amr and auth_time are in every ID token; the rest by scope (OpenID Connect Core §5.4).
    claims: {
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    acrValues: [...ACR_LEVELS],
    // The ID token carries the scopes' claims too, not only userinfo (the issue's contract).
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    // PKCE (RFC 7636) with S256 only; required of public clients, accepted from confidential ones.
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    // Confidential applications are registered for client_secret_basic (RFC 6749 §2.3.1).
    clientAuthMethods: ['none', 'client_secret_basic'],
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256', 'RS256'],
      userinfoSigningAlgValues: ['ES256', 'RS256'],
      requestObjectSigningAlgValues: ['ES256', 'RS256'],
      clientAuthSigningAlgValues: ['ES256', 'RS256'],
    },
    // A grant (the consent) is shared by the user's sessions (loadExistingGrant below), so signing out
    // in one browser must not revoke it: tokens live their own (short) lives, not the session's.
    expiresWithSession: async () => false,
    // RFC 9700 §4.14.2: refresh tokens rotate at every use; reusing an old one revokes the grant.
    rotateRefreshToken: () => true,
    ttl: { ...OIDC_TTL },
    cookies: {
      keys: [cookieKey],
      names: {
        session: cookieNames(config.secureCookies).oidcSession,
        interaction: 'twofold_oidc_interaction',
        resume: 'twofold_oidc_resume',
      },
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    features: {
      devInteractions: { enabled: false },
      // RFC 7009 §2.1: an application revokes only its own tokens; another's are refused.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          const action = /action="([^"]+)"/.exec(form)?.[1] ?? `${OIDC_PREFIX}/session/end/confirm`;
          const xsrf = /name="xsrf" value="([^"]+)"/.exec(form)?.[1] ?? '';
          ctx.type = 'html';
          const app = ctx.oidc.client?.clientName;
          ctx.body = documentOf(
            OidcLogoutPage({
              frame: { ...frameFor(t.oidc.logoutTitle), dev: config.dev },
              action,
              xsrf,
              text: app ? t.oidc.logoutTextFor(app) : t.oidc.logoutText,
            }),
          );
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = documentOf(
            OidcMessagePage({
              frame: frameFor(t.oidc.loggedOutTitle),
              title: t.oidc.loggedOutTitle,
              text: t.oidc.loggedOut,
            }),
          );
        },
      },
    },
    loadExistingGrant: async (ctx) => {
      const clientId = ctx.oidc.client!.clientId;
      const grantId =
        (ctx.oidc.result?.consent as { grantId?: string } | undefined)?.grantId ??
        ctx.oidc.session!.grantIdFor(clientId) ??
        (ctx.oidc.session!.accountId
          ? await services.oidc.grants.find(ctx.oidc.session!.accountId, clientId)
          : undefined);
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    interactions: {
      url: (_ctx, interaction) => `/oidc-login/${interaction.uid}`,
      policy: policy(interactionPolicy, signIn),
    },
    renderError: async (ctx, out) => {
      (ctx.state as { refusal?: string }).refusal = out.error_description ?? out.error;
      ctx.type = 'html';
      const expired =
        out.error === 'invalid_request' && /interaction|session|cookie/i.test(out.error_description ?? '');
      // An unknown application reads exactly like another account's (decision 029): a person learns
      // nothing about which applications exist.
      const unknownClient = out.error === 'invalid_client';
      const badRedirect = /redirect_uri/.test(out.error_description ?? '');
      const title = expired ? t.oidc.expiredTitle : unknownClient ? t.oidc.refusedTitle : t.oidc.errorTitle;
      ctx.body = documentOf(
        OidcMessagePage({
          frame: { ...frameFor(title), dev: config.dev },
          title,
          text: expired
            ? t.oidc.expired
            : unknownClient
              ? t.oidc.refused.other_account
              : badRedirect
                ? t.oidc.badRedirect
                : t.oidc.errorText(out.error_description ?? out.error),
          error: true,
        }),
      );
      // The same status as another account's refusal page.
      if (unknownClient) ctx.status = 400;
    },
    extraTokenClaims: async () => undefined,
    // A browser application (public client) may call the token and userinfo endpoints from the
    // origins of its own redirect URIs, and no other (Fetch Standard CORS; RFC 9700 §2.6).
    clientBasedCORS: (ctx, origin, client) =>
      origin !== 'null' &&
      (ctx.oidc.route === 'userinfo' || client.clientAuthMethod === 'none') &&
      client.redirectUris!.some((uri) => URL.canParse(uri) && new URL(uri).origin === origin),
  };

  const provider = new Provider(`${config.publicUrl}${OIDC_PREFIX}`, configuration);
  // The request's origin headers are set by the handoff below from TWOFOLD_PUBLIC_URL, never a client's.
  provider.proxy = true;
  // A confidential client's secret is kept as its SHA-256 (decision 029): compare hashes, in
  // constant time (the extension point the library's author recommends, panva/node-oidc-provider#631).
  provider.Client.prototype.compareClientSecret = function compare(this: { clientSecret?: string }, actual: string) {
    return typeof this.clientSecret === 'string' && constantTimeEqual(this.clientSecret, sha256Hex(actual));
  };

  auditAnswers(provider, deps);

  provider.on('server_error', (_ctx: unknown, error: Error) => {
    deps.loggerInstance?.error({ err: error }, 'oidc provider error');
  });
  return provider;
}

/**
 * The provider as the rest of the app sees it: one instance, rebuilt when the signing keys change
 * (`twofold oidc keys rotate` on any instance) — at most every 5 seconds it compares the key set.
 */
export function createOidcHost(deps: AppDeps) {
  interface Built {
    provider: Provider;
    version: string;
    handler: ReturnType<Provider['callback']>;
  }
  let current: Built | null = null;
  let building: Promise<Built> | null = null;
  let checkedAt = 0;
  const publicOrigin = new URL(deps.config.publicUrl);

  async function build(): Promise<Built> {
    const provider = await buildProvider(deps);
    // The key set as built (the first build may have created the keys).
    const built = { provider, version: await deps.services.oidc.keys.version(), handler: provider.callback() };
    current = built;
    return built;
  }

  async function ensure(): Promise<Built> {
    const now = Date.now();
    if (current && now - checkedAt < 5000) return current;
    checkedAt = now;
    if (current && (await deps.services.oidc.keys.version()) === current.version) return current;
    building ??= build().finally(() => (building = null));
    return building;
  }

  return {
    provider: async () => (await ensure()).provider,
    /** The provider answers this request itself, from the raw request and response. */
    async handle(request: FastifyRequest, raw: ServerResponse) {
      const { handler } = await ensure();
      const req = attachConsole(request) as IncomingMessage & { originalUrl?: string };
      // The provider sees the configured public origin, whatever Host the request came with: every
      // URL it names (discovery, redirects) is the issuer's, and its cookies are secure behind https.
      // These headers are ours, replacing any a client sent; the address is the one Fastify trusts.
      req.headers.host = publicOrigin.host;
      req.headers['x-forwarded-host'] = publicOrigin.host;
      req.headers['x-forwarded-proto'] = publicOrigin.protocol.slice(0, -1);
      req.headers['x-forwarded-for'] = request.ip;
      req.originalUrl = req.url;
      req.url = req.url!.slice(OIDC_PREFIX.length) || '/';
      await handler(req, raw);
    },
  };
}
export type OidcHost = ReturnType<typeof createOidcHost>;

/**
 * The provider's routes in their own encapsulated scope: no body parser reads the stream before
 * the provider does (its token endpoint answered 415 behind @fastify/formbody), and the CSP's
 * `form-action` is left out — the sign-out question's form goes on to an application.
 */
export async function registerOidcRoutes(app: FastifyInstance, host: OidcHost, securityHeaders: [string, string][]) {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const csp = securityHeaders.find(([name]) => name === 'content-security-policy')?.[1];
    const relaxed = csp
      ?.split(';')
      .filter((d) => !d.trim().startsWith('form-action'))
      .join(';');
    const handoff = async (request: FastifyRequest, reply: { hijack(): void; raw: ServerResponse }) => {
      reply.hijack();
      if (relaxed) reply.raw.setHeader('content-security-policy', relaxed);
      reply.raw.setHeader('cache-control', 'no-store');
      await host.handle(request, reply.raw);
    };
    scope.all(OIDC_PREFIX, { schema: { hide: true } }, handoff);
    scope.all(`${OIDC_PREFIX}/*`, { schema: { hide: true } }, handoff);
  });
}
