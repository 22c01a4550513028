import type { Repositories } from '../../db/repositories/index.js';
import type { MfaDevicesTable } from '../../db/schema.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import { CLOCK_SKEW_SEARCH_STEPS, MAX_DRIFT_STEPS, VERIFY_WINDOW_STEPS, matchStep, timeStep } from '../../crypto/totp.js';
import { throttleKeys, throttlePolicies } from '../throttle/policies.js';

export type SecondFactorResult =
  | { ok: true; step: number }
  | { ok: false; reason: 'locked'; lockedUntil: number }
  /** `lockedUntil` > 0 when this very failure locked the user's second factor. */
  | { ok: false; reason: 'invalid'; clockSkew: boolean; lockedUntil: number };

export function clampDrift(steps: number): number {
  return Math.max(-MAX_DRIFT_STEPS, Math.min(MAX_DRIFT_STEPS, steps));
}

export function deviceAssociatedData(deviceId: string): string {
  return `mfa-device:${deviceId}`;
}

/**
 * Checks one TOTP code of an active device, for every path that accepts one (login, step-up,
 * unbind). Must run inside the caller's transaction so the counted attempt, the burned step and
 * the caller's own writes commit together:
 * 1. take one attempt from the user's second-factor budget *before* evaluating (atomic upsert);
 * 2. match the code in the ±1 window around the device's learned drift (RFC 6238 §5.2, §6);
 * 3. burn the step with a conditional UPDATE: a replayed or concurrently used code loses (§2.1).
 */
export function createSecondFactorChecker(deps: { secretBox: SecretBox }) {
  return async function checkSecondFactor(repos: Repositories, device: MfaDevicesTable, code: string, now: number): Promise<SecondFactorResult> {
    const key = throttleKeys.secondFactor(device.user_id);
    const reservation = await repos.throttles.reserve(key, throttlePolicies.secondFactor, now);
    if (!reservation) {
      const row = await repos.throttles.get(key);
      return { ok: false, reason: 'locked', lockedUntil: row?.locked_until ?? now + 1000 };
    }
    const secret = deps.secretBox.open(device.secret_sealed, deviceAssociatedData(device.id));
    const currentStep = timeStep(now);
    const step = matchStep(secret, code, currentStep + device.drift_steps, VERIFY_WINDOW_STEPS);
    if (step !== null && step > device.last_used_step && (await repos.mfaDevices.consumeStep(device.id, step, clampDrift(step - currentStep)))) {
      await repos.throttles.reset(key);
      return { ok: true, step };
    }
    // Seed 003: a code that is right for a time a few minutes away means the phone clock is off.
    const clockSkew = step === null && matchStep(secret, code, currentStep, CLOCK_SKEW_SEARCH_STEPS) !== null;
    return { ok: false, reason: 'invalid', clockSkew, lockedUntil: reservation.locked_until };
  };
}
export type SecondFactorChecker = ReturnType<typeof createSecondFactorChecker>;
