import { AppError } from '../../errors/app-error.js';
import type { Repositories, Store } from '../../db/repositories/index.js';
import { newId, type Clock, type RandomBytes } from '../../crypto/random.js';
import { formatRecoveryCode, generateRecoveryCodes, type RecoveryCodeHasher } from '../../crypto/recovery-codes.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import { recipientOf } from '../notify/recipients.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import type { SensitiveOperationId } from '../step-up/sensitive-operations.js';
import { loadUser } from '../users/user-views.js';

/**
 * Recovery codes (docs/design.md §6 layer 1, decision 018): ten single-use codes handed out once when a
 * device is bound, that stand in for the dynamic code when the phone is lost. Every try draws from
 * the user's one second-factor budget; a use is audited and e-mailed.
 */
export function createRecoveryCodesService(deps: {
  store: Store;
  hasher: RecoveryCodeHasher;
  random: RandomBytes;
  clock: Clock;
  audit: AuditRecorder;
  notify: Notifier;
}) {
  const { store, hasher, clock, audit } = deps;

  /** A new set in the caller's transaction; the old set stops working in the same commit. Shown once. */
  async function issue(repos: Repositories, userId: string, now: number): Promise<string[]> {
    const codes = generateRecoveryCodes(deps.random);
    const rows = codes.map((code) => ({
      id: newId(deps.random),
      user_id: userId,
      key_id: hasher.currentKeyId,
      code_hash: hasher.hash(code)!,
      created_at: now,
      used_at: null,
      revoked_at: null,
    }));
    await repos.recoveryCodes.replaceSet(userId, rows, now);
    return codes.map(formatRecoveryCode);
  }

  return {
    issue,

    /**
     * True when the user has devices but holds no set — a device an administrator bound gives none
     * (the administrator must not see them) — so the console asks the user to make them at the first
     * chance. A set outlives the device it came with as long as another device stays; only the last
     * device's removal revokes it.
     */
    async neverHandedOut(principal: Pick<Principal, 'userId'>) {
      if (!(await store.repos.mfaDevices.findActive(principal.userId))) return false;
      return !(await store.repos.recoveryCodes.hasSet(principal.userId));
    },

    /** GET /me/recovery-codes: how many are left (never the codes). */
    async status(principal: Pick<Principal, 'userId'>) {
      if (!(await store.repos.mfaDevices.findActive(principal.userId)))
        throw new AppError('mfa.not_bound', (m) => m.mfa.noRecoveryCodes);
      const { remaining, createdAt } = await store.repos.recoveryCodes.status(principal.userId);
      return { remaining, createdAt };
    },

    /** POST /me/recovery-codes: a new set (fresh step-up); the old set stops working in the same commit. */
    async regenerate(
      principal: Principal,
      meta: RequestMeta,
      stepUp: { requireFresh(principal: Principal, operation: SensitiveOperationId): Promise<void> },
    ) {
      if (!(await store.repos.mfaDevices.findActive(principal.userId)))
        throw new AppError('mfa.not_bound', (m) => m.mfa.bindFirstForRecoveryCodes);
      await stepUp.requireFresh(principal, 'mfa.regenerate_recovery_codes');
      const now = clock();
      const codes = await store.transaction(async (repos) => {
        const { user } = await loadUser(repos, principal.userId);
        const issued = await issue(repos, principal.userId, now);
        await audit(
          repos,
          {
            type: 'mfa.recovery_codes_regenerated',
            accountId: user.account_id,
            userId: user.id,
            ip: meta.ip,
            userAgent: meta.userAgent,
          },
          now,
        );
        await deps.notify(repos, recipientOf(user), { kind: 'mfa.recovery_codes_regenerated' }, meta, now);
        return issued;
      });
      return { codes, createdAt: now };
    },
  };
}
export type RecoveryCodesService = ReturnType<typeof createRecoveryCodesService>;
