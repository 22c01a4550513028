import { AppError } from '../../errors/app-error.js';
import type { Repositories, Store } from '../../db/repositories/index.js';
import type { MfaDevicesTable } from '../../db/schema.js';
import type { Clock } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import { MAX_DRIFT_STEPS, TOTP_PERIOD_SECONDS, matchConsecutive, timeStep } from '../../crypto/totp.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import { recipientOf } from '../notify/recipients.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import type { StepUpService } from '../step-up/step-up.service.js';
import { actorLabel, loadUser } from '../users/user-views.js';
import { removeAllFactors } from '../factors/remove-all.js';
import type { Factors } from '../factors/index.js';
import type { FactorOutcome } from '../factors/factor.js';
import {
  clampDrift,
  clearSecondFactorFailures,
  deviceAssociatedData,
  invalidCodeError,
  lockedError,
  recordSecondFactorFailure,
  reserveSecondFactorTry,
} from '../factors/budget.js';

/** The most devices a user may have (AWS IAM allows 8 of any mix). */
export const MAX_DEVICES = 8;

/** A device as the API shows it: never a secret, a key or a counter. */
export function publicDevice(device: MfaDevicesTable) {
  return {
    id: device.id,
    type: device.type,
    name: device.name,
    boundAt: new Date(device.bound_at!).toISOString(),
    lastUsedAt: device.last_used_at === null ? null : new Date(device.last_used_at).toISOString(),
  };
}
export type PublicDevice = ReturnType<typeof publicDevice>;

function deviceNotFound() {
  return new AppError('mfa.device_not_found', (m) => m.mfa.deviceNotFound);
}

/**
 * The devices (F3, F6, F12): their list, renaming, removing one (with a fresh step-up), unbinding
 * "the" device with a current code, an administrator's removal or reset of a sub-user's devices,
 * and re-learning a drifting phone clock.
 */
export function createDeviceService(deps: {
  store: Store;
  secretBox: SecretBox;
  audit: AuditRecorder;
  notify: Notifier;
  factors: Pick<Factors, 'totp' | 'recoveryCode'>;
  stepUp: StepUpService;
  clock: Clock;
}) {
  const { store, clock, audit } = deps;

  /**
   * One device goes, in the caller's transaction: the last one takes the recovery codes with it
   * (they belong to having MFA at all), audited and e-mailed naming the device.
   */
  async function removeOne(
    repos: Repositories,
    device: MfaDevicesTable,
    actor: Principal,
    meta: RequestMeta,
    now: number,
    details: Record<string, string | null> = {},
  ) {
    const { user } = await loadUser(repos, device.user_id);
    if (!(await repos.mfaDevices.remove(device.id, now))) return false;
    const left = await repos.mfaDevices.listActive(device.user_id);
    const remaining = left.length;
    if (remaining === 0) await repos.recoveryCodes.revokeAll(device.user_id, now);
    // Its last passkey gone, no session of the user counts as phishing-resistant any more.
    if (device.type === 'webauthn' && !left.some((d) => d.type === 'webauthn'))
      await repos.sessions.clearPhishingResistant(device.user_id);
    const byAdmin = actor.userId !== device.user_id;
    // The way the account is protected changed: its other sessions end (the actor's own stays).
    await repos.sessions.endOthers(device.user_id, byAdmin ? '' : actor.sessionId, now, 'mfa_changed');
    await audit(
      repos,
      {
        type: 'mfa.unbound',
        accountId: user.account_id,
        userId: device.user_id,
        actorId: actor.userId,
        apiToken: actor.token,
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: {
          deviceId: device.id,
          name: device.name,
          type: device.type,
          remaining: String(remaining),
          ...details,
        },
      },
      now,
    );
    await deps.notify(
      repos,
      recipientOf(user),
      {
        kind: 'mfa.device_removed',
        device: { name: device.name, type: device.type },
        remaining,
        byAdmin: byAdmin ? actorLabel(await repos.users.findUserById(actor.userId)) : null,
      },
      meta,
      now,
    );
    return true;
  }

  return {
    /** GET /me/mfa-device: "the" device — the first bound — as before there were several. */
    async status(principal: Pick<Principal, 'userId'>) {
      const device = await store.repos.mfaDevices.findActive(principal.userId);
      return device
        ? { bound: true as const, device: { id: device.id, boundAt: new Date(device.bound_at!).toISOString() } }
        : { bound: false as const };
    },

    /** GET /me/mfa-devices, GET /users/{id}/mfa-devices (the caller checked the actor may see them). */
    async list(userId: string) {
      return (await store.repos.mfaDevices.listActive(userId)).map(publicDevice);
    },

    /** PATCH /me/mfa-devices/{id}: the person's own name for a device. */
    async rename(principal: Principal, deviceId: string, name: string, meta: RequestMeta) {
      const now = clock();
      const device = await store.transaction(async (repos) => {
        const found = await repos.mfaDevices.findActiveById(principal.userId, deviceId);
        if (!found || !(await repos.mfaDevices.rename(found.id, principal.userId, name))) return undefined;
        await audit(
          repos,
          {
            type: 'mfa.device_renamed',
            accountId: principal.accountId,
            userId: principal.userId,
            ip: meta.ip,
            userAgent: meta.userAgent,
            details: { deviceId, from: found.name, to: name },
          },
          now,
        );
        return { ...found, name };
      });
      if (!device) throw deviceNotFound();
      return publicDevice(device);
    },

    /** DELETE /me/mfa-devices/{id}: needs a fresh step-up (which proved a device, or a recovery code). */
    async remove(principal: Principal, deviceId: string, meta: RequestMeta) {
      await deps.stepUp.requireFresh(principal, 'mfa.remove_device');
      const now = clock();
      const removed = await store.transaction(async (repos) => {
        await repos.users.lockForFactorChange(principal.userId);
        const device = await repos.mfaDevices.findActiveById(principal.userId, deviceId);
        return device ? removeOne(repos, device, principal, meta, now) : false;
      });
      if (!removed) throw deviceNotFound();
    },

    /**
     * DELETE /users/{id}/mfa-devices/{deviceId}: an administrator removes one of a sub-user's
     * devices (the caller checked the actor may manage the user), with a fresh step-up.
     */
    async removeFor(actor: Principal, ownerUserId: string, deviceId: string, reason: string | null, meta: RequestMeta) {
      await deps.stepUp.requireFresh(actor, 'users.remove_device');
      const now = clock();
      const removed = await store.transaction(async (repos) => {
        await repos.users.lockForFactorChange(ownerUserId);
        const device = await repos.mfaDevices.findActiveById(ownerUserId, deviceId);
        return device ? removeOne(repos, device, actor, meta, now, { reason }) : false;
      });
      if (!removed) throw deviceNotFound();
    },

    /**
     * DELETE /me/mfa-device: a current code plus a fresh step-up (docs/design.md F3 "safety verification"),
     * for a user with one device; with several, each is removed by its id.
     * `codeIsStepUp` (the console): with a device bound the only step-up is a device, so the
     * current code may serve as both — two codes prove no more than one, and a second would mean
     * waiting 30 seconds for the next step.
     */
    async unbind(
      principal: Principal,
      input: { code: string } | { recoveryCode: string },
      meta: RequestMeta,
      options: { codeIsStepUp?: boolean } = {},
    ) {
      const onlyDevice = (devices: MfaDevicesTable[]) => {
        if (devices.length === 0) return new AppError('mfa.not_bound', (m) => m.mfa.notBound);
        if (devices.length > 1) return new AppError('mfa.several_devices', (m) => m.mfa.severalDevices);
        if (devices[0]!.type !== 'totp' && 'code' in input)
          return new AppError('mfa.not_bound', (m) => m.mfa.noAuthenticatorApp);
        return null;
      };
      const refused = onlyDevice(await store.repos.mfaDevices.listActive(principal.userId));
      if (refused) throw refused;
      if (!options.codeIsStepUp) await deps.stepUp.requireFresh(principal, 'mfa.unbind');
      const now = clock();
      const outcome = await store.transaction(async (repos): Promise<FactorOutcome> => {
        // Read again under the user's lock: a device added or removed meanwhile changes the answer.
        await repos.users.lockForFactorChange(principal.userId);
        const devices = await repos.mfaDevices.listActive(principal.userId);
        const changed = onlyDevice(devices);
        if (changed) return { ok: false, error: changed };
        const { user } = await loadUser(repos, principal.userId);
        const context = { path: 'unbind' as const, meta, now };
        // A lost phone: a recovery code stands in for the current code (it is spent).
        const proved =
          'recoveryCode' in input
            ? await deps.factors.recoveryCode(repos, user, input.recoveryCode, context)
            : await deps.factors.totp(repos, user, devices, input.code, context);
        if (!proved.ok) return proved;
        const device = devices[0]!;
        if (!(await repos.mfaDevices.remove(device.id, now))) return { ok: false, error: onlyDevice([])! };
        // The recovery codes belong to having MFA: they go with the last device.
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
            details: {
              deviceId: device.id,
              name: device.name,
              type: device.type,
              with: 'recoveryCode' in input ? 'recovery_code' : 'totp',
            },
          },
          now,
        );
        await deps.notify(repos, recipientOf(user), { kind: 'mfa.unbound', device: device.name }, meta, now);
        if (device.type === 'webauthn') await repos.sessions.clearPhishingResistant(principal.userId);
        return { ok: true };
      });
      if (!outcome.ok) throw outcome.error;
    },

    /**
     * DELETE /users/{id}/mfa-device (docs/design.md F6: a sub-user lost its phone, the primary account
     * resets it): every device goes. Needs the actor's fresh step-up; ends all of the sub-user's
     * sessions, so a thief holding one loses it; the sub-user binds again at the next login.
     */
    async resetFor(actor: Principal, ownerUserId: string, reason: string | null, meta: RequestMeta) {
      await deps.stepUp.requireFresh(actor, 'users.reset_mfa');
      const now = clock();
      const reset = await store.transaction(async (repos) => {
        if (!(await repos.mfaDevices.findActive(ownerUserId))) return false;
        const { user } = await loadUser(repos, ownerUserId);
        const { deviceId, devices } = await removeAllFactors(repos, ownerUserId, now);
        await audit(
          repos,
          {
            type: 'mfa.reset_by_admin',
            accountId: user.account_id,
            userId: ownerUserId,
            actorId: actor.userId,
            apiToken: actor.token,
            ip: meta.ip,
            userAgent: meta.userAgent,
            details: { deviceId, devices: devices.map((d) => d.name).join(', '), reason },
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
      if (!reset) throw new AppError('mfa.not_bound', (m) => m.mfa.userHasNoDevice);
    },

    /**
     * POST /me/mfa-device/resync: two consecutive codes found up to 5 minutes away re-learn the
     * phone's drift — of whichever TOTP device they come from.
     */
    async resync(principal: Principal, input: { codes: string[] }, meta: RequestMeta) {
      if (input.codes.length !== 2) {
        throw new AppError('validation.failed', (m) => m.mfa.enterCodes(2), {
          details: { fields: [{ path: '/codes', message: 'must hold exactly 2 codes' }] },
        });
      }
      const now = clock();
      const outcome = await store.transaction(async (repos) => {
        const devices = (await repos.mfaDevices.listActive(principal.userId)).filter((d) => d.type === 'totp');
        if (devices.length === 0) return { kind: 'not_bound' as const };
        const reservation = await reserveSecondFactorTry(repos, principal.userId, now);
        if (!reservation.ok) return { kind: 'locked' as const, lockedUntil: reservation.lockedUntil };
        const current = timeStep(now);
        for (const device of devices) {
          const secret = deps.secretBox.open(device.secret_sealed, deviceAssociatedData(device.id));
          const lastStep = matchConsecutive(secret, input.codes, current, MAX_DRIFT_STEPS);
          if (lastStep === null || lastStep - 1 <= device.last_used_step) continue;
          const drift = clampDrift(lastStep - current);
          if (!(await repos.mfaDevices.consumeStep(device.id, lastStep, drift, now))) continue;
          await clearSecondFactorFailures(repos, principal.userId);
          await audit(
            repos,
            {
              type: 'mfa.resynced',
              accountId: principal.accountId,
              userId: principal.userId,
              ip: meta.ip,
              userAgent: meta.userAgent,
              details: { deviceId: device.id, driftSeconds: drift * TOTP_PERIOD_SECONDS },
            },
            now,
          );
          return { kind: 'ok' as const, device: { id: device.id, driftSeconds: drift * TOTP_PERIOD_SECONDS } };
        }
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
      });
      switch (outcome.kind) {
        case 'not_bound':
          throw new AppError('mfa.not_bound', (m) => m.mfa.notBound);
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
