import type { Repositories } from '../../db/repositories/index.js';
import type { SecondFactorTry } from '../../db/repositories/mfa-devices.repository.js';
import { MAX_DRIFT_STEPS } from '../../crypto/totp.js';
import { AppError } from '../../errors/app-error.js';
import type { UsersTable } from '../../db/schema.js';
import { retryAfterSeconds, throttleKeys, throttlePolicies } from '../throttle/policies.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import { notifyLockout } from '../notify/recipients.js';
import type { RequestMeta } from '../sessions/principal.js';

export function invalidCodeError(clockSkew: boolean, status?: number): AppError {
  return clockSkew
    ? new AppError('mfa.invalid_code', (m) => m.factors.codeClockSkew, {
        details: { hint: 'clock_skew' },
        ...(status ? { status } : {}),
      })
    : new AppError('mfa.invalid_code', (m) => m.factors.codeInvalid, status ? { status } : {});
}

export function lockedError(lockedUntil: number, now: number): AppError {
  const seconds = retryAfterSeconds(lockedUntil, now);
  return new AppError('mfa.locked', (m) => m.factors.locked(seconds), {
    details: { retryAfterSeconds: seconds },
  });
}

/**
 * Takes one try from the user's second-factor budget, shared by every factor (TOTP, email and SMS
 * codes; docs/design.md §2.2), before anything is evaluated. `locksUntil` > 0 when this very try locked
 * the budget, so its failure is the one that tells the user.
 */
export async function reserveSecondFactorTry(
  repos: Repositories,
  userId: string,
  now: number,
): Promise<{ ok: true; locksUntil: number } | { ok: false; lockedUntil: number }> {
  const key = throttleKeys.secondFactor(userId);
  const reservation = await repos.throttles.reserve(key, throttlePolicies.secondFactor, now);
  if (reservation) return { ok: true, locksUntil: reservation.locked_until };
  return { ok: false, lockedUntil: (await repos.throttles.get(key))?.locked_until ?? now + 1000 };
}

/** The try for one proof: the one the caller took already, or a new one. */
export function takeSecondFactorTry(
  repos: Repositories,
  userId: string,
  context: { now: number; reserved?: SecondFactorTry },
) {
  return context.reserved ?? reserveSecondFactorTry(repos, userId, context.now);
}

/** A success clears the consecutive-failure count (NIST SP 800-63B §5.2.2). */
export function clearSecondFactorFailures(repos: Repositories, userId: string) {
  return repos.throttles.reset(throttleKeys.secondFactor(userId));
}

/**
 * A failed factor, audited on whichever path it came (login, step-up, unbind, activate, resync); when
 * it locked the budget, the lock is audited too and the user (and a sub-user's primary account)
 * told (RFC 4226 §7.2).
 */
export async function recordSecondFactorFailure(
  repos: Repositories,
  deps: { audit: AuditRecorder; notify: Notifier },
  user: Pick<UsersTable, 'id' | 'account_id' | 'email' | 'display_name' | 'locale' | 'kind' | 'username'>,
  failure: { path: string; clockSkew: boolean; lockedUntil: number },
  meta: RequestMeta,
  now: number,
) {
  const who = { accountId: user.account_id, userId: user.id, ip: meta.ip, userAgent: meta.userAgent };
  await deps.audit(
    repos,
    { type: 'mfa.verify_failed', ...who, details: { path: failure.path, clockSkew: failure.clockSkew } },
    now,
  );
  if (failure.lockedUntil > now) {
    await deps.audit(
      repos,
      { type: 'mfa.locked', ...who, details: { until: new Date(failure.lockedUntil).toISOString() } },
      now,
    );
    await notifyLockout(repos, deps.notify, user, failure.lockedUntil, meta, now);
  }
}

export function clampDrift(steps: number): number {
  return Math.max(-MAX_DRIFT_STEPS, Math.min(MAX_DRIFT_STEPS, steps));
}

export function deviceAssociatedData(deviceId: string): string {
  return `mfa-device:${deviceId}`;
}
