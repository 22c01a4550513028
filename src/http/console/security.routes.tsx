import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { requestMeta } from '../plugins/auth.js';
import type { ConsoleKit, Form } from './kit.js';
import { SecurityPage } from './security.pages.js';
import { textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

/**
 * Account Management › Security Settings: the page, account protection (docs/design.md F10) and the
 * banner of a lost-device request. The device itself is in binding.routes.tsx, step-up in
 * step-up.routes.tsx.
 */
export function registerSecurityPages(app: FastifyInstance, kit: ConsoleKit) {
  const { services } = kit;

  app.get('/account/security', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
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
        mfa={{
          bound: profile.mfa.bound,
          boundAt: profile.mfa.device?.boundAt,
          devices: profile.mfa.devices.length,
          passkeys: profile.mfa.devices.some((d) => d.type === 'webauthn'),
          types: [...new Set(profile.mfa.devices.map((d) => d.type))],
        }}
        protection={protection}
        recoveryCodesLeft={recovery?.remaining ?? null}
        realName={request.principal!.kind === 'root' ? (await services.realNames.get(request.principal!)).status : null}
        openRecovery={await services.recoveryTickets.openFor(principal)}
        passkeyRequiredBy={await services.workspaces.passkeyRequiredBy(principal.userId)}
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

  /** Account protection: how sensitive operations are verified. */
  app.post('/account/security/protection', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    return kit.formAction(
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
    );
  });
}
