import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Repositories } from '../../db/repositories/index.js';
import type { NewPasskey } from '../../db/repositories/mfa-devices.repository.js';
import type { MfaDevicesTable, UsersTable, WebauthnChallengesTable } from '../../db/schema.js';
import { sha256Hex, type RandomBytes } from '../../crypto/random.js';
import { AppError } from '../../errors/app-error.js';
import { errorTexts, type ErrorTexts } from '../../i18n/errors/index.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import {
  clearSecondFactorFailures,
  lockedError,
  recordSecondFactorFailure,
  reserveSecondFactorTry,
  takeSecondFactorTry,
} from './budget.js';
import type { FactorContext, FactorOutcome, FactorUser } from './factor.js';

/** A WebAuthn ceremony's challenge is good for 5 minutes (the browser's own timeout is 1). */
export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60_000;
const CEREMONY_TIMEOUT_MS = 60_000;
/** ES256 and RS256 (COSE, RFC 9053 §2.1 / RFC 8812 §2): what every authenticator offers. */
const ALGORITHMS = [-7, -257];

/** The relying party (W3C WebAuthn Level 3 §5.1.4.1 RP ID, §13.4.9 origin), from TWOFOLD_PUBLIC_URL. */
export type RelyingParty =
  | { id: string; name: string; origin: string }
  /** `unavailable` in English (the console shows it); `text` the same from the error catalogue, in any language. */
  | { unavailable: string; text: (m: ErrorTexts) => string };

function unavailable(text: (m: ErrorTexts) => string): RelyingParty {
  return { unavailable: text(errorTexts.en), text };
}

/**
 * Browsers run WebAuthn only in a secure context: https, or http on localhost (W3C Secure Contexts
 * §3.1); and an RP ID is a domain, never an IP address (WebAuthn §5.1.4.1). Any other public URL
 * gets a reason, shown wherever a passkey would be offered, instead of a ceremony that fails.
 */
export function relyingPartyFor(publicUrl: string, name: string): RelyingParty {
  const url = new URL(publicUrl);
  const host = url.hostname;
  const localhost = host === 'localhost' || host.endsWith('.localhost');
  if (/^[\d.]+$/.test(host) || host.startsWith('['))
    return unavailable((m) => m.factors.passkeysNeedDomain(url.origin));
  if (url.protocol !== 'https:' && !localhost) return unavailable((m) => m.factors.passkeysNeedHttps(url.origin));
  return { id: host, name, origin: url.origin };
}

export function invalidPasskeyError(status?: number): AppError {
  return new AppError('mfa.invalid_credential', (m) => m.factors.passkeyNotVerified, status ? { status } : {});
}

/** The challenge the browser signed, read from its client data (WebAuthn §5.8.1); null if unreadable. */
function signedChallenge(clientDataJSON: unknown): string | null {
  if (typeof clientDataJSON !== 'string') return null;
  try {
    const parsed = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    return typeof parsed.challenge === 'string' && parsed.challenge.length <= 128 ? parsed.challenge : null;
  } catch {
    return null;
  }
}

type Purpose = WebauthnChallengesTable['purpose'];

/** The user's passkeys as credential descriptors (WebAuthn §5.10.3), for allow and exclude lists. */
function descriptorsOf(devices: readonly MfaDevicesTable[]) {
  return devices
    .filter((d) => d.type === 'webauthn' && d.credential_id)
    .map((d) => ({ id: d.credential_id!, ...(d.transports ? { transports: d.transports.split(',') } : {}) }));
}

/**
 * Passkeys and security keys (W3C WebAuthn Level 3, through @simplewebauthn/server; decision 028):
 * registration, and assertions as a second factor (login, step-up) or alone
 * (passwordless). Each ceremony's challenge is made here, stored by its hash and taken (deleted)
 * by the response that carries it, so an assertion is accepted at most once even from an
 * authenticator that keeps no counter. A counter that does not grow (when the key keeps one) is
 * refused and audited as a possibly cloned key (§6.1.1). A failed assertion of a known user takes
 * a try from the same second-factor budget as a wrong TOTP code (docs/design.md §2.2).
 */
export function createPasskeyFactor(deps: {
  rp: RelyingParty;
  random: RandomBytes;
  audit: AuditRecorder;
  notify: Notifier;
}) {
  const rp = 'unavailable' in deps.rp ? null : deps.rp;
  const unavailableText = 'unavailable' in deps.rp ? deps.rp.text : null;

  function requireAvailable() {
    if (!rp) throw new AppError('mfa.passkeys_unavailable', (deps.rp as { text: (m: ErrorTexts) => string }).text);
    return rp;
  }

  async function storeChallenge(
    repos: Repositories,
    challenge: string,
    row: { purpose: Purpose; userId: string | null; deviceId?: string },
    now: number,
  ) {
    await repos.mfaDevices.insertChallenge({
      id_hash: sha256Hex(challenge),
      purpose: row.purpose,
      user_id: row.userId,
      device_id: row.deviceId ?? null,
      created_at: now,
      expires_at: now + PASSKEY_CHALLENGE_TTL_MS,
    });
  }

  /** Takes the challenge the response signed, if it was made for this ceremony (and user) and is unexpired. */
  async function takeChallenge(
    repos: Repositories,
    clientDataJSON: unknown,
    purpose: Purpose,
    userId: string | null,
    now: number,
  ) {
    const challenge = signedChallenge(clientDataJSON);
    if (!challenge) return null;
    const row = await repos.mfaDevices.takeChallenge(sha256Hex(challenge), purpose, now);
    if (!row || (userId !== null && row.user_id !== userId)) return null;
    return { challenge, deviceId: row.device_id };
  }

  const credentialOf = (device: MfaDevicesTable) => ({
    id: device.credential_id!,
    publicKey: new Uint8Array(Buffer.from(device.public_key!, 'base64url')),
    // The counter is compared after the signature is checked (below), so the library gets 0.
    counter: 0,
    ...(device.transports ? { transports: device.transports.split(',') as AuthenticatorTransportFuture[] } : {}),
  });

  /** Checks an assertion against one of `devices`; `{ counterRegressed }` for a valid one whose counter went back. */
  async function checkAssertion(
    devices: readonly MfaDevicesTable[],
    response: AuthenticationResponseJSON,
    challenge: string,
    requireUserVerification: boolean,
  ) {
    const device = devices.find((d) => d.type === 'webauthn' && d.credential_id === response.id);
    if (!device || !rp) return null;
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        credential: credentialOf(device),
        requireUserVerification,
      });
      if (!result.verified) return null;
      const { newCounter, credentialBackedUp: backedUp } = result.authenticationInfo;
      const counterRegressed = (newCounter > 0 || device.sign_count > 0) && newCounter <= device.sign_count;
      return { device, newCounter, backedUp, counterRegressed };
    } catch {
      return null;
    }
  }

  return {
    /** Null when passkeys work here, or why they do not (the console shows it). */
    unavailableReason: (): string | null => (rp ? null : (deps.rp as { unavailable: string }).unavailable),
    /** The same from the error catalogue, for an error in the reader's language. */
    unavailableText: (): ((m: ErrorTexts) => string) | null => unavailableText,

    /** Creation options for a new passkey of `user`, its challenge stored for the pending device. */
    async registrationOptions(
      repos: Repositories,
      user: { id: string; name: string; displayName: string },
      deviceId: string,
      existing: readonly MfaDevicesTable[],
      now: number,
    ): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const party = requireAvailable();
      const options = await generateRegistrationOptions({
        rpName: party.name,
        rpID: party.id,
        userName: user.name,
        userDisplayName: user.displayName,
        // The user handle is the user id: a passwordless assertion names its user by it (§5.4.3).
        userID: new Uint8Array(Buffer.from(user.id, 'utf8')),
        challenge: new Uint8Array(deps.random(32)),
        timeout: CEREMONY_TIMEOUT_MS,
        attestationType: 'none',
        excludeCredentials: descriptorsOf(existing),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
        supportedAlgorithmIDs: ALGORITHMS,
      });
      await storeChallenge(repos, options.challenge, { purpose: 'register', userId: user.id, deviceId }, now);
      return options;
    },

    /**
     * A registration response for the pending device `deviceId`: its challenge taken, then the
     * attestation checked (format none: only the credential is kept, no claim about its maker).
     */
    async verifyRegistration(
      repos: Repositories,
      user: FactorUser,
      deviceId: string,
      response: RegistrationResponseJSON,
      context: FactorContext,
    ): Promise<FactorOutcome<NewPasskey>> {
      const party = requireAvailable();
      const refused = { ok: false as const, error: invalidPasskeyError(context.status) };
      const taken = await takeChallenge(repos, response?.response?.clientDataJSON, 'register', user.id, context.now);
      if (!taken || taken.deviceId !== deviceId) return refused;
      try {
        const result = await verifyRegistrationResponse({
          response,
          expectedChallenge: taken.challenge,
          expectedOrigin: party.origin,
          expectedRPID: party.id,
          requireUserVerification: false,
          supportedAlgorithmIDs: ALGORITHMS,
        });
        if (!result.verified) return refused;
        const { credential, credentialBackedUp, aaguid } = result.registrationInfo;
        // The credential the browser names must be the one the authenticator attested (§7.1 step 24 keeps the latter).
        if (credential.id !== response.id) return refused;
        return {
          ok: true,
          credentialId: credential.id,
          publicKey: Buffer.from(credential.publicKey).toString('base64url'),
          signCount: credential.counter,
          transports: credential.transports?.length ? credential.transports.join(',') : null,
          backedUp: credentialBackedUp,
          aaguid,
        };
      } catch {
        return refused;
      }
    },

    /** Request options for a second-factor assertion by one of the user's passkeys (login, step-up). */
    async assertionOptions(
      repos: Repositories,
      userId: string,
      devices: readonly MfaDevicesTable[],
      purpose: 'login' | 'step_up',
      now: number,
    ): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const party = requireAvailable();
      const options = await generateAuthenticationOptions({
        rpID: party.id,
        challenge: new Uint8Array(deps.random(32)),
        timeout: CEREMONY_TIMEOUT_MS,
        userVerification: 'preferred',
        allowCredentials: descriptorsOf(devices),
      });
      await storeChallenge(repos, options.challenge, { purpose, userId }, now);
      return options;
    },

    /**
     * A passkey as the second factor. The budget's try is taken first; a refusal (an unknown or
     * another user's credential, a wrong origin or RP ID, a bad signature, a used challenge, a
     * counter that went back) is audited like a wrong code and locks the same budget.
     */
    async verify(
      repos: Repositories,
      user: FactorUser,
      devices: readonly MfaDevicesTable[],
      response: AuthenticationResponseJSON,
      purpose: 'login' | 'step_up',
      context: FactorContext,
    ): Promise<FactorOutcome<{ device: MfaDevicesTable }>> {
      const { now, meta } = context;
      const reservation = await takeSecondFactorTry(repos, user.id, context);
      if (!reservation.ok) return { ok: false, error: lockedError(reservation.lockedUntil, now) };
      const taken = await takeChallenge(repos, response?.response?.clientDataJSON, purpose, user.id, now);
      const checked = taken ? await checkAssertion(devices, response, taken.challenge, false) : null;
      if (checked && !checked.counterRegressed) {
        if (
          await repos.mfaDevices.recordPasskeyUse(
            checked.device.id,
            checked.device.sign_count,
            checked.newCounter,
            checked.backedUp,
            now,
          )
        ) {
          await clearSecondFactorFailures(repos, user.id);
          return { ok: true, device: checked.device };
        }
      }
      if (checked?.counterRegressed) await auditCounterRegressed(repos, user, checked, meta, now);
      await recordSecondFactorFailure(
        repos,
        deps,
        user,
        { path: `${context.path}:webauthn`, clockSkew: false, lockedUntil: reservation.locksUntil },
        meta,
        now,
      );
      return { ok: false, error: invalidPasskeyError(context.status) };
    },

    /** Request options for a passwordless sign-in: discoverable credentials, user verification required. */
    async passwordlessOptions(repos: Repositories, now: number): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const party = requireAvailable();
      const options = await generateAuthenticationOptions({
        rpID: party.id,
        challenge: new Uint8Array(deps.random(32)),
        timeout: CEREMONY_TIMEOUT_MS,
        userVerification: 'required',
      });
      await storeChallenge(repos, options.challenge, { purpose: 'passwordless', userId: null }, now);
      return options;
    },

    /**
     * A passwordless assertion: the credential names its user. Only one that verified the user (UV,
     * §6.1 flag) counts — a key without a PIN or biometric is something you have, not two factors.
     * Null for every refusal alike (the caller answers as for a wrong password); a valid assertion
     * with a counter that went back is audited on its owner.
     */
    async verifyPasswordless(
      repos: Repositories,
      challengeId: string,
      response: AuthenticationResponseJSON,
      context: FactorContext,
    ): Promise<
      { ok: true; device: MfaDevicesTable; user: UsersTable } | { ok: false; user?: UsersTable; lockedUntil?: number }
    > {
      const { now, meta } = context;
      // The response must answer the challenge this sign-in was given (its id is the challenge).
      if (signedChallenge(response?.response?.clientDataJSON) !== challengeId) return { ok: false };
      const taken = await takeChallenge(repos, response?.response?.clientDataJSON, 'passwordless', null, now);
      if (!taken || typeof response?.id !== 'string' || response.id.length > 1024) return { ok: false };
      const device = await repos.mfaDevices.findActivePasskey(response.id);
      const user = device ? await repos.users.findUserById(device.user_id) : undefined;
      if (!device || !user || user.disabled_at !== null) return { ok: false };
      // The credential names its user: from here on it is that user's factor, with its budget.
      const reservation = await reserveSecondFactorTry(repos, user.id, now);
      if (!reservation.ok) return { ok: false, user, lockedUntil: reservation.lockedUntil };
      // §7.2 step 6: without an allow list, the user handle must be there and be the credential's user.
      const handle = response.response?.userHandle;
      const checked =
        typeof handle === 'string' && Buffer.from(handle, 'base64url').toString('utf8') === device.user_id
          ? await checkAssertion([device], response, taken.challenge, true)
          : null;
      if (checked && !checked.counterRegressed) {
        if (
          await repos.mfaDevices.recordPasskeyUse(
            device.id,
            device.sign_count,
            checked.newCounter,
            checked.backedUp,
            now,
          )
        ) {
          await clearSecondFactorFailures(repos, user.id);
          return { ok: true, device, user };
        }
      }
      if (checked?.counterRegressed) await auditCounterRegressed(repos, user, checked, meta, now);
      await recordSecondFactorFailure(
        repos,
        deps,
        user,
        { path: 'passwordless:webauthn', clockSkew: false, lockedUntil: reservation.locksUntil },
        meta,
        now,
      );
      return { ok: false, user };
    },
  };

  async function auditCounterRegressed(
    repos: Repositories,
    user: FactorUser,
    checked: { device: MfaDevicesTable; newCounter: number },
    meta: FactorContext['meta'],
    now: number,
  ) {
    await deps.audit(
      repos,
      {
        type: 'mfa.counter_regressed',
        accountId: user.account_id,
        userId: user.id,
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: {
          deviceId: checked.device.id,
          name: checked.device.name,
          stored: checked.device.sign_count,
          received: checked.newCounter,
        },
      },
      now,
    );
  }
}
export type PasskeyFactor = ReturnType<typeof createPasskeyFactor>;
type AuthenticatorTransportFuture = 'ble' | 'cable' | 'hybrid' | 'internal' | 'nfc' | 'smart-card' | 'usb';
