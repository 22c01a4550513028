import QRCode from 'qrcode';
import { AppError } from '../../errors/app-error.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Store } from '../../db/repositories/index.js';
import type { MfaDevicesTable, UsersTable } from '../../db/schema.js';
import { newId, type Clock, type RandomBytes } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import {
  CLOCK_SKEW_SEARCH_STEPS,
  TOTP_SECRET_BYTES,
  VERIFY_WINDOW_STEPS,
  matchStep,
  otpauthUri,
  secretToBase32,
  timeStep,
} from '../../crypto/totp.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import { recipientOf } from '../notify/recipients.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import type { StepUpService } from '../step-up/step-up.service.js';
import type { RecoveryCodesService } from './recovery-codes.service.js';
import { actorLabel, loadUser, loginName } from '../users/user-views.js';
import {
  clampDrift,
  clearSecondFactorFailures,
  deviceAssociatedData,
  invalidCodeError,
  lockedError,
  recordSecondFactorFailure,
  reserveSecondFactorTry,
} from './second-factor.js';

/** A pending enrollment can be activated for 10 minutes (Authelia uses the same). */
export const ENROLLMENT_TTL_MS = 10 * 60_000;

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

/**
 * Binding a virtual MFA device (F1, F4, F5): a new secret shown once, confirmed by consecutive
 * codes. A pending enrollment never disturbs the bound device (docs/design.md §2.5) and expires.
 */
export function createEnrollmentService(deps: {
  store: Store;
  secretBox: SecretBox;
  audit: AuditRecorder;
  notify: Notifier;
  sessions: SessionsService;
  stepUp: StepUpService;
  clock: Clock;
  random: RandomBytes;
  issuer: string;
  activationCodes: 1 | 2;
  recoveryCodes: Pick<RecoveryCodesService, 'issue'>;
}) {
  const { store, clock, random, audit } = deps;

  async function enrollmentView(user: UsersTable, alias: string, secret: Uint8Array, id: string, expiresAt: number) {
    // The label people see in the app: the email of a primary account, the login of a sub-user.
    const accountName = user.kind === 'root' ? user.email! : loginName(user, alias);
    const uri = otpauthUri({ issuer: deps.issuer, accountName, secret });
    const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
    return { id, secret: secretToBase32(secret).replace(/=+$/, ''), otpauthUri: uri, qrSvg, expiresAt };
  }

  async function enroll(actor: Principal, ownerUserId: string, meta: RequestMeta) {
    if (await store.repos.mfaDevices.findActive(ownerUserId)) {
      throw new AppError(
        'mfa.already_bound',
        'A virtual MFA device is already bound. Unbind it first to bind a new one.',
      );
    }
    // NIST SP 800-63B §6.1.2.1: binding needs a fresh authentication; a restricted session was just created by one.
    if (actor.userId !== ownerUserId) await deps.stepUp.requireFresh(actor, 'users.bind_mfa');
    else if (!actor.restricted) await deps.stepUp.requireFresh(actor, 'mfa.bind');
    const now = clock();
    const secret = random(TOTP_SECRET_BYTES);
    const id = newId(random);
    const { user, alias, replaced } = await store.transaction(async (repos) => {
      const loaded = await loadUser(repos, ownerUserId);
      const replacedLive = (await repos.mfaDevices.deletePending(ownerUserId, now)) > 0;
      await repos.mfaDevices.insert({
        id,
        user_id: ownerUserId,
        status: 'pending',
        secret_sealed: deps.secretBox.seal(secret, deviceAssociatedData(id)),
        key_id: deps.secretBox.currentKeyId,
        created_at: now,
        expires_at: now + ENROLLMENT_TTL_MS,
        bound_at: null,
        removed_at: null,
        last_used_step: -1,
        drift_steps: 0,
        bound_ip: null,
        bound_user_agent: null,
      });
      await audit(
        repos,
        {
          type: 'mfa.enrollment_started',
          accountId: loaded.user.account_id,
          userId: ownerUserId,
          actorId: actor.userId,
          ip: meta.ip,
          userAgent: meta.userAgent,
        },
        now,
      );
      return { ...loaded, replaced: replacedLive };
    });
    return {
      enrollment: await enrollmentView(user, alias, secret, id, now + ENROLLMENT_TTL_MS),
      codesRequired: deps.activationCodes,
      /** A binding in progress was replaced: its QR code and key no longer work (the console says so). */
      replacedPending: replaced,
    };
  }

  async function confirm(
    actor: Principal,
    ownerUserId: string,
    input: { enrollmentId: string; codes: string[] },
    meta: RequestMeta,
  ) {
    if (input.codes.length !== deps.activationCodes) {
      throw new AppError(
        'validation.failed',
        `Enter ${deps.activationCodes === 2 ? 'two consecutive codes' : 'one code'} from your authenticator app.`,
        {
          details: { fields: [{ path: '/codes', message: `must hold exactly ${deps.activationCodes} code(s)` }] },
        },
      );
    }
    const now = clock();
    const outcome = await store
      .transaction(async (repos) => {
        const pending = await repos.mfaDevices.findPending(input.enrollmentId, ownerUserId);
        if (!pending) return { kind: 'not_found' as const };
        if (pending.expires_at! <= now) return { kind: 'expired' as const };
        if (await repos.mfaDevices.findActive(ownerUserId)) return { kind: 'already_bound' as const };
        const reservation = await reserveSecondFactorTry(repos, ownerUserId, now);
        if (!reservation.ok) return { kind: 'locked' as const, lockedUntil: reservation.lockedUntil };
        const secret = deps.secretBox.open(pending.secret_sealed, deviceAssociatedData(pending.id));
        const current = timeStep(now);
        const lastStep = matchConsecutive(secret, input.codes, current, VERIFY_WINDOW_STEPS);
        const { user } = await loadUser(repos, ownerUserId);
        if (lastStep === null) {
          const clockSkew = matchConsecutive(secret, input.codes, current, CLOCK_SKEW_SEARCH_STEPS) !== null;
          await recordSecondFactorFailure(
            repos,
            deps,
            user,
            { path: 'activate', clockSkew, lockedUntil: reservation.locksUntil },
            meta,
            now,
          );
          return { kind: 'invalid' as const, clockSkew };
        }
        // The activation codes' steps are burned, so they cannot double as the next login's code (nebula-mesh PR #237).
        const activated = await repos.mfaDevices.activate({
          id: pending.id,
          userId: ownerUserId,
          lastUsedStep: lastStep,
          driftSteps: clampDrift(lastStep - current),
          now,
          ip: meta.ip,
          userAgent: meta.userAgent,
        });
        if (!activated) return { kind: 'expired' as const };
        await clearSecondFactorFailures(repos, ownerUserId);
        const byAdmin = actor.userId !== ownerUserId;
        await audit(
          repos,
          {
            type: 'mfa.bound',
            accountId: user.account_id,
            userId: ownerUserId,
            actorId: actor.userId,
            ip: meta.ip,
            userAgent: meta.userAgent,
            details: { deviceId: pending.id },
          },
          now,
        );
        await deps.notify(
          repos,
          recipientOf(user),
          { kind: 'mfa.bound', byAdmin: byAdmin ? actorLabel(await repos.users.findUserById(actor.userId)) : null },
          meta,
          now,
        );
        // Binding changes how the account is protected: end the user's other sessions (Bugcrowd VRT PR #260)
        // and replace the caller's session, restricted or full, with a new one that proved the device
        // (a privilege change rotates the session id, docs/design.md §2.7).
        await repos.sessions.endOthers(ownerUserId, byAdmin ? '' : actor.sessionId, now, 'mfa_changed');
        // Recovery codes for the owner, shown once in this answer, when none are left. A device an
        // administrator binds gives none: the administrator must not see them.
        const recoveryCodes =
          !byAdmin && (await repos.recoveryCodes.status(ownerUserId)).remaining === 0
            ? await deps.recoveryCodes.issue(repos, ownerUserId, now)
            : undefined;
        let session;
        if (!byAdmin && actor.restricted) {
          await repos.sessions.end(actor.sessionId, now, 'rotated');
          session = await deps.sessions.issueSession(repos, ownerUserId, {
            restricted: false,
            stepUp: true,
            mfaVerified: true,
            now,
            meta,
          });
        } else if (!byAdmin) {
          session = await deps.sessions.rotateSession(repos, actor, { now, meta });
        }
        return { kind: 'ok' as const, device: { id: pending.id, bound_at: now }, session, recoveryCodes };
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) return { kind: 'already_bound' as const };
        throw error;
      });
    switch (outcome.kind) {
      case 'not_found':
        throw new AppError('mfa.enrollment_not_found', 'This binding was not found. Start binding again.');
      case 'expired':
        throw new AppError(
          'mfa.enrollment_expired',
          'This binding expired (10 minutes). Start binding again and scan the new QR code.',
        );
      case 'already_bound':
        throw new AppError('mfa.already_bound', 'A virtual MFA device is already bound.');
      case 'locked':
        throw lockedError(outcome.lockedUntil, now);
      case 'invalid':
        throw invalidCodeError(outcome.clockSkew, 422);
      case 'ok':
        return {
          device: publicDevice(outcome.device),
          ...(outcome.session ? { session: outcome.session } : {}),
          ...(outcome.recoveryCodes ? { recoveryCodes: outcome.recoveryCodes } : {}),
        };
    }
  }

  return {
    /** POST /me/mfa-device: a new pending secret, shown this once (docs/design.md §2.8). */
    start(principal: Principal, meta: RequestMeta) {
      return enroll(principal, principal.userId, meta);
    },

    /** POST /users/{id}/mfa-device: the same for a sub-user; the caller has checked the actor may manage it. */
    startFor(actor: Principal, ownerUserId: string, meta: RequestMeta) {
      return enroll(actor, ownerUserId, meta);
    },

    /**
     * Shows a still-pending enrollment again (the console re-renders the QR code after a mistyped
     * code). Only the enrolling user, only while pending and unexpired; a bound secret is never shown.
     */
    async pending(principal: Principal, enrollmentId: string, ownerUserId = principal.userId) {
      const pending = await store.repos.mfaDevices.findPending(enrollmentId, ownerUserId);
      if (!pending || pending.expires_at! <= clock()) return null;
      const { user, alias } = await loadUser(store.repos, ownerUserId);
      const secret = deps.secretBox.open(pending.secret_sealed, deviceAssociatedData(pending.id));
      return {
        enrollment: await enrollmentView(user, alias, secret, pending.id, pending.expires_at!),
        codesRequired: deps.activationCodes,
      };
    },

    /** POST /me/mfa-device/activate: consecutive codes from the pending secret. */
    activate(principal: Principal, input: { enrollmentId: string; codes: string[] }, meta: RequestMeta) {
      return confirm(principal, principal.userId, input, meta);
    },

    /** POST /users/{id}/mfa-device/activate: the actor (primary or user-admin) confirms a sub-user's device. */
    async activateFor(
      actor: Principal,
      ownerUserId: string,
      input: { enrollmentId: string; codes: string[] },
      meta: RequestMeta,
    ) {
      await deps.stepUp.requireFresh(actor, 'users.bind_mfa');
      const result = await confirm(actor, ownerUserId, input, meta);
      return { device: result.device };
    },
  };
}
export type EnrollmentService = ReturnType<typeof createEnrollmentService>;
