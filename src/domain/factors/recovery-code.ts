import type { Repositories } from '../../db/repositories/index.js';
import { normalizeRecoveryCode, type RecoveryCodeHasher } from '../../crypto/recovery-codes.js';
import { AppError } from '../../errors/app-error.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import { recipientOf } from '../notify/recipients.js';
import { clearSecondFactorFailures, lockedError, recordSecondFactorFailure, takeSecondFactorTry } from './budget.js';
import type { FactorContext, FactorOutcome, FactorUser } from './factor.js';

export function invalidRecoveryCodeError(): AppError {
  return new AppError('mfa.invalid_recovery_code', (m) => m.factors.recoveryCodeInvalid);
}

/**
 * A recovery code (docs/design.md §6 layer 1, decision 018), a look-up secret (NIST SP 800-63B
 * §5.1.2) that stands in for the dynamic code when the phone is lost. Spent in the caller's
 * transaction: one try from the shared budget first, then every unused code compared in constant
 * time (no early exit), then a conditional update, so of concurrent uses of one code exactly one
 * wins. A use is audited and e-mailed.
 */
export function createRecoveryCodeFactor(deps: { hasher: RecoveryCodeHasher; audit: AuditRecorder; notify: Notifier }) {
  const { hasher } = deps;
  return async function verifyRecoveryCode(
    repos: Repositories,
    user: FactorUser,
    input: string,
    context: FactorContext,
  ): Promise<FactorOutcome<{ remaining: number }>> {
    const { now, meta } = context;
    const reservation = await takeSecondFactorTry(repos, user.id, context);
    if (!reservation.ok) return { ok: false, error: lockedError(reservation.lockedUntil, now) };
    const code = normalizeRecoveryCode(input);
    let match: string | null = null;
    if (code) {
      const hashes = new Map<string, string | null>();
      for (const row of await repos.recoveryCodes.listUnused(user.id)) {
        if (!hashes.has(row.key_id)) hashes.set(row.key_id, hasher.hash(code, row.key_id));
        const hash = hashes.get(row.key_id);
        if (hash && hasher.equal(hash, row.code_hash) && match === null) match = row.id;
      }
    }
    if (match !== null && (await repos.recoveryCodes.consume(match, now))) {
      await clearSecondFactorFailures(repos, user.id);
      const { remaining } = await repos.recoveryCodes.status(user.id);
      await deps.audit(
        repos,
        {
          type: 'mfa.recovery_code_used',
          accountId: user.account_id,
          userId: user.id,
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: { path: context.path, remaining },
        },
        now,
      );
      await deps.notify(repos, recipientOf(user), { kind: 'mfa.recovery_code_used', remaining }, meta, now);
      return { ok: true, remaining };
    }
    await recordSecondFactorFailure(
      repos,
      deps,
      user,
      { path: `${context.path}:recovery_code`, clockSkew: false, lockedUntil: reservation.locksUntil },
      meta,
      now,
    );
    return { ok: false, error: invalidRecoveryCodeError() };
  };
}
export type RecoveryCodeFactor = ReturnType<typeof createRecoveryCodeFactor>;
