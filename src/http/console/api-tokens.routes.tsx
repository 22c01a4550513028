import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { MAX_TOKEN_DAYS } from '../../domain/api-tokens/api-tokens.service.js';
import { apiScopeNames } from '../../domain/api-tokens/scopes.js';
import type { Principal } from '../../domain/sessions/principal.js';
import { requestMeta } from '../plugins/auth.js';
import type { ConsoleKit } from './kit.js';
import { ConfirmPage } from './layout.js';
import { ApiTokenCreatedPage, ApiTokensPage, exampleCall, scopeField } from './api-tokens.pages.js';
import { textsIn, consoleError } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

const HOME = '/api-tokens';
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const FORM_ID = /^[A-Za-z0-9_-]{22}$/;
/** How many sent forms a browser remembers, and for how long (a reload comes within minutes). */
const USED_FORMS_KEPT = 5;
const USED_FORMS_SECONDS = 3600;

/**
 * API tokens (issue 24): a person's tokens for scripts — the list, creating one (checked first, then
 * a fresh step-up, then the secret once), revoking one after a confirmation. The primary account
 * and user administrators only, as the service has it; anyone else gets a 403 page.
 */
export function registerApiTokenPages(app: FastifyInstance, kit: ConsoleKit) {
  const { services, config } = kit;
  const tokens = services.apiTokens;
  // The forms whose token this browser was shown (signed, on this page's path): a reload of the
  // answer, which browsers offer to send again, must not make a second token behind the first.
  const usedForms = {
    name: `${config.secureCookies ? '__Secure-' : ''}twofold_api_token_forms`,
    options: {
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: config.secureCookies,
      path: HOME,
      maxAge: USED_FORMS_SECONDS,
      signed: true,
    },
  };
  const usedFormsOf = (request: FastifyRequest): string[] => {
    const signed = request.cookies[usedForms.name];
    const unsigned = signed ? request.unsignCookie(signed) : null;
    if (!unsigned?.valid || !unsigned.value) return [];
    return unsigned.value.split('.').filter((id) => FORM_ID.test(id));
  };

  /** The service lists anyone's own tokens; the page, like creating, is for those who may own them. */
  async function mayOwnTokens(principal: Principal) {
    if (!(await services.profile(principal.userId)).canManageUsers)
      throw consoleError('auth.forbidden', (t) => t.apiTokens.forbidden);
  }

  /** Stale step-up (verify, then continue) or refused outright (a plain sub-user): a page, not a flash. */
  const needsPage = (error: unknown) =>
    error instanceof AppError && (error.code === 'auth.step_up_required' || error.code === 'auth.forbidden');

  app.get(HOME, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.operations['api_tokens.create']!;
    const principal = request.principal!;
    try {
      await mayOwnTokens(principal);
      const list = await tokens.list(principal);
      const flash = kit.takeFlash(request, reply, HOME);
      return await kit.sendPage(
        reply,
        <ApiTokensPage
          frame={await kit.frame(request, reply, t.apiTokens.title)}
          message={flash?.message ?? kit.notice(request, t.apiTokens.notices)}
          tokens={list}
          now={services.clock()}
          values={flash?.values ?? {}}
          formId={randomBytes(16).toString('base64url')}
          maxDays={MAX_TOKEN_DAYS}
        />,
      );
    } catch (error) {
      return kit.failure(request, reply, error, { next: HOME, purpose });
    }
  });

  /**
   * Create: the service checks the form first (a mistake asks for no verification), then wants a
   * fresh step-up — the console's step-up page carries the typed fields through and sends them
   * again — then the secret, in this answer only.
   */
  app.post(HOME, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.operations['api_tokens.create']!;
    const principal = request.principal!;
    const form = kit.checkForm(request);
    const values: Record<string, string> = { name: form.name ?? '', expiresInDays: form.expiresInDays ?? '' };
    const scopes = apiScopeNames.filter((scope) => form[scopeField(scope)] === '1');
    for (const scope of scopes) values[scopeField(scope)] = '1';
    const formId = FORM_ID.test(form.formId ?? '') ? form.formId! : null;
    try {
      await mayOwnTokens(principal);
      const used = usedFormsOf(request);
      if (formId && used.includes(formId)) return reply.redirect(`${HOME}?notice=already-created`, 303);
      const created = await tokens.create(
        principal,
        { name: values.name!, scopes, expiresInDays: Number(values.expiresInDays) },
        requestMeta(request),
      );
      if (formId)
        reply.setCookie(usedForms.name, [formId, ...used].slice(0, USED_FORMS_KEPT).join('.'), usedForms.options);
      return await kit.sendPage(
        reply,
        <ApiTokenCreatedPage
          frame={await kit.frame(request, reply, t.apiTokens.createdTitle)}
          token={created.token}
          secret={created.secret}
          example={exampleCall(config.publicUrl, created.token.scopes)}
        />,
      );
    } catch (error) {
      if (needsPage(error)) return kit.failure(request, reply, error, { next: HOME, purpose });
      return kit.refuseTo(reply, error, HOME, values);
    }
  });

  /** Revoke: "are you sure?" (scripts stop at once), then done; no step-up (it only takes access away). */
  app.post(`${HOME}/:id/revoke`, { schema: { hide: true } }, async (request: FastifyRequest, reply: FastifyReply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.operations['api_tokens.create']!;
    const principal = request.principal!;
    const form = kit.checkForm(request);
    try {
      await mayOwnTokens(principal);
      const { id } = request.params as { id: string };
      const token = ID.test(id) ? (await tokens.list(principal)).find((x) => x.id === id) : undefined;
      if (!token) throw new AppError('token.not_found', t.apiTokens.notFound);
      const path = `${HOME}/${token.id}/revoke`;
      if (form.confirmed !== '1')
        return await kit.sendPage(
          reply,
          <ConfirmPage
            frame={await kit.frame(request, reply, t.confirm.title)}
            heading={t.apiTokens.revokeHeading(token.name)}
            consequence={t.apiTokens.revokeText}
            action={path}
            button={t.apiTokens.revokeButton}
            cancel={HOME}
            fields={{}}
          />,
        );
      await tokens.revoke(principal, token.id, requestMeta(request));
      return reply.redirect(`${HOME}?notice=revoked`, 303);
    } catch (error) {
      // Revoked or ended already (a second tab, Back and again): the list says so.
      if (error instanceof AppError && error.code === 'token.not_found')
        return kit.refuseTo(reply, new AppError(error.code, t.apiTokens.notFound), HOME);
      return kit.failure(request, reply, error, { next: HOME, purpose });
    }
  });
}
