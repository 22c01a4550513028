import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { requestMeta } from '../plugins/auth.js';
import { codeFrom, purposeOfOperation, recoveryCodeFrom, safeNext, type ConsoleKit, type Form } from './kit.js';
import type { Message } from './layout.js';
import { BindPage, BindStartPage, RecoveryCodesPage, UnbindPage } from './binding.pages.js';
import { SecurityPage } from './security.pages.js';
import { ContinuePage } from './step-up.pages.js';
import { t } from './messages.js';

/** What a step-up continues: the operation that asked, or else a guess from the page it returns to. */
function purposeFor(form: Form): string {
  return purposeOfOperation(form.operation) ?? purposeOf(safeNext(form.next));
}

/** The step-up purpose shown for the page a verification returns to. */
function purposeOf(next: string): string {
  if (next.includes('unbind')) return t.stepUp.purposes.unbind;
  if (next.startsWith('/workspaces/')) return t.stepUp.purposes.workspace;
  if (next.startsWith('/users/')) return t.stepUp.purposes.users;
  if (next.startsWith('/account/profile')) return t.stepUp.purposes.profile;
  if (next === '/account/security') return t.stepUp.purposes.protection;
  return t.stepUp.purposes.bind;
}

/** Account Management › Security Settings: virtual MFA, step-up, account protection (docs/design.md F1, F3, F10). */
export function registerSecurityPages(app: FastifyInstance, kit: ConsoleKit) {
  const { services, config } = kit;
  // A restricted session may verify itself and bind; nothing else.
  const restrictedOk = { page: 'restricted-ok' as const };

  app.get('/account/security', { schema: { hide: true } }, async (request, reply) => {
    const principal = request.principal!;
    const profile = await services.profile(principal.userId);
    const protection = await services.protection.protection(principal);
    const recovery = profile.mfa.bound ? await services.recoveryCodes.status(principal) : null;
    return kit.sendPage(
      reply,
      <SecurityPage
        frame={await kit.frame(request, reply, t.security.title)}
        message={kit.notice(request, t.notices)}
        loginName={profile.loginName}
        mfa={{ bound: profile.mfa.bound, boundAt: profile.mfa.device?.boundAt }}
        protection={protection}
        recoveryCodesLeft={recovery?.remaining ?? null}
        realName={request.principal!.kind === 'root' ? (await services.realNames.get(request.principal!)).status : null}
        openRecovery={await services.recoveryTickets.openFor(principal)}
      />,
    );
  });

  /** The banner's Cancel: a signed-in owner stops a lost-device request it did not make. */
  app.post('/account/security/recovery/cancel', { schema: { hide: true } }, async (request, reply) =>
    kit.formAction(request, reply, { next: '/account/security', purpose: '' }, async (principal) => {
      await services.recoveryTickets.cancelOwn(principal, requestMeta(request));
      return '/account/security?notice=recovery-cancelled';
    }),
  );

  // ---- step-up ---------------------------------------------------------------------------------
  app.post(
    '/account/security/step-up/send',
    { config: restrictedOk, schema: { hide: true } },
    async (request, reply) => {
      const form = kit.checkForm(request);
      const next = safeNext(form.next);
      const channel = form.channel === 'sms' ? 'sms' : 'email';
      const resume = kit.resumeFromForm(form);
      try {
        const sent = await services.verification.send(request.principal!, channel, requestMeta(request));
        return kit.stepUpPage(request, reply, {
          next,
          purpose: purposeFor(form),
          pending: { verificationId: sent.id, channel, destination: sent.destination },
          resume,
          operation: form.operation,
        });
      } catch (error) {
        return kit.failure(request, reply, error, {
          next,
          purpose: purposeFor(form),
          render: (message, status) =>
            kit.stepUpPage(request, reply, {
              next,
              purpose: purposeFor(form),
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
    const principal = request.principal!;
    const form = kit.checkForm(request);
    const next = safeNext(form.next);
    const purpose = purposeFor(form);
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
          }),
      });
    }
  });

  // ---- binding ---------------------------------------------------------------------------------
  const bindStart = async (request: FastifyRequest, reply: FastifyReply, message: Message, status = 200) =>
    kit.sendPage(
      reply,
      <BindStartPage frame={await kit.frame(request, reply, t.bind.title)} message={message} />,
      status,
    );

  app.get('/account/security/mfa/bind', { config: restrictedOk, schema: { hide: true } }, async (request, reply) => {
    const principal = request.principal!;
    if ((await services.devices.status(principal)).bound) return reply.redirect('/account/security');
    // docs/design.md F1: before binding, identity is verified (by an email or SMS code where one can reach the
    // user) unless the session verified within the step-up age — as a restricted session does for
    // its first minutes, its password just proved (decision 026). The API never asks (API.md).
    const needsVerification =
      !services.stepUp.isFresh(principal) &&
      (!principal.restricted || (await services.verification.optionsFor(principal.userId)).length > 0);
    if (needsVerification)
      return kit.stepUpPage(request, reply, { next: '/account/security/mfa/bind', purpose: t.stepUp.purposes.bind });
    if (!principal.restricted) return bindStart(request, reply, null);
    // Say who requires it: the workspaces whose grace period is over, or the user's administrator.
    const by = await services.workspaces.bindingRequiredBy(principal.userId);
    const text =
      by.workspaces.length > 0
        ? t.bind.requiredByWorkspaces(by.workspaces)
        : by.byAdministrator
          ? t.bind.requiredByAdministrator
          : t.bind.required;
    return bindStart(request, reply, { kind: 'info', text });
  });

  async function bindPage(
    request: FastifyRequest,
    reply: FastifyReply,
    view: Pick<Awaited<ReturnType<typeof services.enrollment.start>>, 'enrollment' | 'codesRequired'> & {
      replacedPending?: boolean;
    },
    message: Message,
    showClockHint: boolean,
    status = 200,
  ) {
    const profile = await services.profile(request.principal!.userId);
    return kit.sendPage(
      reply,
      <BindPage
        frame={await kit.frame(request, reply, t.bind.title)}
        active="security"
        heading={t.bind.heading}
        message={message}
        showClockHint={showClockHint}
        enrollment={view.enrollment}
        issuer={config.issuer}
        accountName={profile.loginName}
        codesRequired={config.mfaActivationCodes}
        action="/account/security/mfa/bind/activate"
        cancel="/account/security"
      />,
      status,
    );
  }

  app.post('/account/security/mfa/bind', { config: restrictedOk, schema: { hide: true } }, async (request, reply) => {
    kit.checkForm(request);
    try {
      const view = await services.enrollment.start(request.principal!, requestMeta(request));
      // A second start replaces the first key: codes from an earlier scan will not work.
      return await bindPage(
        request,
        reply,
        view,
        view.replacedPending ? { kind: 'info', text: t.bind.newKey } : null,
        false,
      );
    } catch (error) {
      if (error instanceof AppError && error.code === 'mfa.already_bound')
        return reply.redirect('/account/security', 303);
      return kit.failure(request, reply, error, {
        next: '/account/security/mfa/bind',
        purpose: t.stepUp.purposes.bind,
      });
    }
  });

  app.post(
    '/account/security/mfa/bind/activate',
    { config: restrictedOk, schema: { hide: true } },
    async (request, reply) => {
      const principal = request.principal!;
      const form = kit.checkForm(request);
      const enrollmentId = form.enrollmentId ?? '';
      try {
        const codes = [form.code1, form.code2]
          .slice(0, config.mfaActivationCodes)
          .map((c) => codeFrom(c, t.form.codesDigits));
        const result = await services.enrollment.activate(principal, { enrollmentId, codes }, requestMeta(request));
        // Activation rotates the session: the console follows with the new cookie.
        if (result.session) kit.setSession(reply, result.session.token);
        const next = principal.restricted ? '/overview?notice=bound' : '/account/security?notice=bound';
        // The recovery codes are in this answer only: the person keeps them before going on.
        if (result.recoveryCodes) return recoveryCodesPage(request, reply, result.recoveryCodes, next);
        return reply.redirect(next, 303);
      } catch (error) {
        // Back or reload after a successful binding posts its form again: the device is bound, say so.
        if (
          error instanceof AppError &&
          ['mfa.enrollment_not_found', 'mfa.already_bound'].includes(error.code) &&
          (await services.devices.status(principal)).bound
        )
          return reply.redirect('/account/security?notice=bound', 303);
        const pending = await services.enrollment.pending(principal, enrollmentId);
        return kit.failure(request, reply, error, {
          next: '/account/security/mfa/bind',
          purpose: t.stepUp.purposes.bind,
          render: (message, status) =>
            pending
              ? bindPage(
                  request,
                  reply,
                  pending,
                  message,
                  !(error instanceof AppError && error.details.hint === 'clock_skew'),
                  status,
                )
              : bindStart(request, reply, message, status),
        });
      }
    },
  );

  // ---- recovery codes --------------------------------------------------------------------------
  async function recoveryCodesPage(request: FastifyRequest, reply: FastifyReply, codes: string[], next: string) {
    const profile = await services.profile(request.principal!.userId);
    const file = t.recoveryCodes.file(config.issuer, profile.loginName, codes);
    return kit.sendPage(
      reply,
      <RecoveryCodesPage
        frame={await kit.frame(request, reply, t.recoveryCodes.title)}
        codes={codes}
        file={file}
        next={next}
      />,
    );
  }

  app.post('/account/security/recovery-codes', { schema: { hide: true } }, async (request, reply) => {
    const form = kit.checkForm(request);
    try {
      const result = await services.recoveryCodes.regenerate(request.principal!, requestMeta(request));
      return await recoveryCodesPage(request, reply, result.codes, safeNext(form.next, '/account/security'));
    } catch (error) {
      return kit.failure(request, reply, error, {
        next: '/account/security',
        purpose: t.stepUp.purposes.recoveryCodes,
      });
    }
  });

  // ---- unbinding -------------------------------------------------------------------------------
  async function unbindPage(
    request: FastifyRequest,
    reply: FastifyReply,
    message: Message,
    showClockHint: boolean,
    status = 200,
  ) {
    const principal = request.principal!;
    const workspaces = (await services.workspaces.list(principal)).filter((w) => w.mfaRequired).map((w) => w.name);
    return kit.sendPage(
      reply,
      <UnbindPage
        frame={await kit.frame(request, reply, t.unbind.title)}
        message={message}
        showClockHint={showClockHint}
        workspaces={workspaces}
        codeIsVerification={!services.stepUp.isFresh(principal)}
      />,
      status,
    );
  }

  app.get('/account/security/mfa/unbind', { schema: { hide: true } }, async (request, reply) => {
    if (!(await services.devices.status(request.principal!)).bound) return reply.redirect('/account/security');
    return unbindPage(request, reply, null, false);
  });

  app.post('/account/security/mfa/unbind', { schema: { hide: true } }, async (request, reply) => {
    const form = kit.checkForm(request);
    try {
      // One current code: with the device bound a TOTP code is the step-up too, so a stale session
      // is not asked for two codes back to back (the second would mean waiting for the next step).
      // A lost phone: a recovery code does the same (it is spent).
      const proof =
        form.recoveryCode !== undefined
          ? { recoveryCode: recoveryCodeFrom(form.recoveryCode) }
          : { code: codeFrom(form.code) };
      await services.devices.unbind(request.principal!, proof, requestMeta(request), { codeIsStepUp: true });
      return reply.redirect('/account/security?notice=unbound', 303);
    } catch (error) {
      if (error instanceof AppError && error.code === 'mfa.not_bound') return reply.redirect('/account/security', 303);
      return kit.failure(request, reply, error, {
        next: '/account/security/mfa/unbind',
        purpose: t.stepUp.purposes.unbind,
        render: (message, status) =>
          unbindPage(
            request,
            reply,
            message,
            !(error instanceof AppError && error.details.hint === 'clock_skew'),
            status,
          ),
      });
    }
  });

  // ---- account protection ----------------------------------------------------------------------
  app.post('/account/security/protection', { schema: { hide: true } }, async (request, reply) =>
    kit.formAction(
      request,
      reply,
      { next: '/account/security', purpose: t.stepUp.purposes.protection },
      async (principal, form: Form) => {
        const method = form.sensitiveOperations;
        if (method !== 'totp' && method !== 'email' && method !== 'sms' && method !== 'password')
          throw new AppError('validation.failed', t.form.pickMethod);
        await services.protection.setProtection(principal, method, requestMeta(request));
        return '/account/security?notice=protection';
      },
    ),
  );
}
