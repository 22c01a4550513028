import type { Repositories } from '../../db/repositories/index.js';
import { AppError } from '../../errors/app-error.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import type { VerificationService } from '../verification/verification.service.js';
import { clearSecondFactorFailures, lockedError, recordSecondFactorFailure, takeSecondFactorTry } from './budget.js';
import type { FactorContext, FactorOutcome, FactorUser } from './factor.js';

export function invalidSentCodeError(): AppError {
  return new AppError('verification.invalid_code', (m) => m.factors.sentCodeInvalid);
}

/**
 * A code sent by e-mail or SMS (POST /me/verifications), on the channel the proof names. One
 * budget across factors (docs/design.md §2.2): a wrong e-mail code counts like a wrong TOTP code —
 * audited, and the try that locks the budget tells the user (RFC 4226 §7.2); the code itself also
 * has its own few tries (verification.service).
 */
export function createSentCodeFactor(deps: {
  verification: Pick<VerificationService, 'check'>;
  audit: AuditRecorder;
  notify: Notifier;
}) {
  return async function verifySentCode(
    repos: Repositories,
    user: FactorUser,
    proof: { channel: 'email' | 'sms'; verificationId: string; code: string },
    context: FactorContext,
  ): Promise<FactorOutcome> {
    const { now } = context;
    const reservation = await takeSecondFactorTry(repos, user.id, context);
    if (!reservation.ok) return { ok: false, error: lockedError(reservation.lockedUntil, now) };
    const valid = await deps.verification.check(repos, user.id, proof.verificationId, proof.code, now, proof.channel);
    if (!valid) {
      await recordSecondFactorFailure(
        repos,
        deps,
        user,
        { path: `${context.path}:${proof.channel}`, clockSkew: false, lockedUntil: reservation.locksUntil },
        context.meta,
        now,
      );
      return { ok: false, error: invalidSentCodeError() };
    }
    await clearSecondFactorFailures(repos, user.id);
    return { ok: true };
  };
}
export type SentCodeFactor = ReturnType<typeof createSentCodeFactor>;
