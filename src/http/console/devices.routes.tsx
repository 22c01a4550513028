import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { AppError } from '../../errors/app-error.js';
import { MAX_DEVICES } from '../../domain/mfa/device.service.js';
import { requestMeta } from '../plugins/auth.js';
import { codeFrom, credentialFrom, deviceNameFrom, type ConsoleKit } from './kit.js';
import { ConfirmPage, type Message } from './layout.js';
import { DevicesPage, PasskeyRegisterPage, PasskeyRequiredPage } from './devices.pages.js';
import { textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

const DEVICES = '/account/security/devices';
const PASSKEY_REQUIRED = '/account/security/passkey-required';
const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Security Settings › MFA devices (issue 22): the list, renaming and removing one (a fresh step-up,
 * then a confirmation), adding an authenticator app (the binding page again) or a passkey (a name,
 * then the browser's ceremony through the passkey script), and the page a restricted session is
 * sent to when a phishing-resistant workspace requires a passkey it lacks.
 */
export function registerDevicePages(app: FastifyInstance, kit: ConsoleKit) {
  const { services, config } = kit;
  // Adding a passkey is what a restricted session that lacks one may do.
  const restrictedOk = { page: 'restricted-ok' as const };

  const deviceIdOf = (request: FastifyRequest) => {
    const t = textsIn(consoleLocaleOf(request));
    const { id } = request.params as { id: string };
    if (!DEVICE_ID.test(id)) throw new AppError('mfa.device_not_found', t.devices.notFound);
    return id;
  };

  /** An expected refusal: a stale step-up asks for one (and continues); anything else is shown on `path`. */
  async function refuse(request: FastifyRequest, reply: FastifyReply, error: unknown, path: string) {
    const t = textsIn(consoleLocaleOf(request));
    if (error instanceof AppError && error.code === 'auth.step_up_required')
      return kit.failure(request, reply, error, { next: path, purpose: t.stepUp.purposes.addDevice });
    return kit.refuseTo(reply, error, path);
  }

  app.get(DEVICES, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const principal = request.principal!;
    const flash = kit.takeFlash(request, reply, DEVICES);
    return kit.sendPage(
      reply,
      <DevicesPage
        frame={await kit.frame(request, reply, t.devices.title)}
        message={flash?.message ?? kit.notice(request, t.devices.notices)}
        devices={await services.devices.list(principal.userId)}
        max={MAX_DEVICES}
        passkeysUnavailable={kit.passkeysUnavailableIn(consoleLocaleOf(request))}
      />,
    );
  });

  app.post(`${DEVICES}/:id/rename`, { schema: { hide: true } }, async (request, reply) => {
    const form = kit.checkForm(request);
    try {
      const name = deviceNameFrom(form.name)!;
      await services.devices.rename(request.principal!, deviceIdOf(request), name, requestMeta(request));
      return reply.redirect(`${DEVICES}?notice=renamed`, 303);
    } catch (error) {
      return kit.refuseTo(reply, error, DEVICES);
    }
  });

  /** Remove: a fresh step-up first (removing is a sensitive operation), then "are you sure?", then done. */
  app.post(`${DEVICES}/:id/remove`, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const principal = request.principal!;
    const form = kit.checkForm(request);
    try {
      const id = deviceIdOf(request);
      const devices = await services.devices.list(principal.userId);
      const device = devices.find((d) => d.id === id);
      if (!device) throw new AppError('mfa.device_not_found', t.devices.notFound);
      const operation = 'mfa.remove_device';
      if (!services.stepUp.isFresh(principal))
        return await kit.stepUpPage(request, reply, {
          next: DEVICES,
          purpose: t.stepUp.operations[operation]!,
          resume: kit.resumeOf(request),
          operation,
        });
      const last = devices.length === 1;
      if (form.confirmed !== '1') {
        const workspaces = last
          ? (await services.workspaces.list(principal)).filter((w) => w.mfaRequired).map((w) => w.name)
          : [];
        // The only passkey, while workspaces of the user's require one: say which, whatever else is left.
        const onlyPasskey =
          device.type === 'webauthn' && devices.filter((d) => d.type === 'webauthn').length === 1
            ? (await services.workspaces.list(principal)).filter((w) => w.phishingResistant).map((w) => w.name)
            : [];
        return await kit.sendPage(
          reply,
          <ConfirmPage
            frame={await kit.frame(request, reply, t.confirm.title)}
            heading={t.devices.removeHeading(device.name)}
            consequence={[
              last ? t.devices.removeLastText : t.devices.removeText(device.type),
              last && workspaces.length ? t.devices.removeLastWorkspaces(workspaces.join(', ')) : '',
              onlyPasskey.length ? t.devices.removeOnlyPasskeyWorkspaces(onlyPasskey.join(', ')) : '',
            ]
              .filter(Boolean)
              .join(' ')}
            action={`${DEVICES}/${id}/remove`}
            button={t.devices.removeButton}
            cancel={DEVICES}
            fields={{}}
          />,
        );
      }
      await services.devices.remove(principal, id, requestMeta(request));
      return reply.redirect(`${DEVICES}?notice=${last ? 'last-removed' : 'removed'}`, 303);
    } catch (error) {
      if (error instanceof AppError && error.code === 'auth.step_up_required')
        return kit.failure(request, reply, error, { next: DEVICES, purpose: t.stepUp.purposes.removeDevice });
      return kit.refuseTo(reply, error, DEVICES);
    }
  });

  // ---- another authenticator app: the binding page, posting to its own activation --------------
  function appPage(
    request: FastifyRequest,
    reply: FastifyReply,
    enrollment: { id: string; secret: string; qrSvg: string; expiresAt: number; otpauthUri?: string },
    message: Message,
    showClockHint: boolean,
    status = 200,
  ) {
    const t = textsIn(consoleLocaleOf(request));
    return kit.appBindingPage(
      request,
      reply,
      {
        title: t.devices.appHeading,
        heading: t.devices.appHeading,
        enrollment,
        message,
        showClockHint,
        action: `${DEVICES}/app/activate`,
        cancel: DEVICES,
      },
      status,
    );
  }

  app.post(`${DEVICES}/app`, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const form = kit.checkForm(request);
    try {
      const name = deviceNameFrom(form.name, true);
      const view = await services.enrollment.add(
        request.principal!,
        { type: 'totp', ...(name ? { name } : {}) },
        requestMeta(request),
      );
      if (!('secret' in view.enrollment)) throw new AppError('internal.error', t.errors.internal);
      // Whether a replaced pending enrollment was an app's (its QR code now void) or a passkey's is
      // not known here: say nothing rather than speak of a QR code that may never have been shown.
      return await appPage(request, reply, view.enrollment, null, false);
    } catch (error) {
      return refuse(request, reply, error, DEVICES);
    }
  });

  /** Where a new device's answer goes on: the recovery codes first when this is the person's first set. */
  async function added(
    request: FastifyRequest,
    reply: FastifyReply,
    result: { session?: { token: string }; recoveryCodes?: string[] },
    next: string,
  ) {
    // Adding a device rotates the session: the console follows with the new cookie.
    if (result.session) kit.setSession(reply, result.session.token);
    if (result.recoveryCodes) return kit.recoveryCodesPage(request, reply, result.recoveryCodes, next);
    return reply.redirect(next, 303);
  }

  app.post(`${DEVICES}/app/activate`, { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const principal = request.principal!;
    const form = kit.checkForm(request);
    const enrollmentId = form.enrollmentId ?? '';
    try {
      const codes = [form.code1, form.code2]
        .slice(0, config.mfaActivationCodes)
        .map((c) => codeFrom(c, t.form.codesDigits));
      const result = await services.enrollment.activateAny(principal, { enrollmentId, codes }, requestMeta(request));
      return await added(request, reply, result, `${DEVICES}?notice=app-added`);
    } catch (error) {
      // Back or reload after it was added: the pending device is the active one now (same id).
      if (
        error instanceof AppError &&
        error.code === 'mfa.enrollment_not_found' &&
        (await services.devices.list(principal.userId)).some((d) => d.id === enrollmentId)
      )
        return reply.redirect(`${DEVICES}?notice=app-added`, 303);
      // The binding page again with the refusal, while its enrollment is pending (not one that was never
      // an app's: pending() would try to open a passkey's empty secret).
      const pending =
        error instanceof AppError && error.code !== 'mfa.enrollment_not_found'
          ? await services.enrollment.pending(principal, enrollmentId)
          : null;
      if (!pending || !(error instanceof AppError) || error.status >= 500)
        return refuse(request, reply, error, DEVICES);
      return appPage(
        request,
        reply,
        pending.enrollment,
        { kind: 'error', text: error.messageIn(consoleLocaleOf(request)) },
        error.details.hint !== 'clock_skew',
        error.status,
      );
    }
  });

  // ---- a passkey -------------------------------------------------------------------------------
  /** Where adding a passkey starts from: the devices page, or (restricted) the page that requires one. */
  const passkeyHome = (request: FastifyRequest) => (request.principal!.restricted ? PASSKEY_REQUIRED : DEVICES);

  app.post(`${DEVICES}/passkey`, { config: restrictedOk, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const form = kit.checkForm(request);
    const home = passkeyHome(request);
    try {
      const name = deviceNameFrom(form.name, true);
      const view = await services.enrollment.add(
        request.principal!,
        { type: 'webauthn', ...(name ? { name } : {}) },
        requestMeta(request),
      );
      if (!('options' in view.enrollment)) throw new AppError('internal.error', t.errors.internal);
      return await kit.sendPage(
        reply,
        <PasskeyRegisterPage
          frame={await kit.frame(request, reply, t.passkeys.registerTitle)}
          message={null}
          enrollmentId={view.enrollment.id}
          options={view.enrollment.options}
          expiresAt={view.enrollment.expiresAt}
          cancel={home}
        />,
      );
    } catch (error) {
      return refuse(request, reply, error, home);
    }
  });

  app.post(`${DEVICES}/passkey/activate`, { config: restrictedOk, schema: { hide: true } }, async (request, reply) => {
    const principal = request.principal!;
    const form = kit.checkForm(request);
    const enrollmentId = form.enrollmentId ?? '';
    const home = passkeyHome(request);
    // A restricted session that adds its passkey becomes a full one: on to the overview.
    const next = kit.afterSignIn(
      request,
      principal.restricted ? '/overview?notice=passkey-added' : `${DEVICES}?notice=passkey-added`,
    );
    try {
      const credential = credentialFrom<RegistrationResponseJSON>(request);
      const result = await services.enrollment.activateAny(
        principal,
        { enrollmentId, credential },
        requestMeta(request),
      );
      return await added(request, reply, result, next);
    } catch (error) {
      if (
        error instanceof AppError &&
        error.code === 'mfa.enrollment_not_found' &&
        (await services.devices.list(principal.userId)).some((d) => d.id === enrollmentId)
      )
        return reply.redirect(next, 303);
      return refuse(request, reply, error, home);
    }
  });

  app.get(PASSKEY_REQUIRED, { config: restrictedOk, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const principal = request.principal!;
    if (!principal.restricted) return reply.redirect(DEVICES);
    // The workspaces that require a passkey now (their grace period is over).
    const names = await kit.passkeyRequiredNowBy(principal.userId);
    const flash = kit.takeFlash(request, reply, PASSKEY_REQUIRED);
    return kit.sendPage(
      reply,
      <PasskeyRequiredPage
        frame={await kit.frame(request, reply, t.passkeys.requiredTitle)}
        message={flash?.message ?? null}
        reason={names.length > 0 ? t.passkeys.requiredByWorkspaces(names) : t.passkeys.requiredByPolicy}
        passkeysUnavailable={kit.passkeysUnavailableIn(consoleLocaleOf(request))}
      />,
    );
  });
}
