import { AppError } from '../../errors/app-error.js';
import type { Repositories, Store } from '../../db/repositories/index.js';
import type { Clock } from '../../crypto/random.js';
import type { PasswordHasher } from '../../crypto/password.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import type { IssuedSession, SessionsService } from '../sessions/sessions.service.js';
import type { VerificationService } from '../verification/verification.service.js';
import type { RecoveryEffects } from '../recovery/effects.js';
import {
  clearSecondFactorFailures,
  lockedError,
  recordSecondFactorFailure,
  reserveSecondFactorTry,
  secondFactorFailure,
  type SecondFactorChecker,
} from '../mfa/second-factor.js';
import { loadUser, loginName } from '../users/user-views.js';
import { invalidRecoveryCodeError, type RecoveryCodesService } from '../mfa/recovery-codes.service.js';
import { retryAfterSeconds, throttleKeys, throttlePolicies } from '../throttle/policies.js';

export type TotpProof = { method: 'totp'; code: string };
export type PasswordProof = { method: 'password'; password: string };
export type CodeProof = { method: 'email' | 'sms'; verificationId: string; code: string };
export type RecoveryCodeProof = { method: 'recovery_code'; code: string };
export type StepUpInput = TotpProof | PasswordProof | CodeProof | RecoveryCodeProof;

/** A verifier checks one method's proof and, on success, marks the session fresh until `until`. */
type Verifier<Proof> = (
  principal: Principal,
  input: Proof,
  until: number,
  meta: RequestMeta,
) => Promise<{ session?: IssuedSession }>;
export interface StepUpVerifiers {
  totp: Verifier<TotpProof>;
  email: Verifier<CodeProof>;
  sms: Verifier<CodeProof>;
  password: Verifier<PasswordProof>;
  recovery_code: Verifier<RecoveryCodeProof>;
}

/**
 * One verifier per step-up method. Each counts its try before evaluating it, records the outcome
 * in the audit log in the same transaction, and refreshes only the caller's session.
 */
export function createStepUpVerifiers(deps: {
  store: Store;
  clock: Clock;
  audit: AuditRecorder;
  notify: Notifier;
  hasher: PasswordHasher;
  checkSecondFactor: SecondFactorChecker;
  recoveryCodes: Pick<RecoveryCodesService, 'spend'>;
  sessions: SessionsService;
  verification: VerificationService;
  recoveryEffects: Pick<RecoveryEffects, 'cancelOpen'>;
}): StepUpVerifiers {
  const { store, clock, audit } = deps;
  const event = (principal: Principal, meta: RequestMeta, method: string) => ({
    accountId: principal.accountId,
    userId: principal.userId,
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: { method },
  });

  /**
   * A second factor proved in a step-up. The first proof in a session raises it to MFA-verified: a
   * privilege change, so the session id rotates (docs/design.md §2.7) and the new session is returned;
   * later step-ups just refresh it.
   */
  async function proveSecondFactor(
    repos: Repositories,
    principal: Principal,
    until: number,
    now: number,
    meta: RequestMeta,
  ): Promise<IssuedSession | undefined> {
    if (principal.mfaVerified) {
      await repos.sessions.setStepUp(principal.sessionId, until, true);
      return undefined;
    }
    return deps.sessions.rotateSession(repos, principal, { now, meta });
  }

  /** A code from the bound device: the same checker as login (budget, window, replay guard). */
  const totp: Verifier<TotpProof> = async (principal, input, until, meta) => {
    const device = await store.repos.mfaDevices.findActive(principal.userId);
    if (!device)
      throw new AppError('mfa.not_bound', 'No virtual MFA device is bound; verify with your password instead.');
    const now = clock();
    const outcome = await store.transaction(async (repos) => {
      const result = await deps.checkSecondFactor(repos, device, input.code, now);
      if (!result.ok) {
        if (result.reason === 'invalid') {
          const { user } = await loadUser(repos, principal.userId);
          await recordSecondFactorFailure(
            repos,
            deps,
            user,
            { path: 'step_up', clockSkew: result.clockSkew, lockedUntil: result.lockedUntil },
            meta,
            now,
          );
        }
        return result;
      }
      await audit(repos, { type: 'stepup.succeeded', ...event(principal, meta, 'totp') }, now);
      // The device at hand is not lost: an open lost-device ticket is cancelled (issue 13).
      await deps.recoveryEffects.cancelOpen(
        repos,
        { id: principal.userId, account_id: principal.accountId, kind: principal.kind },
        'owner_activity',
        meta,
        now,
      );
      return { ok: true as const, session: await proveSecondFactor(repos, principal, until, now, meta) };
    });
    if (!outcome.ok) throw secondFactorFailure(outcome, now);
    return outcome.session ? { session: outcome.session } : {};
  };

  /** An email or SMS code sent by POST /me/verifications, on the channel the method names. */
  const code: Verifier<CodeProof> = async (principal, input, until, meta) => {
    const now = clock();
    const outcome = await store.transaction(async (repos) => {
      // One budget across factors (docs/design.md §2.2): a wrong email code counts like a wrong TOTP.
      const reservation = await reserveSecondFactorTry(repos, principal.userId, now);
      if (!reservation.ok) return { locked: reservation.lockedUntil, valid: false };
      const valid = await deps.verification.check(
        repos,
        principal.userId,
        input.verificationId,
        input.code,
        now,
        input.method,
      );
      if (valid) {
        await clearSecondFactorFailures(repos, principal.userId);
        await repos.sessions.setStepUp(principal.sessionId, until);
      }
      await audit(
        repos,
        { type: valid ? 'stepup.succeeded' : 'stepup.failed', ...event(principal, meta, input.method) },
        now,
      );
      return { valid };
    });
    if (outcome.locked !== undefined) throw lockedError(outcome.locked, now);
    if (!outcome.valid)
      throw new AppError(
        'verification.invalid_code',
        'The code is not valid: it may be mistyped, expired (10 minutes), already used, or out of tries. Ask for a new code.',
      );
    return {};
  };

  /** The password again: only while it is all the user has; throttled like a login (same key). */
  const password: Verifier<PasswordProof> = async (principal, input, until, meta) => {
    const now = clock();
    const { user, alias } = await loadUser(store.repos, principal.userId);
    const key = throttleKeys.password(loginName(user, alias));
    if (!(await store.repos.throttles.reserve(key, throttlePolicies.password, now))) {
      const row = await store.repos.throttles.get(key);
      throw new AppError('auth.too_many_attempts', 'Too many wrong passwords. Try again later.', {
        details: { retryAfterSeconds: retryAfterSeconds(row?.locked_until ?? now, now) },
      });
    }
    const ok = await deps.hasher.verify(user.password_hash, input.password);
    await store.transaction(async (repos) => {
      if (ok) {
        await repos.throttles.reset(key);
        await repos.sessions.setStepUp(principal.sessionId, until);
      }
      await audit(
        repos,
        { type: ok ? 'stepup.succeeded' : 'stepup.failed', ...event(principal, meta, 'password') },
        clock(),
      );
    });
    if (!ok) throw new AppError('auth.invalid_credentials', 'The password is not correct.');
    return {};
  };

  /**
   * A recovery code, allowed where a TOTP code is (the phone may be lost); it is spent. It is a
   * look-up secret, a second factor in NIST SP 800-63B §5.1.2, so like a TOTP code it raises the
   * session to MFA-verified (a workspace that requires MFA counts it, as it counts a login with
   * one; decision 021) — and, that being a privilege change, rotates the session id.
   */
  const recoveryCode: Verifier<RecoveryCodeProof> = async (principal, input, until, meta) => {
    const now = clock();
    const outcome = await store.transaction(async (repos) => {
      const { user } = await loadUser(repos, principal.userId);
      const spent = await deps.recoveryCodes.spend(repos, user, input.code, 'step_up', meta, now);
      if (!spent.ok) return spent;
      await audit(repos, { type: 'stepup.succeeded', ...event(principal, meta, 'recovery_code') }, now);
      return { ok: true as const, session: await proveSecondFactor(repos, principal, until, now, meta) };
    });
    if (!outcome.ok)
      throw outcome.reason === 'locked' ? lockedError(outcome.lockedUntil, now) : invalidRecoveryCodeError();
    return outcome.session ? { session: outcome.session } : {};
  };

  return { totp, email: code, sms: code, password, recovery_code: recoveryCode };
}
