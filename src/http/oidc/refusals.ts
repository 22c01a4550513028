import type { default as Provider, KoaContextWithOIDC } from 'oidc-provider';
import type { AppDeps } from '../deps.js';
import { consoleOf } from './console-context.js';

/** What the provider refused in this answer: an OAuth error in JSON, an error page, or a redirect. */
function refusalOf(ctx: KoaContextWithOIDC): string | null {
  const rendered = (ctx.state as { refusal?: string }).refusal;
  if (rendered) return rendered;
  const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
  if (ctx.status >= 400 && body && typeof body === 'object' && typeof body.error === 'string')
    return typeof body.error_description === 'string' ? `${body.error}: ${body.error_description}` : body.error;
  const location = ctx.status >= 300 && ctx.status < 400 ? ctx.response.get('location') : '';
  if (location) {
    try {
      const error = new URL(location).searchParams.get('error');
      if (error) return error;
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Every refusal is audited (`oidc.refused`): a wrong or reused code or refresh token, an unknown
 * client or redirect URI, a bad token at userinfo. RP-initiated logout that the person confirmed
 * signs the browser out of the console too. A middleware around the provider's routes (not its
 * events) so both are written before the answer leaves.
 */
export function auditAnswers(provider: Provider, deps: AppDeps) {
  const { signIn } = deps.services.oidc;
  provider.use(async (koa, next) => {
    await next();
    const ctx = koa as unknown as KoaContextWithOIDC;
    const { principal, meta } = consoleOf(ctx);
    const route = ctx.oidc?.route ?? 'unknown';
    if (route === 'end_session_confirm' && ctx.status === 303 && ctx.oidc?.params?.logout) {
      // Only the console session of the person whose provider session ended: the provider also
      // ends a previous person's session this way when another signs in in the same browser.
      const ended = ctx.oidc.session?.accountId;
      if (principal && ended === principal.userId)
        await signIn.signedOut(principal, ctx.oidc?.client?.clientId ?? null, meta);
      return;
    }
    const refusal = refusalOf(ctx);
    if (!refusal) return;
    try {
      const clientId = ctx.oidc?.client?.clientId ?? null;
      const client = clientId ? await signIn.client(clientId) : undefined;
      // Audited where it concerns someone: a signed-in user of the application's account, or an
      // application that authenticated (the token endpoint, userinfo). An anonymous request naming
      // a public client id writes nothing — it must not fill an owner's log (only the access log).
      const ofAccount = principal !== null && client !== undefined && principal.accountId === client.account_id;
      const authenticatedClient = client !== undefined && route !== 'authorization' && !/invalid_client/.test(refusal);
      if (!ofAccount && !authenticatedClient) return;
      await signIn.refused(
        {
          accountId: client?.account_id ?? null,
          userId: principal && client && principal.accountId === client.account_id ? principal.userId : null,
          clientId,
          reason: refusal,
          endpoint: route,
        },
        meta,
      );
    } catch (error) {
      // An audit write that fails must not turn a refusal into a crash; the refusal still stands.
      deps.loggerInstance?.warn({ err: error }, 'oidc refusal not audited');
    }
  });
}
