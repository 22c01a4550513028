import { AppError } from '../../errors/app-error.js';
import type { Store } from '../../db/repositories/index.js';
import type { Clock } from '../../crypto/random.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import type { VerificationService } from '../verification/verification.service.js';
import { sensitiveOperation, type SensitiveOperationId } from './sensitive-operations.js';
import type { StepUpInput, StepUpVerifiers } from './verifiers.js';
import type { Factors } from '../factors/index.js';
import { tokenMayProceed } from '../api-tokens/scopes.js';

/** The methods `methods` offers; a recovery code goes wherever a device proof does. */
export type StepUpMethod = Exclude<StepUpInput['method'], 'recovery_code'>;

/**
 * Step-up (docs/design.md §2.6, NIST SP 800-63B §4.2.3 reauthentication): the one rule of how fresh a
 * session's proof must be before a sensitive operation, and which methods may refresh it.
 * - With a device bound, only a device counts (a TOTP code, a passkey, or a recovery code); without one, an email or SMS code (where one can
 *   reach the user) or the password — or only the method the user picked (docs/design.md F10).
 * - A step-up belongs to its session and lasts TWOFOLD_STEP_UP_MAX_AGE seconds.
 * - Every sensitive operation asks through `requireFresh(principal, id)`, keyed by the documented
 *   list (docs/sensitive-operations.md), so the list and what is enforced are the same thing.
 */
export function createStepUpService(deps: {
  store: Store;
  clock: Clock;
  maxAgeSeconds: number;
  verification: VerificationService;
  verifiers: StepUpVerifiers;
  factors: Pick<Factors, 'passkey'>;
}) {
  const { store, clock } = deps;

  /** The ways this user can refresh a step-up now (API.md `methods`): with devices, only theirs. */
  async function methods(userId: string): Promise<StepUpMethod[]> {
    const devices = await store.repos.mfaDevices.listActive(userId);
    if (devices.length > 0)
      return (['totp', 'webauthn'] as const).filter((type) => devices.some((d) => d.type === type));
    const user = await store.repos.users.findUserById(userId);
    const available: StepUpMethod[] = [...(user ? deps.verification.channelsFor(user) : []), 'password'];
    const chosen = user?.step_up_method;
    return chosen && available.includes(chosen) ? [chosen] : available;
  }

  function isFresh(principal: Pick<Principal, 'stepUpUntil'>): boolean {
    return principal.stepUpUntil > clock();
  }

  return {
    methods,
    isFresh,

    /** Refuses a sensitive operation unless this session stepped up within the last max-age seconds. */
    async requireFresh(principal: Principal, operation: SensitiveOperationId): Promise<void> {
      // An API token cannot step up: its scope stands in for a few operations, the rest are refused.
      if (principal.token) return tokenMayProceed(principal.token, operation);
      if (isFresh(principal)) return;
      const what = sensitiveOperation(operation).what;
      throw new AppError('auth.step_up_required', (m) => m.stepUp.required(what), {
        details: { methods: await methods(principal.userId), operation },
      });
    },

    /** POST /me/step-up/options: request options for a step-up with one of the caller's passkeys. */
    async passkeyOptions(principal: Principal) {
      const devices = await store.repos.mfaDevices.listActive(principal.userId);
      if (!devices.some((d) => d.type === 'webauthn')) throw new AppError('mfa.not_bound', (m) => m.stepUp.noPasskey);
      const now = clock();
      const options = await store.transaction((repos) =>
        deps.factors.passkey.assertionOptions(repos, principal.userId, devices, 'step_up', now),
      );
      return { options };
    },

    /** POST /me/step-up: refreshes this session's step-up (and only this session's, API.md). */
    async stepUp(principal: Principal, input: StepUpInput, meta: RequestMeta) {
      const bound = (await store.repos.mfaDevices.findActive(principal.userId)) !== undefined;
      const deviceProof = input.method === 'totp' || input.method === 'recovery_code' || input.method === 'webauthn';
      if (deviceProof && !bound) throw new AppError('mfa.not_bound', (m) => m.stepUp.noDeviceUsePassword);
      const allowed = await methods(principal.userId);
      // Email and SMS codes and the password are weaker than a device: no step-up with them once one is bound.
      if (!deviceProof && bound) {
        throw new AppError('auth.step_up_required', (m) => m.stepUp.deviceBound, {
          details: { methods: allowed },
        });
      }
      // A recovery code is allowed wherever a device proof is.
      if (input.method !== 'recovery_code' && !allowed.includes(input.method)) {
        throw new AppError('auth.step_up_required', (m) => m.stepUp.verifyWith(allowed), {
          details: { methods: allowed },
        });
      }
      const until = clock() + deps.maxAgeSeconds * 1000;
      const verified = await deps.verifiers[input.method](principal, input as never, until, meta);
      return { stepUpUntil: until, ...(verified.session ? { session: verified.session } : {}) };
    },
  };
}
export type StepUpService = ReturnType<typeof createStepUpService>;
