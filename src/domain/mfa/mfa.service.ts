import QRCode from 'qrcode';
import { AppError } from '../../errors/app-error.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Repositories, Store } from '../../db/repositories/index.js';
import type { MfaDevicesTable, UsersTable } from '../../db/schema.js';
import { newId, type Clock, type RandomBytes } from '../../crypto/random.js';
import type { PasswordHasher } from '../../crypto/password.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import {
  CLOCK_SKEW_SEARCH_STEPS, MAX_DRIFT_STEPS, TOTP_PERIOD_SECONDS, TOTP_SECRET_BYTES, VERIFY_WINDOW_STEPS,
  matchStep, otpauthUri, secretToBase32, timeStep,
} from '../../crypto/totp.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import { invalidCodeError, lockedError, type SessionsService } from '../sessions/sessions.service.js';
import { loginName } from '../accounts/accounts.service.js';
import { clampDrift, deviceAssociatedData, type SecondFactorChecker } from './second-factor.js';
import { retryAfterSeconds, throttleKeys, throttlePolicies } from '../throttle/policies.js';
import { notifyLockout, recipientOf } from '../notify/recipients.js';
import type { Notifier } from '../notify/notifications.js';
import type { VerificationService } from '../verification/verification.service.js';

/** A pending enrollment can be activated for 10 minutes (Authelia uses the same). */
export const ENROLLMENT_TTL_MS = 10 * 60_000;

export type StepUpMethod = 'totp' | 'password' | 'email' | 'sms';

export function publicDevice(device: Pick<MfaDevicesTable, 'id' | 'bound_at'>) {
  return { id: device.id, boundAt: new Date(device.bound_at!).toISOString() };
}

/**
 * Finds consecutive steps s, s+1, ... matching `codes` in order, all within `window` of `center`
 * (API.md: activation and resync take two consecutive codes, proving the app follows the clock).
 */
export function matchConsecutive(secret: Uint8Array, codes: string[], center: number, window: number): number | null {
  const first = codes[0]!;
  for (let offset = -window; offset <= window - (codes.length - 1); offset++) {
    const start = center + offset;
    if (start < 0 || matchStep(secret, first, start, 0) === null) continue;
    // Each later code in constant time too (matchStep), like every other code comparison.
    if (codes.every((code, i) => matchStep(secret, code, start + i, 0) !== null)) return start + codes.length - 1;
  }
  return null;
}

export function createMfaService(deps: {
  store: Store;
  secretBox: SecretBox;
  hasher: PasswordHasher;
  audit: AuditRecorder;
  checkSecondFactor: SecondFactorChecker;
  sessions: SessionsService;
  clock: Clock;
  random: RandomBytes;
  issuer: string;
  activationCodes: 1 | 2;
  stepUpMaxAgeSeconds: number;
  notify: Notifier;
  verification: VerificationService;
}) {
  const { store, clock, random, audit } = deps;

  async function loadUser(repos: Repositories, principalOrUserId: Principal | string): Promise<{ user: UsersTable; alias: string }> {
    const user = await repos.users.findUserById(typeof principalOrUserId === 'string' ? principalOrUserId : principalOrUserId.userId);
    const account = user ? await repos.users.findAccountById(user.account_id) : undefined;
    if (!user || !account) throw new AppError('auth.unauthenticated', 'Your session has ended. Log in again.');
    return { user, alias: account.alias };
  }

  async function enrollmentView(user: UsersTable, alias: string, secret: Uint8Array, id: string, expiresAt: number) {
    const accountName = user.kind === 'root' ? user.email! : loginName(user, alias);
    const uri = otpauthUri({ issuer: deps.issuer, accountName, secret });
    const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
    return { id, secret: secretToBase32(secret).replace(/=+$/, ''), otpauthUri: uri, qrSvg, expiresAt };
  }

  /** The ways this user can refresh a step-up now (API.md `methods`). */
  async function stepUpMethods(userId: string): Promise<StepUpMethod[]> {
    if (await store.repos.mfaDevices.findActive(userId)) return ['totp'];
    const user = await store.repos.users.findUserById(userId);
    // Without a device: an email or SMS code where one can reach the user, and the password (API.md).
    const available: StepUpMethod[] = [...(user ? deps.verification.channelsFor(user) : []), 'password'];
    // Account protection (seed 002): the user may have picked one of them for sensitive operations.
    const chosen = user?.step_up_method;
    return chosen && available.includes(chosen) ? [chosen] : available;
  }

  async function requireAllowedMethod(principal: Principal, method: StepUpMethod) {
    const methods = await stepUpMethods(principal.userId);
    if (!methods.includes(method)) {
      throw new AppError('auth.step_up_required', `Verify with ${methods.join(' or ')}: that is how this account protects sensitive operations.`, { details: { methods } });
    }
  }

  async function requireFreshStepUp(principal: Principal): Promise<void> {
    if (principal.stepUpUntil > clock()) return;
    throw new AppError('auth.step_up_required', 'This is a sensitive operation: verify it is you first (POST /me/step-up).', {
      details: { methods: await stepUpMethods(principal.userId) },
    });
  }

  function secondFactorFailure(result: Exclude<Awaited<ReturnType<SecondFactorChecker>>, { ok: true }>, now: number, status?: number): AppError {
    return result.reason === 'locked' ? lockedError(result.lockedUntil, now) : invalidCodeError(result.clockSkew, status);
  }

  async function recordFailure(repos: Repositories, user: UsersTable, path: string, meta: RequestMeta, clockSkew: boolean, lockedUntil: number, now: number) {
    await audit(repos, { type: 'mfa.verify_failed', accountId: user.account_id, userId: user.id, ip: meta.ip, userAgent: meta.userAgent, details: { path, clockSkew } }, now);
    if (lockedUntil > now) {
      await audit(repos, { type: 'mfa.locked', accountId: user.account_id, userId: user.id, ip: meta.ip, userAgent: meta.userAgent, details: { until: new Date(lockedUntil).toISOString() } }, now);
      await notifyLockout(repos, deps.notify, user, lockedUntil, meta, now);
    }
  }

  async function enroll(actor: Principal, ownerUserId: string, meta: RequestMeta) {
    if (await store.repos.mfaDevices.findActive(ownerUserId)) {
      throw new AppError('mfa.already_bound', 'A virtual MFA device is already bound. Unbind it first to bind a new one.');
    }
    // NIST SP 800-63B §6.1.2.1: binding needs a fresh authentication; a restricted session was just created by one.
    if (!actor.restricted || actor.userId !== ownerUserId) await requireFreshStepUp(actor);
    const now = clock();
    const secret = random(TOTP_SECRET_BYTES);
    const id = newId(random);
    const { user, alias } = await store.transaction(async (repos) => {
      const loaded = await loadUser(repos, ownerUserId);
      await repos.mfaDevices.deletePending(ownerUserId);
      await repos.mfaDevices.insert({
        id, user_id: ownerUserId, status: 'pending',
        secret_sealed: deps.secretBox.seal(secret, deviceAssociatedData(id)), key_id: deps.secretBox.currentKeyId,
        created_at: now, expires_at: now + ENROLLMENT_TTL_MS, bound_at: null, removed_at: null,
        last_used_step: -1, drift_steps: 0, bound_ip: null, bound_user_agent: null,
      });
      await audit(repos, { type: 'mfa.enrollment_started', accountId: loaded.user.account_id, userId: ownerUserId, actorId: actor.userId, ip: meta.ip, userAgent: meta.userAgent }, now);
      return loaded;
    });
    return { enrollment: await enrollmentView(user, alias, secret, id, now + ENROLLMENT_TTL_MS), codesRequired: deps.activationCodes };
  }

  async function confirm(actor: Principal, ownerUserId: string, input: { enrollmentId: string; codes: string[] }, meta: RequestMeta) {
    if (input.codes.length !== deps.activationCodes) {
      throw new AppError('validation.failed', `Enter ${deps.activationCodes === 2 ? 'two consecutive codes' : 'one code'} from your authenticator app.`, {
        details: { fields: [{ path: '/codes', message: `must hold exactly ${deps.activationCodes} code(s)` }] },
      });
    }
    const now = clock();
    const outcome = await store.transaction(async (repos) => {
      const pending = await repos.mfaDevices.findPending(input.enrollmentId, ownerUserId);
      if (!pending) return { kind: 'not_found' as const };
      if (pending.expires_at! <= now) return { kind: 'expired' as const };
      if (await repos.mfaDevices.findActive(ownerUserId)) return { kind: 'already_bound' as const };
      const key = throttleKeys.secondFactor(ownerUserId);
      const reservation = await repos.throttles.reserve(key, throttlePolicies.secondFactor, now);
      if (!reservation) return { kind: 'locked' as const, lockedUntil: (await repos.throttles.get(key))?.locked_until ?? now + 1000 };
      const secret = deps.secretBox.open(pending.secret_sealed, deviceAssociatedData(pending.id));
      const current = timeStep(now);
      const lastStep = matchConsecutive(secret, input.codes, current, VERIFY_WINDOW_STEPS);
      const { user } = await loadUser(repos, ownerUserId);
      if (lastStep === null) {
        const clockSkew = matchConsecutive(secret, input.codes, current, CLOCK_SKEW_SEARCH_STEPS) !== null;
        await recordFailure(repos, user, 'activate', meta, clockSkew, reservation.locked_until, now);
        return { kind: 'invalid' as const, clockSkew };
      }
      // The activation codes' steps are burned, so they cannot double as the next login's code (nebula-mesh PR #237).
      const activated = await repos.mfaDevices.activate({ id: pending.id, userId: ownerUserId, lastUsedStep: lastStep, driftSteps: clampDrift(lastStep - current), now, ip: meta.ip, userAgent: meta.userAgent });
      if (!activated) return { kind: 'expired' as const };
      await repos.throttles.reset(key);
      const byAdmin = actor.userId !== ownerUserId;
      await audit(repos, { type: 'mfa.bound', accountId: user.account_id, userId: ownerUserId, actorId: actor.userId, ip: meta.ip, userAgent: meta.userAgent, details: { deviceId: pending.id } }, now);
      await deps.notify(repos, recipientOf(user), { kind: 'mfa.bound', byAdmin: byAdmin ? await actorName(repos, actor.userId) : null }, meta, now);
      // Binding changes how the account is protected: end the user's other sessions (Bugcrowd VRT PR #260)
      // and replace the caller's session, restricted or full, with a new one that proved the device
      // (a privilege change rotates the session id, DESIGN.md §2.7).
      await repos.sessions.endOthers(ownerUserId, byAdmin ? '' : actor.sessionId, now);
      let session;
      if (!byAdmin && actor.restricted) {
        await repos.sessions.end(actor.sessionId, now);
        session = await deps.sessions.issueSession(repos, ownerUserId, { restricted: false, stepUp: true, mfaVerified: true, now, meta });
      } else if (!byAdmin) {
        session = await deps.sessions.rotateSession(repos, actor, { now, meta });
      }
      return { kind: 'ok' as const, device: { id: pending.id, bound_at: now }, session };
    }).catch((error: unknown) => {
      if (isUniqueViolation(error)) return { kind: 'already_bound' as const };
      throw error;
    });
    switch (outcome.kind) {
      case 'not_found':
        throw new AppError('mfa.enrollment_not_found', 'This binding was not found. Start binding again.');
      case 'expired':
        throw new AppError('mfa.enrollment_expired', 'This binding expired (10 minutes). Start binding again and scan the new QR code.');
      case 'already_bound':
        throw new AppError('mfa.already_bound', 'A virtual MFA device is already bound.');
      case 'locked':
        throw lockedError(outcome.lockedUntil, now);
      case 'invalid':
        throw invalidCodeError(outcome.clockSkew, 422);
      case 'ok':
        return { device: publicDevice(outcome.device), ...(outcome.session ? { session: outcome.session } : {}) };
    }
  }

  async function actorName(repos: Repositories, userId: string): Promise<string> {
    const actor = await repos.users.findUserById(userId);
    return actor ? (actor.kind === 'root' ? `The primary account (${actor.display_name})` : `${actor.display_name} (${actor.username})`) : 'An administrator';
  }

  return {
    stepUpMethods,
    requireFreshStepUp,

    async status(principal: Principal) {
      const device = await store.repos.mfaDevices.findActive(principal.userId);
      return device ? { bound: true as const, device: publicDevice(device) } : { bound: false as const };
    },

    /** POST /me/mfa-device: a new pending secret, shown this once (DESIGN.md §2.8). */
    startEnrollment(principal: Principal, meta: RequestMeta) {
      return enroll(principal, principal.userId, meta);
    },

    /** POST /users/{id}/mfa-device: the same for a sub-user; the caller has checked the actor may manage it. */
    startEnrollmentFor(actor: Principal, ownerUserId: string, meta: RequestMeta) {
      return enroll(actor, ownerUserId, meta);
    },

    /**
     * Shows a still-pending enrollment again (the console re-renders the QR code after a mistyped
     * code). Only the enrolling user, only while pending and unexpired; a bound secret is never shown.
     */
    async pendingEnrollment(principal: Principal, enrollmentId: string, ownerUserId = principal.userId) {
      const pending = await store.repos.mfaDevices.findPending(enrollmentId, ownerUserId);
      if (!pending || pending.expires_at! <= clock()) return null;
      const { user, alias } = await loadUser(store.repos, ownerUserId);
      const secret = deps.secretBox.open(pending.secret_sealed, deviceAssociatedData(pending.id));
      return { enrollment: await enrollmentView(user, alias, secret, pending.id, pending.expires_at!), codesRequired: deps.activationCodes };
    },

    /** POST /me/mfa-device/activate: two consecutive codes (or one) from the pending secret. */
    activate(principal: Principal, input: { enrollmentId: string; codes: string[] }, meta: RequestMeta) {
      return confirm(principal, principal.userId, input, meta);
    },

    /** POST /users/{id}/mfa-device/activate: the actor (primary or user-admin) confirms a sub-user's device. */
    async activateFor(actor: Principal, ownerUserId: string, input: { enrollmentId: string; codes: string[] }, meta: RequestMeta) {
      await requireFreshStepUp(actor);
      const result = await confirm(actor, ownerUserId, input, meta);
      return { device: result.device };
    },

    /** DELETE /me/mfa-device: a current code plus a fresh step-up (seed 000 "safety verification"). */
    async unbind(principal: Principal, input: { code: string }, meta: RequestMeta) {
      const device = await store.repos.mfaDevices.findActive(principal.userId);
      if (!device) throw new AppError('mfa.not_bound', 'No virtual MFA device is bound.');
      await requireFreshStepUp(principal);
      const now = clock();
      const outcome = await store.transaction(async (repos) => {
        const { user } = await loadUser(repos, principal);
        const result = await deps.checkSecondFactor(repos, device, input.code, now);
        if (!result.ok) {
          if (result.reason === 'invalid') await recordFailure(repos, user, 'unbind', meta, result.clockSkew, result.lockedUntil, now);
          return result;
        }
        await repos.mfaDevices.remove(device.id, now);
        await repos.sessions.endOthers(principal.userId, principal.sessionId, now);
        await audit(repos, { type: 'mfa.unbound', accountId: principal.accountId, userId: principal.userId, ip: meta.ip, userAgent: meta.userAgent, details: { deviceId: device.id } }, now);
        await deps.notify(repos, recipientOf(user), { kind: 'mfa.unbound' }, meta, now);
        return result;
      });
      if (!outcome.ok) throw secondFactorFailure(outcome, now);
    },

    /**
     * DELETE /users/{id}/mfa-device (seed 003: a sub-user lost its phone, the primary account
     * resets it). Needs the actor's fresh step-up; ends all of the sub-user's sessions, so a thief
     * holding one loses it; the sub-user binds again at the next login when MFA is required.
     */
    async resetFor(actor: Principal, ownerUserId: string, reason: string | null, meta: RequestMeta) {
      await requireFreshStepUp(actor);
      const now = clock();
      const reset = await store.transaction(async (repos) => {
        const device = await repos.mfaDevices.findActive(ownerUserId);
        if (!device) return false;
        const { user } = await loadUser(repos, ownerUserId);
        await repos.mfaDevices.remove(device.id, now);
        await repos.mfaDevices.deletePending(ownerUserId);
        await repos.sessions.endAllForUser(ownerUserId, now);
        await audit(repos, { type: 'mfa.reset_by_admin', accountId: user.account_id, userId: ownerUserId, actorId: actor.userId, ip: meta.ip, userAgent: meta.userAgent, details: { deviceId: device.id, reason } }, now);
        await deps.notify(repos, recipientOf(user), { kind: 'mfa.reset_by_admin', admin: await actorName(repos, actor.userId), reason }, meta, now);
        return true;
      });
      if (!reset) throw new AppError('mfa.not_bound', 'This user has no virtual MFA device bound.');
    },

    /** GET /me/protection: the scenarios of seed 002 and how each is verified now. */
    async protection(principal: Principal) {
      const bound = (await store.repos.mfaDevices.findActive(principal.userId)) !== undefined;
      const user = await store.repos.users.findUserById(principal.userId);
      const choices: StepUpMethod[] = bound ? ['totp'] : [...(user ? deps.verification.channelsFor(user) : []), 'password'];
      return {
        login: { methods: bound ? ['password', 'totp'] : ['password'], note: bound ? 'The bound TOTP device is always required at login.' : 'Bind a virtual MFA device to require a dynamic code at login.' },
        sensitiveOperations: { method: bound ? 'totp' : (user?.step_up_method && choices.includes(user.step_up_method) ? user.step_up_method : null), choices },
      };
    },

    /** PUT /me/protection: pick the method for sensitive operations (while no device is bound). */
    async setProtection(principal: Principal, method: StepUpMethod, meta: RequestMeta) {
      await requireFreshStepUp(principal);
      const bound = (await store.repos.mfaDevices.findActive(principal.userId)) !== undefined;
      if (bound && method !== 'totp') throw new AppError('auth.forbidden', 'With a virtual MFA device bound, sensitive operations are always verified with it.');
      if (!bound && method === 'totp') throw new AppError('mfa.not_bound', 'Bind a virtual MFA device first; sensitive operations then use it.');
      const user = await store.repos.users.findUserById(principal.userId);
      if (!bound && method !== 'password' && !(user && deps.verification.channelsFor(user).includes(method as 'email' | 'sms'))) {
        throw new AppError('verification.channel_unavailable', 'That channel cannot reach this account.');
      }
      const now = clock();
      await store.transaction(async (repos) => {
        if (!bound) await repos.users.updateUser(principal.userId, { step_up_method: method as 'password' | 'email' | 'sms' });
        await audit(repos, { type: 'protection.changed', accountId: principal.accountId, userId: principal.userId, ip: meta.ip, userAgent: meta.userAgent, details: { sensitiveOperations: method } }, now);
      });
    },

    /** POST /me/mfa-device/resync: two consecutive codes found up to 5 minutes away re-learn the phone's drift. */
    async resync(principal: Principal, input: { codes: string[] }, meta: RequestMeta) {
      if (input.codes.length !== 2) {
        throw new AppError('validation.failed', 'Enter two consecutive codes from your authenticator app.', { details: { fields: [{ path: '/codes', message: 'must hold exactly 2 codes' }] } });
      }
      const now = clock();
      const outcome = await store.transaction(async (repos) => {
        const device = await repos.mfaDevices.findActive(principal.userId);
        if (!device) return { kind: 'not_bound' as const };
        const key = throttleKeys.secondFactor(principal.userId);
        const reservation = await repos.throttles.reserve(key, throttlePolicies.secondFactor, now);
        if (!reservation) return { kind: 'locked' as const, lockedUntil: (await repos.throttles.get(key))?.locked_until ?? now + 1000 };
        const secret = deps.secretBox.open(device.secret_sealed, deviceAssociatedData(device.id));
        const current = timeStep(now);
        const lastStep = matchConsecutive(secret, input.codes, current, MAX_DRIFT_STEPS);
        const drift = lastStep === null ? 0 : clampDrift(lastStep - current);
        if (lastStep === null || lastStep - 1 <= device.last_used_step || !(await repos.mfaDevices.consumeStep(device.id, lastStep, drift))) {
          const { user } = await loadUser(repos, principal);
          await recordFailure(repos, user, 'resync', meta, false, reservation.locked_until, now);
          return { kind: 'invalid' as const };
        }
        await repos.throttles.reset(key);
        await audit(repos, { type: 'mfa.resynced', accountId: principal.accountId, userId: principal.userId, ip: meta.ip, userAgent: meta.userAgent, details: { driftSeconds: drift * TOTP_PERIOD_SECONDS } }, now);
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

    /** POST /me/step-up: refreshes this session's step-up (and only this session's, API.md). */
    async stepUp(principal: Principal, input: { method: 'totp'; code: string } | { method: 'password'; password: string } | { method: 'email' | 'sms'; verificationId: string; code: string }, meta: RequestMeta) {
      const now = clock();
      const until = now + deps.stepUpMaxAgeSeconds * 1000;
      const device = await store.repos.mfaDevices.findActive(principal.userId);
      if (input.method === 'totp') {
        if (!device) throw new AppError('mfa.not_bound', 'No virtual MFA device is bound; verify with your password instead.');
        const outcome = await store.transaction(async (repos) => {
          const { user } = await loadUser(repos, principal);
          const result = await deps.checkSecondFactor(repos, device, input.code, now);
          if (!result.ok) {
            if (result.reason === 'invalid') await recordFailure(repos, user, 'step_up', meta, result.clockSkew, result.lockedUntil, now);
            return result;
          }
          await audit(repos, { type: 'stepup.succeeded', accountId: principal.accountId, userId: principal.userId, ip: meta.ip, userAgent: meta.userAgent, details: { method: 'totp' } }, now);
          // The first proof of the device in this session raises it to MFA-verified: a privilege
          // change, so the session id rotates (DESIGN.md §2.7); later step-ups just refresh it.
          if (principal.mfaVerified) {
            await repos.sessions.setStepUp(principal.sessionId, until, true);
            return { ...result, session: undefined };
          }
          return { ...result, session: await deps.sessions.rotateSession(repos, principal, { now, meta }) };
        });
        if (!outcome.ok) throw secondFactorFailure(outcome, now);
        return { stepUpUntil: until, ...(outcome.session ? { session: outcome.session } : {}) };
      }
      if (input.method === 'email' || input.method === 'sms') {
        // Email and SMS codes are a step-up only while no device is bound (API.md): they are weaker than TOTP.
        if (device) throw new AppError('auth.step_up_required', 'A virtual MFA device is bound: verify with a code from it.', { details: { methods: ['totp'] } });
        await requireAllowedMethod(principal, input.method);
        const ok = await store.transaction(async (repos) => {
          // One budget across factors (DESIGN.md §2.2): a wrong email code counts like a wrong TOTP.
          const key = throttleKeys.secondFactor(principal.userId);
          const reservation = await repos.throttles.reserve(key, throttlePolicies.secondFactor, now);
          if (!reservation) return { locked: (await repos.throttles.get(key))?.locked_until ?? now + 1000 };
          const valid = await deps.verification.check(repos, principal.userId, input.verificationId, input.code, now, input.method);
          if (valid) {
            await repos.throttles.reset(key);
            await repos.sessions.setStepUp(principal.sessionId, until);
          }
          await audit(repos, { type: valid ? 'stepup.succeeded' : 'stepup.failed', accountId: principal.accountId, userId: principal.userId, ip: meta.ip, userAgent: meta.userAgent, details: { method: input.method } }, now);
          return { valid };
        });
        if (ok.locked !== undefined) throw lockedError(ok.locked, now);
        if (!ok.valid) throw new AppError('verification.invalid_code', 'The code is not valid: it may be mistyped, expired (10 minutes), already used, or out of tries. Ask for a new code.');
        return { stepUpUntil: until };
      }
      // A password re-check is only a step-up while the password is all the user has (API.md).
      if (device) {
        throw new AppError('auth.step_up_required', 'A virtual MFA device is bound: verify with a code from it.', { details: { methods: ['totp'] } });
      }
      await requireAllowedMethod(principal, 'password');
      const { user, alias } = await loadUser(store.repos, principal);
      const key = throttleKeys.password(loginName(user, alias));
      if (!(await store.repos.throttles.reserve(key, throttlePolicies.password, now))) {
        const row = await store.repos.throttles.get(key);
        throw new AppError('auth.too_many_attempts', 'Too many wrong passwords. Try again later.', { details: { retryAfterSeconds: retryAfterSeconds(row?.locked_until ?? now, now) } });
      }
      const password = (input as { password: string }).password; // the only method left here
      const ok = await deps.hasher.verify(user.password_hash, password);
      await store.transaction(async (repos) => {
        if (ok) {
          await repos.throttles.reset(key);
          await repos.sessions.setStepUp(principal.sessionId, until);
        }
        await audit(repos, { type: ok ? 'stepup.succeeded' : 'stepup.failed', accountId: principal.accountId, userId: principal.userId, ip: meta.ip, userAgent: meta.userAgent, details: { method: 'password' } }, clock());
      });
      if (!ok) throw new AppError('auth.invalid_credentials', 'The password is not correct.');
      return { stepUpUntil: until };
    },
  };
}
export type MfaService = ReturnType<typeof createMfaService>;
