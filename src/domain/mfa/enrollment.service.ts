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
  matchConsecutive,
  otpauthUri,
  secretToBase32,
  timeStep,
} from '../../crypto/totp.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import { recipientOf } from '../notify/recipients.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import { mergeAmr, methodsOf } from '../sessions/amr.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import type { StepUpService } from '../step-up/step-up.service.js';
import type { RecoveryCodesService } from './recovery-codes.service.js';
import type { Repositories } from '../../db/repositories/index.js';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Factors } from '../factors/index.js';
import type { Principal as Actor } from '../sessions/principal.js';
import { MAX_DEVICES, publicDevice } from './device.service.js';
import { actorLabel, loadUser, loginName } from '../users/user-views.js';
import {
  clampDrift,
  clearSecondFactorFailures,
  deviceAssociatedData,
  invalidCodeError,
  lockedError,
  recordSecondFactorFailure,
  reserveSecondFactorTry,
} from '../factors/budget.js';

/**
 * A new pending device: activatable for ENROLLMENT_TTL_MS. An app carries its sealed secret; a
 * passkey has none (its credential arrives with the registration).
 */
function pendingDevice(input: {
  id: string;
  userId: string;
  type: 'totp' | 'webauthn';
  name: string;
  now: number;
  sealed?: { secret: string; keyId: string };
}): MfaDevicesTable {
  return {
    id: input.id,
    user_id: input.userId,
    status: 'pending',
    secret_sealed: input.sealed?.secret ?? '',
    key_id: input.sealed?.keyId ?? '',
    created_at: input.now,
    expires_at: input.now + ENROLLMENT_TTL_MS,
    bound_at: null,
    removed_at: null,
    last_used_step: -1,
    drift_steps: 0,
    bound_ip: null,
    bound_user_agent: null,
    type: input.type,
    name: input.name,
    last_used_at: null,
    credential_id: null,
    public_key: null,
    sign_count: 0,
    transports: null,
    backed_up: 0,
    aaguid: null,
  };
}

/** A pending enrollment can be activated for 10 minutes (Authelia uses the same). */
export const ENROLLMENT_TTL_MS = 10 * 60_000;

const DEFAULT_NAMES = { totp: 'Authenticator app', webauthn: 'Passkey' } as const;

function tooManyDevices() {
  return new AppError('mfa.too_many_devices', (m) => m.mfa.tooManyDevices(MAX_DEVICES));
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
  factors: Pick<Factors, 'passkey'>;
}) {
  const { store, clock, random, audit } = deps;

  /**
   * Who may start adding a device: "the" device (POST /me/mfa-device) only when none is bound;
   * another one (POST /me/mfa-devices) up to the limit. NIST SP 800-63B §6.1.2.1: binding needs a
   * fresh authentication; a restricted session was just created by one.
   */
  /**
   * A restricted session whose user belongs to a workspace that requires a passkey now (its grace
   * period over) may add only a passkey: another authenticator app would not get the user in.
   */
  async function refuseAppIfPasskeyRequired(actor: Principal, ownerUserId: string) {
    if (!actor.restricted || actor.userId !== ownerUserId) return;
    const deadline = await store.repos.workspaces.passkeyDeadlineFor(ownerUserId);
    if (deadline !== null && deadline <= clock())
      throw new AppError('workspace.phishing_resistant_required', (m) => m.mfa.passkeyRequired);
  }

  async function mayStart(actor: Principal, ownerUserId: string, additional: boolean) {
    const count = await store.repos.mfaDevices.countActive(ownerUserId);
    if (!additional && count > 0) throw new AppError('mfa.already_bound', (m) => m.mfa.alreadyBound);
    if (count >= MAX_DEVICES) throw tooManyDevices();
    if (actor.userId !== ownerUserId) await deps.stepUp.requireFresh(actor, 'users.bind_mfa');
    else if (!actor.restricted) await deps.stepUp.requireFresh(actor, additional ? 'mfa.add_device' : 'mfa.bind');
  }

  /** A new device's name: the person's, or the type's own name, numbered after the ones already there. */
  async function deviceName(repos: Repositories, userId: string, type: 'totp' | 'webauthn', name?: string) {
    const given = name?.trim();
    if (given) return given;
    const taken = new Set((await repos.mfaDevices.listActive(userId)).map((d) => d.name));
    let candidate: string = DEFAULT_NAMES[type];
    for (let n = 2; taken.has(candidate); n++) candidate = `${DEFAULT_NAMES[type]} ${n}`;
    return candidate;
  }

  /**
   * What activating any device does, in its transaction: audited and e-mailed naming the device;
   * the user's other sessions end (Bugcrowd VRT PR #260); the caller's session, restricted or
   * full, is replaced by a new one that proved a device (a privilege change rotates the session id,
   * docs/design.md §2.7); recovery codes are handed out once when the owner has none. A device an
   * administrator binds gives none: the administrator must not see them.
   */
  async function afterActivation(
    repos: Repositories,
    actor: Actor,
    ownerUserId: string,
    device: { id: string; name: string; type: 'totp' | 'webauthn' },
    meta: RequestMeta,
    now: number,
    details: Record<string, string | boolean> = {},
  ) {
    const { user } = await loadUser(repos, ownerUserId);
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
        details: { deviceId: device.id, name: device.name, type: device.type, ...details },
      },
      now,
    );
    await deps.notify(
      repos,
      recipientOf(user),
      {
        kind: 'mfa.bound',
        byAdmin: byAdmin ? actorLabel(await repos.users.findUserById(actor.userId)) : null,
        device: { name: device.name, type: device.type },
      },
      meta,
      now,
    );
    await repos.sessions.endOthers(ownerUserId, byAdmin ? '' : actor.sessionId, now, 'mfa_changed');
    const recoveryCodes =
      !byAdmin && (await repos.recoveryCodes.status(ownerUserId)).remaining === 0
        ? await deps.recoveryCodes.issue(repos, ownerUserId, now)
        : undefined;
    let session;
    const phishingResistant = device.type === 'webauthn' && actor.restricted;
    if (!byAdmin && actor.restricted) {
      await repos.sessions.end(actor.sessionId, now, 'rotated');
      session = await deps.sessions.issueSession(repos, ownerUserId, {
        restricted: false,
        stepUp: true,
        mfaVerified: true,
        phishingResistant,
        amr: mergeAmr(actor.amr ?? 'pwd', methodsOf(device.type === 'webauthn' ? 'webauthn' : 'totp')),
        authenticatedAt: actor.authenticatedAt ?? now,
        now,
        meta,
      });
    } else if (!byAdmin) {
      session = await deps.sessions.rotateSession(repos, actor, {
        now,
        meta,
        proved: methodsOf(device.type === 'webauthn' ? 'webauthn' : 'totp'),
      });
    }
    return { session, recoveryCodes };
  }

  async function enrollmentView(user: UsersTable, alias: string, secret: Uint8Array, id: string, expiresAt: number) {
    // The label people see in the app: the email of a primary account, the login of a sub-user.
    const accountName = user.kind === 'root' ? user.email! : loginName(user, alias);
    const uri = otpauthUri({ issuer: deps.issuer, accountName, secret });
    const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
    return { id, secret: secretToBase32(secret).replace(/=+$/, ''), otpauthUri: uri, qrSvg, expiresAt };
  }

  async function enroll(
    actor: Principal,
    ownerUserId: string,
    meta: RequestMeta,
    options: { additional?: boolean; name?: string } = {},
  ) {
    await refuseAppIfPasskeyRequired(actor, ownerUserId);
    await mayStart(actor, ownerUserId, options.additional === true);
    const now = clock();
    const secret = random(TOTP_SECRET_BYTES);
    const id = newId(random);
    const { user, alias, replaced } = await store.transaction(async (repos) => {
      const loaded = await loadUser(repos, ownerUserId);
      const replacedLive = (await repos.mfaDevices.deletePending(ownerUserId, now)) > 0;
      await repos.mfaDevices.insert(
        pendingDevice({
          id,
          userId: ownerUserId,
          type: 'totp',
          name: await deviceName(repos, ownerUserId, 'totp', options.name),
          now,
          sealed: { secret: deps.secretBox.seal(secret, deviceAssociatedData(id)), keyId: deps.secretBox.currentKeyId },
        }),
      );
      await audit(
        repos,
        {
          type: 'mfa.enrollment_started',
          accountId: loaded.user.account_id,
          userId: ownerUserId,
          actorId: actor.userId,
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: { type: 'totp' },
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
      throw new AppError('validation.failed', (m) => m.mfa.enterCodes(deps.activationCodes), {
        details: { fields: [{ path: '/codes', message: `must hold exactly ${deps.activationCodes} code(s)` }] },
      });
    }
    await refuseAppIfPasskeyRequired(actor, ownerUserId);
    const now = clock();
    const outcome = await store.transaction(async (repos) => {
      const pending = await repos.mfaDevices.findPending(input.enrollmentId, ownerUserId);
      if (!pending) return { kind: 'not_found' as const };
      if (pending.expires_at! <= now) return { kind: 'expired' as const };
      if (pending.type !== 'totp') return { kind: 'not_found' as const };
      // Under the user's lock: two activations racing at 7 devices cannot both pass.
      await repos.users.lockForFactorChange(ownerUserId);
      if ((await repos.mfaDevices.countActive(ownerUserId)) >= MAX_DEVICES) return { kind: 'too_many' as const };
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
      const { session, recoveryCodes } = await afterActivation(repos, actor, ownerUserId, pending, meta, now);
      return { kind: 'ok' as const, device: { ...pending, bound_at: now, last_used_at: null }, session, recoveryCodes };
    });
    switch (outcome.kind) {
      case 'not_found':
        throw new AppError('mfa.enrollment_not_found', (m) => m.mfa.bindingNotFound);
      case 'expired':
        throw new AppError('mfa.enrollment_expired', (m) => m.mfa.bindingExpired);
      case 'too_many':
        throw tooManyDevices();
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

  /**
   * POST /me/mfa-devices {type:"webauthn"}: a pending passkey and the creation options for it
   * (attestation none, resident key preferred, the user's passkeys excluded), its challenge single
   * use and good for 5 minutes (decision 028).
   */
  async function startPasskey(principal: Principal, meta: RequestMeta, options: { name?: string } = {}) {
    const unavailable = deps.factors.passkey.unavailableText();
    if (unavailable) throw new AppError('mfa.passkeys_unavailable', unavailable);
    await mayStart(principal, principal.userId, true);
    const now = clock();
    const id = newId(random);
    return store.transaction(async (repos) => {
      const { user, alias } = await loadUser(repos, principal.userId);
      await repos.mfaDevices.deletePending(principal.userId, now);
      const devices = await repos.mfaDevices.listActive(principal.userId);
      await repos.mfaDevices.insert(
        pendingDevice({
          id,
          userId: principal.userId,
          type: 'webauthn',
          name: await deviceName(repos, principal.userId, 'webauthn', options.name),
          now,
        }),
      );
      const creation = await deps.factors.passkey.registrationOptions(
        repos,
        { id: user.id, name: loginName(user, alias), displayName: user.display_name || loginName(user, alias) },
        id,
        devices,
        now,
      );
      await audit(
        repos,
        {
          type: 'mfa.enrollment_started',
          accountId: user.account_id,
          userId: user.id,
          actorId: user.id,
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: { type: 'webauthn' },
        },
        now,
      );
      return { enrollment: { id, expiresAt: now + ENROLLMENT_TTL_MS, options: creation } };
    });
  }

  /** POST /me/mfa-devices/activate {enrollmentId, credential}: the registration response makes the passkey active. */
  async function activatePasskey(
    principal: Principal,
    input: { enrollmentId: string; credential: RegistrationResponseJSON },
    meta: RequestMeta,
  ) {
    const now = clock();
    const outcome = await store
      .transaction(async (repos) => {
        const pending = await repos.mfaDevices.findPending(input.enrollmentId, principal.userId);
        if (!pending || pending.type !== 'webauthn') return { kind: 'not_found' as const };
        if (pending.expires_at! <= now) return { kind: 'expired' as const };
        await repos.users.lockForFactorChange(principal.userId);
        if ((await repos.mfaDevices.countActive(principal.userId)) >= MAX_DEVICES) return { kind: 'too_many' as const };
        const { user } = await loadUser(repos, principal.userId);
        const verified = await deps.factors.passkey.verifyRegistration(repos, user, pending.id, input.credential, {
          path: 'activate',
          meta,
          now,
          status: 422,
        });
        if (!verified.ok) return { kind: 'refused' as const, error: verified.error };
        if (await repos.mfaDevices.findActivePasskey(verified.credentialId)) return { kind: 'exists' as const };
        const activated = await repos.mfaDevices.activatePasskey({
          id: pending.id,
          userId: principal.userId,
          credentialId: verified.credentialId,
          publicKey: verified.publicKey,
          signCount: verified.signCount,
          transports: verified.transports,
          backedUp: verified.backedUp,
          aaguid: verified.aaguid,
          now,
          ip: meta.ip,
          userAgent: meta.userAgent,
        });
        if (!activated) return { kind: 'expired' as const };
        const { session, recoveryCodes } = await afterActivation(
          repos,
          principal,
          principal.userId,
          pending,
          meta,
          now,
          {
            aaguid: verified.aaguid,
            backedUp: verified.backedUp,
          },
        );
        return {
          kind: 'ok' as const,
          device: { ...pending, bound_at: now, last_used_at: null },
          session,
          recoveryCodes,
        };
      })
      .catch((error: unknown) => {
        // Two registrations of one credential at once: the unique index keeps one.
        if (isUniqueViolation(error)) return { kind: 'exists' as const };
        throw error;
      });
    switch (outcome.kind) {
      case 'not_found':
        throw new AppError('mfa.enrollment_not_found', (m) => m.mfa.registrationNotFound);
      case 'expired':
        throw new AppError('mfa.enrollment_expired', (m) => m.mfa.registrationExpired);
      case 'too_many':
        throw tooManyDevices();
      case 'exists':
        throw new AppError('mfa.already_bound', (m) => m.mfa.passkeyAlreadyRegistered);
      case 'refused':
        throw outcome.error;
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

    /** POST /me/mfa-devices: another authenticator app, or a passkey. */
    async add(principal: Principal, input: { type: 'totp' | 'webauthn'; name?: string }, meta: RequestMeta) {
      const options = input.name === undefined ? {} : { name: input.name };
      return input.type === 'webauthn'
        ? startPasskey(principal, meta, options)
        : enroll(principal, principal.userId, meta, { additional: true, ...options });
    },

    /** POST /me/mfa-devices/activate: codes for an authenticator app, a registration response for a passkey. */
    activateAny(
      principal: Principal,
      input: { enrollmentId: string; codes: string[] } | { enrollmentId: string; credential: RegistrationResponseJSON },
      meta: RequestMeta,
    ) {
      return 'credential' in input
        ? activatePasskey(principal, input, meta)
        : confirm(principal, principal.userId, input, meta);
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
      // Only an app's enrollment has a secret to show again.
      if (!pending || pending.type !== 'totp' || pending.expires_at! <= clock()) return null;
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
