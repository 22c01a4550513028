import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionResults } from 'oidc-provider';
import { requestMeta } from '../plugins/auth.js';
import type { OidcHost } from '../oidc/provider.js';
import type { OidcClient } from '../../domain/oidc/sign-in.js';
import type { ConsoleKit } from './kit.js';
import { ConsentPage, ContinueToAppPage, OidcMessagePage, OidcRefusedPage } from './oidc.pages.js';
import { textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

type Interaction = Awaited<ReturnType<Awaited<ReturnType<OidcHost['provider']>>['interactionDetails']>>;

/**
 * An application's sign-in, on the console's own pages (issue 23, decision 029). oidc-provider
 * sends the browser to `/oidc-login/<uid>`; this page looks at the console session the browser has
 * and either sends it through the console's sign-in, binding or verification (which come back here
 * when done), refuses it, asks for consent, or hands the provider its result.
 */
export function registerOidcPages(app: FastifyInstance, kit: ConsoleKit, oidc: OidcHost) {
  const { services } = kit;
  const { signIn } = services.oidc;
  // The page itself decides what a signed-out or restricted browser sees.
  const open = { page: 'public' as const };
  const path = (uid: string) => `/oidc-login/${uid}`;
  /** Where the application lives: the origin of its first redirect URI (a link back, never a redirect). */
  const homeOf = (client: OidcClient) => {
    const first = (JSON.parse(client.redirect_uris) as string[])[0];
    return first && URL.canParse(first) ? `${new URL(first).origin}/` : undefined;
  };

  async function interactionOf(request: FastifyRequest, reply: FastifyReply): Promise<Interaction | null> {
    const { uid } = request.params as { uid: string };
    try {
      const details = await (await oidc.provider()).interactionDetails(request.raw, reply.raw);
      return details.uid === uid ? details : null;
    } catch {
      return null; // No interaction cookie, or the interaction expired or finished.
    }
  }

  const expired = async (request: FastifyRequest, reply: FastifyReply) => {
    const t = textsIn(consoleLocaleOf(request));
    // The application this browser was signing in to, when the console knows it: a link back.
    const was = kit.continuation.read(request);
    kit.continuation.clear(reply);
    return kit.sendPage(
      reply,
      <OidcMessagePage
        frame={await kit.frame(request, reply, t.oidc.expiredTitle)}
        title={t.oidc.expiredTitle}
        text={t.oidc.expired}
        error
        back={was?.home ? { app: was.app, home: was.home } : null}
      />,
      400,
    );
  };

  /**
   * Hands the provider the result and goes back to the application. After a form (the sign-in, a
   * consent) a redirect to the application would be blocked by `form-action 'self'`, so the way
   * back is a page that moves on at once; a plain visit is redirected.
   */
  async function finish(
    request: FastifyRequest,
    reply: FastifyReply,
    client: OidcClient,
    result: InteractionResults,
    afterForm: boolean,
  ) {
    const t = textsIn(consoleLocaleOf(request));
    const to = await (await oidc.provider()).interactionResult(request.raw, reply.raw, result);
    const cameBack = kit.continuation.peek(request) !== null;
    kit.continuation.clear(reply);
    if (!afterForm && !cameBack) return reply.redirect(to, 303);
    // A sign-in whose next stop is our own consent page (a third-party application this person has
    // not allowed yet) may be redirected: the chain ends on our origin, which `form-action` allows.
    if (!afterForm && 'login' in result && client.first_party !== 1) {
      const grant = await services.oidc.grants.find(String(result.login?.accountId), client.id);
      if (!grant) return reply.redirect(to, 303);
    }
    return kit.sendPage(
      reply,
      <ContinueToAppPage frame={await kit.frame(request, reply, t.oidc.continueTitle)} app={client.name} to={to} />,
    );
  }

  app.get('/oidc-login/:uid', { config: open, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const details = await interactionOf(request, reply);
    if (!details) return expired(request, reply);
    const client = await signIn.client(String(details.params.client_id ?? ''));
    if (!client) return expired(request, reply);
    const here = path(details.uid);
    const principal = request.principal;
    const params = details.params as Record<string, string | undefined>;
    const atLogin = details.prompt.name === 'login';
    const back = kit.continuation.read(request);
    const next = await signIn.nextStep(principal, client, {
      // Freshness counts only while the login prompt is open: once resolved, consent follows.
      promptLogin: atLogin && (params.prompt ?? '').split(' ').includes('login'),
      maxAge: atLogin && params.max_age !== undefined ? Number(params.max_age) : undefined,
      acrValues: params.acr_values,
      freshSince: back?.path === here ? back.freshSince : null,
    });
    switch (next.step) {
      case 'sign_in':
        if (!next.fresh) {
          kit.continuation.set(reply, here, { app: client.name, home: homeOf(client) });
          return reply.redirect('/login', 303);
        }
        kit.continuation.set(reply, here, { app: client.name, home: homeOf(client), freshSince: services.clock() });
        return reply.redirect('/login?again=1', 303);
      case 'restricted':
      case 'bind':
        kit.continuation.set(reply, here, { app: client.name, home: homeOf(client) });
        // A restricted session's own page (binding, or adding a passkey) is where the console sends it.
        return reply.redirect(next.step === 'bind' ? '/account/security/mfa/bind' : '/overview', 303);
      case 'refuse': {
        await signIn.refused(
          {
            accountId: next.why === 'other_account' ? client.account_id : principal!.accountId,
            userId: next.why === 'other_account' ? null : principal!.userId,
            clientId: client.id,
            reason: next.why,
            endpoint: 'interaction',
          },
          requestMeta(request),
        );
        kit.continuation.set(reply, here, { app: client.name, home: homeOf(client) });
        const workspace = client.workspace_id ? await services.oidc.signIn.workspaceName(client.workspace_id) : null;
        const text =
          next.why === 'not_member'
            ? t.oidc.refused.not_member(client.name, workspace ?? '')
            : next.why === 'disabled'
              ? t.oidc.refused.disabled
              : t.oidc.refused.other_account;
        return kit.sendPage(
          reply,
          <OidcRefusedPage
            frame={await kit.frame(request, reply, t.oidc.refusedTitle)}
            title={t.oidc.refusedTitle}
            text={text}
            links={[{ href: '/login?again=1&switch=1', label: t.oidc.signInAsOther, testid: 'oidc-other-account' }]}
            // Another account's application is not named, nor offered a way back (it "does not exist").
            abort={next.why === 'other_account' ? null : { app: client.name, action: `${here}/abort` }}
          />,
          // Another account's application answers like an unknown one (400 invalid_client).
          next.why === 'other_account' ? 400 : 403,
        );
      }
      case 'passkey':
        kit.continuation.set(reply, here, { app: client.name, home: homeOf(client) });
        if (next.hasPasskey)
          return kit.stepUpPage(request, reply, {
            next: here,
            purpose: t.oidc.purposePasskey(client.name),
            passkeyOnly: true,
          });
        return kit.sendPage(
          reply,
          <OidcRefusedPage
            frame={await kit.frame(request, reply, t.oidc.passkeyTitle)}
            title={t.oidc.passkeyTitle}
            text={t.oidc.noPasskey(client.name)}
            links={[{ href: '/account/security/devices', label: t.oidc.addPasskey, testid: 'oidc-add-passkey' }]}
            abort={{ app: client.name, action: `${here}/abort` }}
          />,
          403,
        );
      case 'ready':
        break;
    }
    if (next.step !== 'ready') return;
    if (atLogin) {
      await signIn.signedIn(principal!, client, next.acr, next.amr, requestMeta(request));
      return finish(
        request,
        reply,
        client,
        { login: { accountId: principal!.userId, acr: next.acr, amr: next.amr, ts: next.authTime, remember: true } },
        false,
      );
    }
    if (details.prompt.name !== 'consent') return expired(request, reply);
    // The owner's own applications ask for no consent; others once, per application.
    if (client.first_party === 1) return finish(request, reply, client, await grantFor(details), false);
    const profile = await services.profile(principal!.userId);
    // What the application will really receive: no e-mail line for a user who has none.
    const scopes = String(params.scope ?? 'openid')
      .split(' ')
      .filter((s) => ['openid', 'profile', 'email', 'offline_access'].includes(s))
      .filter((s) => s !== 'email' || Boolean(profile.user.email));
    return kit.sendPage(
      reply,
      <ConsentPage
        frame={{ ...(await kit.frame(request, reply, t.oidc.consentTitle)), focused: true }}
        app={client.name}
        login={profile.loginName}
        scopes={scopes}
        action={`${here}/consent`}
      />,
    );
  });

  /** What consent grants: exactly what the provider found missing (scopes and claims). */
  async function grantFor(details: Interaction): Promise<InteractionResults> {
    const provider = await oidc.provider();
    const accountId = details.session!.accountId;
    const clientId = String(details.params.client_id);
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId });
    if (!grant) return { error: 'access_denied', error_description: 'The consent given earlier was revoked.' };
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    return { consent: { grantId: await grant.save() } };
  }

  /** "Back to the application" on a refusal: the sign-in ends with `access_denied` (RFC 6749 §4.1.2.1). */
  app.post('/oidc-login/:uid/abort', { config: open, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    kit.checkForm(request);
    const details = await interactionOf(request, reply);
    if (!details) return expired(request, reply);
    const client = await signIn.client(String(details.params.client_id ?? ''));
    if (!client) return expired(request, reply);
    return finish(request, reply, client, { error: 'access_denied', error_description: t.oidc.notAllowed }, true);
  });

  app.post('/oidc-login/:uid/consent', { config: open, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const form = kit.checkForm(request);
    const details = await interactionOf(request, reply);
    if (!details || details.prompt.name !== 'consent' || !request.principal) return expired(request, reply);
    const client = await signIn.client(String(details.params.client_id ?? ''));
    // The consent is the signed-in user's own, for the session the provider is asking about.
    if (!client || details.session?.accountId !== request.principal.userId) return expired(request, reply);
    if (form.decision !== 'allow')
      return finish(request, reply, client, { error: 'access_denied', error_description: t.oidc.cancelled }, true);
    const result = await grantFor(details);
    await signIn.consentGiven(request.principal, client, String(details.params.scope ?? ''), requestMeta(request));
    return finish(request, reply, client, result, true);
  });
}
