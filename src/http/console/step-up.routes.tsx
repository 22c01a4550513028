import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { requestMeta } from '../plugins/auth.js';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import {
  codeFrom,
  credentialFrom,
  purposeOfOperation,
  recoveryCodeFrom,
  safeNext,
  type ConsoleKit,
  type Form,
} from './kit.js';
import { ContinuePage } from './step-up.pages.js';
import { textsIn, type Catalogue } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

/** What a step-up continues: the operation that asked, or else a guess from the page it returns to. */
function purposeFor(form: Form, t: Catalogue): string {
  return purposeOfOperation(form.operation, t) ?? purposeOf(safeNext(form.next), t);
}

/** The step-up purpose shown for the page a verification returns to. */
function purposeOf(next: string, t: Catalogue): string {
  if (next.includes('unbind')) return t.stepUp.purposes.unbind;
  if (next.startsWith('/workspaces/')) return t.stepUp.purposes.workspace;
  if (next.startsWith('/users/')) return t.stepUp.purposes.users;
  if (next.startsWith('/account/profile')) return t.stepUp.purposes.profile;
  if (next === '/account/security') return t.stepUp.purposes.protection;
  return t.stepUp.purposes.bind;
}

/**
 * A fresh verification for a sensitive operation (docs/design.md §2.6): an e-mail or SMS code is
 * sent, then a TOTP code, a recovery code, a message code or the password proves the session, and
 * the operation that asked continues with one click.
 */
export function registerStepUpPages(app: FastifyInstance, kit: ConsoleKit) {
  const { services } = kit;
  // A restricted session may verify itself and bind; nothing else.
  const restrictedOk = { page: 'restricted-ok' as const };

  app.post(
    '/account/security/step-up/send',
    { config: restrictedOk, schema: { hide: true } },
    async (request, reply) => {
      const t = textsIn(consoleLocaleOf(request));
      const form = kit.checkForm(request);
      const next = safeNext(form.next);
      const channel = form.channel === 'sms' ? 'sms' : 'email';
      const resume = kit.resumeFromForm(form);
      try {
        const sent = await services.verification.send(request.principal!, channel, requestMeta(request));
        return kit.stepUpPage(request, reply, {
          next,
          purpose: purposeFor(form, t),
          pending: { verificationId: sent.id, channel, destination: sent.destination },
          resume,
          operation: form.operation,
        });
      } catch (error) {
        return kit.failure(request, reply, error, {
          next,
          purpose: purposeFor(form, t),
          render: (message, status) =>
            kit.stepUpPage(request, reply, {
              next,
              purpose: purposeFor(form, t),
              message,
              status,
              resume,
              operation: form.operation,
            }),
        });
      }
    },
  );

  app.post('/account/security/step-up', { config: restrictedOk, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const principal = request.principal!;
    const form = kit.checkForm(request);
    const next = safeNext(form.next);
    const purpose = purposeFor(form, t);
    const resume = kit.resumeFromForm(form);
    try {
      if (form.method === 'totp') {
        const result = await services.stepUp.stepUp(
          principal,
          { method: 'totp', code: codeFrom(form.code) },
          requestMeta(request),
        );
        // The session was rotated (first proof of the device in it): follow with the new cookie.
        if (result.session) kit.setSession(reply, result.session.token);
      } else if (form.method === 'webauthn') {
        // A passkey: the script put its assertion into the form (issue 22).
        const result = await services.stepUp.stepUp(
          principal,
          { method: 'webauthn', credential: credentialFrom<AuthenticationResponseJSON>(request) },
          requestMeta(request),
        );
        // A first passkey proof in this session rotates it (now phishing-resistant).
        if (result.session) kit.setSession(reply, result.session.token);
      } else if (form.method === 'recovery_code') {
        const result = await services.stepUp.stepUp(
          principal,
          { method: 'recovery_code', code: recoveryCodeFrom(form.recoveryCode) },
          requestMeta(request),
        );
        if (result.session) kit.setSession(reply, result.session.token);
      } else if (form.method === 'email' || form.method === 'sms') {
        const code = codeFrom(form.code, t.form.codeFromMessage);
        await services.stepUp.stepUp(
          principal,
          { method: form.method, verificationId: form.verificationId ?? '', code },
          requestMeta(request),
        );
      } else {
        await services.stepUp.stepUp(
          principal,
          { method: 'password', password: form.password ?? '' },
          requestMeta(request),
        );
      }
      // Continue the operation the user started: one click re-sends it (no JavaScript needed).
      if (resume)
        return kit.sendPage(
          reply,
          <ContinuePage frame={await kit.frame(request, reply, t.stepUp.verified)} resume={resume} purpose={purpose} />,
        );
      return reply.redirect(next, 303);
    } catch (error) {
      // A mistyped email/SMS code: keep asking for the same code.
      const isCode = form.method === 'email' || form.method === 'sms';
      const pending =
        isCode &&
        error instanceof AppError &&
        ['verification.invalid_code', 'validation.failed'].includes(error.code) &&
        form.verificationId
          ? {
              verificationId: form.verificationId,
              channel: form.method as 'email' | 'sms',
              destination:
                (await services.verification.optionsFor(principal.userId)).find((o) => o.channel === form.method)
                  ?.destination ?? '',
            }
          : undefined;
      return kit.failure(request, reply, error, {
        next,
        purpose,
        render: (message, status) =>
          kit.stepUpPage(request, reply, {
            next,
            purpose,
            message,
            status,
            pending,
            resume,
            passwordFailed: form.method === 'password',
            operation: form.operation,
            passkeyOnly: form.passkeyOnly === '1',
          }),
      });
    }
  });
}
