import { AppError } from '../../errors/app-error.js';
import type { Store } from '../../db/repositories/index.js';
import type { Clock } from '../../crypto/random.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import type { VerificationService } from '../verification/verification.service.js';
import type { StepUpMethod, StepUpService } from './step-up.service.js';
import { errorTexts } from '../../i18n/errors/index.js';
import { DEFAULT_LOCALE, type Locale } from '../../i18n/locale.js';

/**
 * Account protection (docs/design.md F10): per scenario, how the account is verified. Login always asks for
 * the bound device's code; for sensitive operations a user without a device picks email code, SMS
 * code or password, and with a device it is always the device.
 */
export function createProtectionService(deps: {
  store: Store;
  clock: Clock;
  audit: AuditRecorder;
  verification: VerificationService;
  stepUp: StepUpService;
}) {
  const { store } = deps;
  /** The kinds of device the user has (an app, a passkey), in a fixed order. */
  async function deviceTypes(userId: string): Promise<StepUpMethod[]> {
    const devices = await store.repos.mfaDevices.listActive(userId);
    return (['totp', 'webauthn'] as const).filter((type) => devices.some((d) => d.type === type));
  }
  return {
    /** GET /me/protection: the scenarios and how each is verified now. */
    async protection(principal: Principal, locale: Locale = DEFAULT_LOCALE) {
      const types = await deviceTypes(principal.userId);
      const bound = types.length > 0;
      const user = await store.repos.users.findUserById(principal.userId);
      const choices: StepUpMethod[] = bound
        ? types
        : [...(user ? deps.verification.channelsFor(user) : []), 'password'];
      return {
        login: {
          methods: ['password', ...types],
          note: bound ? errorTexts[locale].stepUp.loginNoteBound : errorTexts[locale].stepUp.loginNoteUnbound,
        },
        sensitiveOperations: {
          method: bound
            ? types[0]!
            : user?.step_up_method && choices.includes(user.step_up_method)
              ? user.step_up_method
              : null,
          choices,
        },
      };
    },

    /** PUT /me/protection: pick the method for sensitive operations (while no device is bound). */
    async setProtection(principal: Principal, method: StepUpMethod, meta: RequestMeta) {
      await deps.stepUp.requireFresh(principal, 'account.change_protection');
      const types = await deviceTypes(principal.userId);
      const bound = types.length > 0;
      if (bound && !types.includes(method)) throw new AppError('auth.forbidden', (m) => m.stepUp.deviceAlwaysUsed);
      if (!bound && method === 'totp') throw new AppError('mfa.not_bound', (m) => m.stepUp.bindFirst);
      const user = await store.repos.users.findUserById(principal.userId);
      if (
        !bound &&
        method !== 'password' &&
        !(user && deps.verification.channelsFor(user).includes(method as 'email' | 'sms'))
      ) {
        throw new AppError('verification.channel_unavailable', (m) => m.stepUp.channelUnreachable);
      }
      const now = deps.clock();
      await store.transaction(async (repos) => {
        if (!bound)
          await repos.users.updateUser(principal.userId, { step_up_method: method as 'password' | 'email' | 'sms' });
        await deps.audit(
          repos,
          {
            type: 'protection.changed',
            accountId: principal.accountId,
            userId: principal.userId,
            ip: meta.ip,
            userAgent: meta.userAgent,
            details: { sensitiveOperations: method },
          },
          now,
        );
      });
    },
  };
}
export type ProtectionService = ReturnType<typeof createProtectionService>;
