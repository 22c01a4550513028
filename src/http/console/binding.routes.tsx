import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { requestMeta } from '../plugins/auth.js';
import { codeFrom, recoveryCodeFrom, safeNext, type ConsoleKit } from './kit.js';
import type { Message } from './layout.js';
import { BindStartPage, UnbindPage } from './binding.pages.js';
import { textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

/**
 * The user's own virtual MFA device (docs/design.md F1, F3): binding it with two consecutive codes,
 * the recovery codes handed out then (and made again later), and unbinding it.
 */
export function registerBindingPages(app: FastifyInstance, kit: ConsoleKit) {
  const { services, config } = kit;
  // A restricted session may verify itself and bind; nothing else.
  const restrictedOk = { page: 'restricted-ok' as const };

  // ---- binding ---------------------------------------------------------------------------------
  const bindStart = async (request: FastifyRequest, reply: FastifyReply, message: Message, status = 200) => {
    const t = textsIn(consoleLocaleOf(request));
    const principal = request.principal!;
    // A workspace that requires passkeys: a restricted session may add one as its first device instead.
    const passkeyInstead =
      principal.restricted &&
      kit.passkeysUnavailable === null &&
      (await services.workspaces.list(principal)).some((w) => w.phishingResistant);
    // An application asked for MFA: say so, and no console menu on the way back to it.
    const app = kit.continuation.read(request);
    return kit.sendPage(
      reply,
      <BindStartPage
        frame={{ ...(await kit.frame(request, reply, t.bind.title)), focused: app !== null }}
        message={message ?? (app ? { kind: 'info', text: t.oidc.bindFor(app.app) } : null)}
        passkeyInstead={passkeyInstead}
      />,
      status,
    );
  };

  app.get('/account/security/mfa/bind', { config: restrictedOk, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const principal = request.principal!;
    // A restricted session with a device here lacks a passkey a workspace requires (issue 22).
    if ((await services.devices.status(principal)).bound)
      return reply.redirect(principal.restricted ? await kit.restrictedHome(principal) : '/account/security');
    // A workspace requires a passkey now: an app would be refused, so the passkey is the way in (no
    // detour through a QR code that cannot work, and no loop back here).
    if (principal.restricted && (await kit.passkeyRequiredNow(principal.userId)))
      return reply.redirect('/account/security/passkey-required');
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

  function bindPage(
    request: FastifyRequest,
    reply: FastifyReply,
    view: Pick<Awaited<ReturnType<typeof services.enrollment.start>>, 'enrollment' | 'codesRequired'> & {
      replacedPending?: boolean;
    },
    message: Message,
    showClockHint: boolean,
    status = 200,
  ) {
    const t = textsIn(consoleLocaleOf(request));
    return kit.appBindingPage(
      request,
      reply,
      {
        title: t.bind.title,
        heading: t.bind.heading,
        enrollment: view.enrollment,
        message,
        showClockHint,
        action: '/account/security/mfa/bind/activate',
        cancel: '/account/security',
      },
      status,
    );
  }

  app.post('/account/security/mfa/bind', { config: restrictedOk, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
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
      // Only a passkey will do for a workspace of the user's: the page that adds one.
      if (
        error instanceof AppError &&
        error.code === 'workspace.phishing_resistant_required' &&
        request.principal!.restricted
      )
        return reply.redirect('/account/security/passkey-required', 303);
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
      const t = textsIn(consoleLocaleOf(request));
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
        const next = kit.afterSignIn(
          request,
          principal.restricted ? '/overview?notice=bound' : '/account/security?notice=bound',
        );
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
  const recoveryCodesPage = kit.recoveryCodesPage;

  app.post('/account/security/recovery-codes', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
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
    const t = textsIn(consoleLocaleOf(request));
    const principal = request.principal!;
    const workspaces = (await services.workspaces.list(principal)).filter((w) => w.mfaRequired).map((w) => w.name);
    const devices = await services.devices.list(principal.userId);
    return kit.sendPage(
      reply,
      <UnbindPage
        passkeyOnly={devices.length > 0 && devices.every((d) => d.type === 'webauthn')}
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
    const devices = await services.devices.list(request.principal!.userId);
    if (devices.length === 0) return reply.redirect('/account/security');
    // Several devices: "the" device is ambiguous; each is removed by name on the devices page.
    if (devices.length > 1) return reply.redirect('/account/security/devices?notice=several-devices');
    return unbindPage(request, reply, null, false);
  });

  app.post('/account/security/mfa/unbind', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
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
      // No app to take a code from (none at all, or a passkey only): say so, with the way on.
      if (error instanceof AppError && error.code === 'mfa.not_bound')
        return unbindPage(
          request,
          reply,
          { kind: 'error', text: error.messageIn(consoleLocaleOf(request)) },
          false,
          error.status,
        );
      if (error instanceof AppError && error.code === 'mfa.several_devices')
        return reply.redirect('/account/security/devices?notice=several-devices', 303);
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
}
