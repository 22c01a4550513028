import type { Repositories } from '../../db/repositories/index.js';
import type { MfaDevicesTable } from '../../db/schema.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import { CLOCK_SKEW_SEARCH_STEPS, VERIFY_WINDOW_STEPS, matchStep, timeStep } from '../../crypto/totp.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import {
  clampDrift,
  clearSecondFactorFailures,
  deviceAssociatedData,
  invalidCodeError,
  lockedError,
  recordSecondFactorFailure,
  takeSecondFactorTry,
} from './budget.js';
import type { FactorContext, FactorOutcome, FactorUser } from './factor.js';

/**
 * The dynamic code (TOTP, RFC 6238) of an active app, for every path that accepts one (login,
 * step-up, unbind). Runs inside the caller's transaction so the counted try, the burned step and
 * the caller's own writes commit together:
 * 1. take one try from the user's second-factor budget *before* evaluating (atomic upsert) — one
 *    try per code, however many TOTP devices the user has;
 * 2. match the code against each TOTP device in the ±1 window around its learned drift (§5.2, §6);
 * 3. burn the step on the device it matched with a conditional UPDATE: a replayed or concurrently
 *    used code loses (docs/design.md §2.1). Replay protection is per device.
 * A wrong code is audited, and the try that locks the budget tells the user (RFC 4226 §7.2).
 */
export function createTotpFactor(deps: { secretBox: SecretBox; audit: AuditRecorder; notify: Notifier }) {
  return async function verifyTotp(
    repos: Repositories,
    user: FactorUser,
    devices: readonly MfaDevicesTable[],
    code: string,
    context: FactorContext,
  ): Promise<FactorOutcome<{ device: MfaDevicesTable; step: number }>> {
    const { now } = context;
    const reservation = await takeSecondFactorTry(repos, user.id, context);
    if (!reservation.ok) return { ok: false, error: lockedError(reservation.lockedUntil, now) };
    const currentStep = timeStep(now);
    let clockSkew = false;
    for (const device of devices) {
      if (device.type !== 'totp') continue;
      const secret = deps.secretBox.open(device.secret_sealed, deviceAssociatedData(device.id));
      const step = matchStep(secret, code, currentStep + device.drift_steps, VERIFY_WINDOW_STEPS);
      if (
        step !== null &&
        step > device.last_used_step &&
        (await repos.mfaDevices.consumeStep(device.id, step, clampDrift(step - currentStep), now))
      ) {
        await clearSecondFactorFailures(repos, user.id);
        return { ok: true, device, step };
      }
      // docs/design.md F12: a code that is right for a time a few minutes away means the phone clock is off.
      if (step === null && !clockSkew)
        clockSkew = matchStep(secret, code, currentStep, CLOCK_SKEW_SEARCH_STEPS) !== null;
    }
    await recordSecondFactorFailure(
      repos,
      deps,
      user,
      { path: context.path, clockSkew, lockedUntil: reservation.locksUntil },
      context.meta,
      now,
    );
    return { ok: false, error: invalidCodeError(clockSkew, context.status) };
  };
}
export type TotpFactor = ReturnType<typeof createTotpFactor>;
