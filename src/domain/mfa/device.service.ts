import { AppError } from '../../errors/app-error.js';
import type { Store } from '../../db/repositories/index.js';
import type { Clock } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import { MAX_DRIFT_STEPS, TOTP_PERIOD_SECONDS, timeStep } from '../../crypto/totp.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import { recipientOf } from '../notify/recipients.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import type { StepUpService } from '../step-up/step-up.service.js';
import { invalidRecoveryCodeError, type RecoveryCodesService } from './recovery-codes.service.js';
import { actorLabel, loadUser } from '../users/user-views.js';
import { matchConsecutive, publicDevice } from './enrollment.service.js';
import { removeAllFactors } from '../factors/remove-all.js';
import {
  clampDrift,
  clearSecondFactorFailures,
  deviceAssociatedData,
  invalidCodeError,
  lockedError,
  recordSecondFactorFailure,
  reserveSecondFactorTry,
  secondFactorFailure,
  type SecondFactorChecker,
} from './second-factor.js';

/**
 * The bound device (F3, F6, F12): its state, unbinding with a current code, an administrator's
 * reset of a sub-user's lost phone, and re-learning a drifting phone clock.
 */
export function createDeviceService(deps: {
  store: Store;
  secretBox: SecretBox;
  audit: AuditRecorder;
  notify: Notifier;
  checkSecondFactor: SecondFactorChecker;
  stepUp: StepUpService;
  clock: Clock;
  recoveryCodes: Pick<RecoveryCodesService, 'spend'>;
}) {
  const { store, clock, audit } = deps;
  return {
    async status(principal: Pick<Principal, 'userId'>) {
      const device = await store.repos.mfaDevices.findActive(principal.userId);
      return device ? { bound: true as const, device: publicDevice(device) } : { bound: false as const };
    },

    /**
     * DELETE /me/mfa-device: a current code plus a fresh step-up (docs/design.md F3 "safety verification").
     * `codeIsStepUp` (the console): with a device bound the only step-up is a TOTP code, so the
     * current code may serve as both — two codes prove no more than one, and a second would mean
     * waiting 30 seconds for the next step.
     */
    async unbind(
      principal: Principal,
      input: { code: string } | { recoveryCode: string },
      meta: RequestMeta,
      options: { codeIsStepUp?: boolean } = {},
    ) {
      const device = await store.repos.mfaDevices.findActive(principal.userId);
      if (!device) throw new AppError('mfa.not_bound', 'No virtual MFA device is bound.');
      if (!options.codeIsStepUp) await deps.stepUp.requireFresh(principal, 'mfa.unbind');
      const now = clock();
      const outcome = await store.transaction(async (repos) => {
        const { user } = await loadUser(repos, principal.userId);
        if ('recoveryCode' in input) {
          // A lost phone: a recovery code stands in for the current code (it is spent).
          const spent = await deps.recoveryCodes.spend(repos, user, input.recoveryCode, 'unbind', meta, now);
          if (!spent.ok)
            return spent.reason === 'locked'
              ? { ok: false as const, reason: 'locked' as const, lockedUntil: spent.lockedUntil }
              : { ok: false as const, reason: 'invalid_recovery' as const };
        } else {
          const result = await deps.checkSecondFactor(repos, device, input.code, now);
          if (!result.ok) {
            if (result.reason === 'invalid')
              await recordSecondFactorFailure(
                repos,
                deps,
                user,
                { path: 'unbind', clockSkew: result.clockSkew, lockedUntil: result.lockedUntil },
                meta,
                now,
              );
            return result;
          }
        }
        await repos.mfaDevices.remove(device.id, now);
        // The recovery codes belong to the device: they go with it.
        await repos.recoveryCodes.revokeAll(principal.userId, now);
        await repos.sessions.endOthers(principal.userId, principal.sessionId, now, 'mfa_changed');
        await audit(
          repos,
          {
            type: 'mfa.unbound',
            accountId: principal.accountId,
            userId: principal.userId,
            ip: meta.ip,
            userAgent: meta.userAgent,
            details: { deviceId: device.id, with: 'recoveryCode' in input ? 'recovery_code' : 'totp' },
          },
          now,
        );
        await deps.notify(repos, recipientOf(user), { kind: 'mfa.unbound' }, meta, now);
        return { ok: true as const };
      });
      if (!outcome.ok)
        throw outcome.reason === 'invalid_recovery' ? invalidRecoveryCodeError() : secondFactorFailure(outcome, now);
    },

    /**
     * DELETE /users/{id}/mfa-device (docs/design.md F6: a sub-user lost its phone, the primary account
     * resets it). Needs the actor's fresh step-up; ends all of the sub-user's sessions, so a thief
     * holding one loses it; the sub-user binds again at the next login when MFA is required.
     */
    async resetFor(actor: Principal, ownerUserId: string, reason: string | null, meta: RequestMeta) {
      await deps.stepUp.requireFresh(actor, 'users.reset_mfa');
      const now = clock();
      const reset = await store.transaction(async (repos) => {
        if (!(await repos.mfaDevices.findActive(ownerUserId))) return false;
        const { user } = await loadUser(repos, ownerUserId);
        const { deviceId } = await removeAllFactors(repos, ownerUserId, now);
        await audit(
          repos,
          {
            type: 'mfa.reset_by_admin',
            accountId: user.account_id,
            userId: ownerUserId,
            actorId: actor.userId,
            ip: meta.ip,
            userAgent: meta.userAgent,
            details: { deviceId, reason },
          },
          now,
        );
        await deps.notify(
          repos,
          recipientOf(user),
          { kind: 'mfa.reset_by_admin', admin: actorLabel(await repos.users.findUserById(actor.userId)), reason },
          meta,
          now,
        );
        return true;
      });
      if (!reset) throw new AppError('mfa.not_bound', 'This user has no virtual MFA device bound.');
    },

    /** POST /me/mfa-device/resync: two consecutive codes found up to 5 minutes away re-learn the phone's drift. */
    async resync(principal: Principal, input: { codes: string[] }, meta: RequestMeta) {
      if (input.codes.length !== 2) {
        throw new AppError('validation.failed', 'Enter two consecutive codes from your authenticator app.', {
          details: { fields: [{ path: '/codes', message: 'must hold exactly 2 codes' }] },
        });
      }
      const now = clock();
      const outcome = await store.transaction(async (repos) => {
        const device = await repos.mfaDevices.findActive(principal.userId);
        if (!device) return { kind: 'not_bound' as const };
        const reservation = await reserveSecondFactorTry(repos, principal.userId, now);
        if (!reservation.ok) return { kind: 'locked' as const, lockedUntil: reservation.lockedUntil };
        const secret = deps.secretBox.open(device.secret_sealed, deviceAssociatedData(device.id));
        const current = timeStep(now);
        const lastStep = matchConsecutive(secret, input.codes, current, MAX_DRIFT_STEPS);
        const drift = lastStep === null ? 0 : clampDrift(lastStep - current);
        if (
          lastStep === null ||
          lastStep - 1 <= device.last_used_step ||
          !(await repos.mfaDevices.consumeStep(device.id, lastStep, drift))
        ) {
          const { user } = await loadUser(repos, principal.userId);
          await recordSecondFactorFailure(
            repos,
            deps,
            user,
            { path: 'resync', clockSkew: false, lockedUntil: reservation.locksUntil },
            meta,
            now,
          );
          return { kind: 'invalid' as const };
        }
        await clearSecondFactorFailures(repos, principal.userId);
        await audit(
          repos,
          {
            type: 'mfa.resynced',
            accountId: principal.accountId,
            userId: principal.userId,
            ip: meta.ip,
            userAgent: meta.userAgent,
            details: { driftSeconds: drift * TOTP_PERIOD_SECONDS },
          },
          now,
        );
        return { kind: 'ok' as const, device: { id: device.id, driftSeconds: drift * TOTP_PERIOD_SECONDS } };
      });
      switch (outcome.kind) {
        case 'not_bound':
          throw new AppError('mfa.not_bound', 'No virtual MFA device is bound.');
        case 'locked':
          throw lockedError(outcome.lockedUntil, now);
        case 'invalid':
          throw invalidCodeError(false, 422);
        case 'ok':
          return { device: outcome.device };
      }
    },
  };
}
export type DeviceService = ReturnType<typeof createDeviceService>;
