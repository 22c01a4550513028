import { AppError } from '../../errors/app-error.js';
import type { ErrorTexts } from '../../i18n/errors/index.js';
import type { Repositories, Store } from '../../db/repositories/index.js';
import type { UsersTable } from '../../db/schema.js';
import { newSecret, sha256Hex, type Clock, type RandomBytes } from '../../crypto/random.js';
import type { PasswordHasher } from '../../crypto/password.js';
import type { AuditRecorder } from '../audit/audit.js';
import { displayLogin, findUserByLogin, normalizeEmail, publicUser } from '../users/user-views.js';
import { CHALLENGE_MAX_ATTEMPTS, retryAfterSeconds, throttleKeys, throttlePolicies } from '../throttle/policies.js';
import type { Factors } from '../factors/index.js';
import { lockedError } from '../factors/budget.js';
import type { FactorOutcome } from '../factors/factor.js';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { MfaDevicesTable } from '../../db/schema.js';
import type { RequestMeta } from './principal.js';
import { methodsOf } from './amr.js';
import type { RecoveryEffects } from '../recovery/effects.js';
import type { SessionsService } from './sessions.service.js';
import type { Notifier } from '../notify/notifications.js';
import { recipientOf } from '../notify/recipients.js';

/** The pending login between password and dynamic code: short-lived, single use (EyeDP #388). */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** How often, and how many times, a login refused while others of its name are being checked asks again. */
const IN_FLIGHT_POLL_MS = 50;
const IN_FLIGHT_WAITS = 60;
/** A browser as the new-login notice tells them apart: a hash of its user agent. */
const browserFingerprint = (meta: RequestMeta) => sha256Hex(meta.userAgent ?? '');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Logging in (F2): the password step, then the dynamic code (or a recovery code) for a user with a
 * bound device. Every try is counted before it is evaluated (decision 002).
 */
export function createLoginService(deps: {
  store: Store;
  hasher: PasswordHasher;
  audit: AuditRecorder;
  factors: Pick<Factors, 'totp' | 'recoveryCode' | 'passkey'>;
  clock: Clock;
  random: RandomBytes;
  notify: Notifier;
  sessions: Pick<SessionsService, 'issueSession'>;
  recoveryEffects: Pick<RecoveryEffects, 'applyIfDue' | 'cancelOpen'>;
  /** Sign-in with a passkey alone (TWOFOLD_PASSWORDLESS). */
  passwordless: boolean;
}) {
  const { store, clock, random, audit } = deps;
  const { issueSession } = deps.sessions;
  /** The audit event of a completed login, with the factors it took, in the caller's transaction. */
  function loginSucceeded(
    repos: Repositories,
    user: Pick<UsersTable, 'id' | 'account_id'>,
    meta: RequestMeta,
    details: Record<string, string | boolean>,
    now: number,
  ) {
    return audit(
      repos,
      {
        type: 'login.succeeded',
        accountId: user.account_id,
        userId: user.id,
        ip: meta.ip,
        userAgent: meta.userAgent,
        details,
      },
      now,
    );
  }

  function requirePasswordless() {
    if (!deps.passwordless) throw new AppError('request.not_found', (m) => m.sessions.passwordlessOff);
  }

  /** Password checks under way in this process, per throttle key (see the login's wait). */
  const inFlight = new Map<string, number>();

  /** "New login from a browser not seen before" (the first browser of an account is not news). */
  async function noticeBrowser(repos: Repositories, user: UsersTable, meta: RequestMeta, now: number) {
    const fingerprint = browserFingerprint(meta);
    if (
      (await repos.messages.rememberBrowser(user.id, fingerprint, now)) &&
      (await repos.messages.hasOtherBrowsers(user.id, fingerprint))
    ) {
      await deps.notify(repos, recipientOf(user), { kind: 'login.new_browser', userAgent: meta.userAgent }, meta, now);
    }
  }

  /**
   * Counts a password try for the client address and the login before the password is checked,
   * in one (group-committed) transaction. Rows are locked address first, then login, everywhere
   * (decision 015): the reverse order on the success path deadlocked on PostgreSQL.
   */
  function reservePasswordTry(ipKey: string | null, passwordKey: string, now: number) {
    return store.transaction(async (repos) => {
      if (ipKey && !(await repos.throttles.reserve(ipKey, throttlePolicies.loginIp, now))) {
        return {
          ok: false as const,
          message: (m: ErrorTexts) => m.sessions.tooManyLoginsFromNetwork,
          lockedUntil: (await repos.throttles.get(ipKey))?.locked_until ?? now,
        };
      }
      const reserved = await repos.throttles.reserve(passwordKey, throttlePolicies.password, now);
      if (!reserved) {
        if (ipKey) await repos.throttles.refund(ipKey, throttlePolicies.loginIp);
        return {
          ok: false as const,
          message: (m: ErrorTexts) => m.sessions.tooManyLoginsForAccount,
          lockedUntil: (await repos.throttles.get(passwordKey))?.locked_until ?? now,
        };
      }
      // The try that reaches the threshold locks the login; if its password is wrong, that lock stands.
      return { ok: true as const, locksUntil: reserved.locked_until > now ? reserved.locked_until : 0 };
    });
  }

  async function checkPassword(
    input: { login: string; password: string },
    meta: RequestMeta,
    keys: { ipKey: string | null; passwordKey: string; locksNow: number },
  ) {
    const { ipKey, passwordKey } = keys;
    const found = await findUserByLogin(store.repos, input.login);
    const passwordOk =
      found && found.user.disabled_at === null
        ? await deps.hasher.verify(found.user.password_hash, input.password)
        : await deps.hasher.verifyDecoy(input.password);
    const at = clock();
    if (!found || !passwordOk) {
      await store.transaction(async (repos) => {
        const ids = {
          accountId: found?.user.account_id ?? null,
          userId: found?.user.id ?? null,
          ip: meta.ip,
          userAgent: meta.userAgent,
        };
        await audit(repos, { type: 'login.failed', ...ids, details: { factor: 'password' } }, at);
        if (keys.locksNow > 0) {
          // RFC 4226 §7.2 / NIST SP 800-63B §5.2.2: the lock is recorded and the owner told, once
          // per lock period (only the try that set the lock gets here).
          await audit(
            repos,
            {
              type: 'login.locked',
              ...ids,
              details: { factor: 'password', until: new Date(keys.locksNow).toISOString() },
            },
            at,
          );
          if (found)
            await deps.notify(repos, recipientOf(found.user), { kind: 'login.locked', until: keys.locksNow }, meta, at);
        }
      });
      throw new AppError('auth.invalid_credentials', (m) => m.sessions.invalidCredentials);
    }
    let { user } = found;
    return store.transaction(async (repos) => {
      if (ipKey) await repos.throttles.refund(ipKey, throttlePolicies.loginIp);
      await repos.throttles.reset(passwordKey);
      // One read (decision 020): the devices, whether recovery codes are left, when a
      // phishing-resistant workspace starts requiring a passkey, and a lost-device ticket whose
      // cooling-off period is over — which takes effect now, even if the scheduler has not run yet
      // (issue 13): the devices go and this login must bind a new one.
      const found = await repos.mfaDevices.findActiveWithDueTicket(user.id, at);
      let devices = found.devices;
      if (
        user.kind === 'root' &&
        found.dueTicketId !== null &&
        (await deps.recoveryEffects.applyIfDue(repos, found.dueTicketId, at))
      ) {
        user = { ...user, mfa_required: 1 };
        devices = [];
      }
      if (devices.length > 0) {
        // Only a challenge id: no session, no cookie, nothing that opens the account (better-auth #19).
        const challengeId = newSecret(random);
        const expiresAt = at + CHALLENGE_TTL_MS;
        const hasPasskey = devices.some((d) => d.type === 'webauthn');
        await repos.sessions.insertChallenge({
          id_hash: sha256Hex(challengeId),
          user_id: user.id,
          created_at: at,
          expires_at: expiresAt,
          attempts: 0,
          consumed_at: null,
          ip: meta.ip,
          user_agent: meta.userAgent?.slice(0, 256) ?? null,
          must_add_passkey: !hasPasskey && found.passkeyDeadline !== null && found.passkeyDeadline <= at ? 1 : 0,
        });
        await audit(
          repos,
          {
            type: 'login.password_verified',
            accountId: user.account_id,
            userId: user.id,
            ip: meta.ip,
            userAgent: meta.userAgent,
          },
          at,
        );
        const methods = [
          ...(devices.some((d) => d.type === 'totp') ? ['totp' as const] : []),
          ...(hasPasskey && deps.factors.passkey.unavailableReason() === null ? ['webauthn' as const] : []),
          ...(found.hasRecoveryCodes ? ['recovery_code' as const] : []),
        ];
        const webauthn = methods.includes('webauthn')
          ? { options: await deps.factors.passkey.assertionOptions(repos, user.id, devices, 'login', at) }
          : undefined;
        return {
          status: 'mfa_required' as const,
          challenge: { id: challengeId, expiresAt, methods, ...(webauthn ? { webauthn } : {}) },
        };
      }
      // A sub-user with "MFA required", or a member of a workspace whose MFA policy's grace period
      // is over (the strictest of its workspaces), must bind before anything else.
      const workspaceDeadline = await repos.workspaces.mfaDeadlineFor(user.id);
      if (user.mfa_required === 1 || (workspaceDeadline !== null && workspaceDeadline <= at)) {
        // API.md: a restricted session, which may only bind a device and sign out.
        // The password was proved a moment ago: binding right away asks for no second verification
        // (decision 026); a restricted session that outlives the step-up age asks again.
        const session = await issueSession(repos, user.id, {
          restricted: true,
          stepUp: true,
          amr: methodsOf('password'),
          now: at,
          meta,
        });
        await loginSucceeded(repos, user, meta, { factors: 'password', restricted: true }, at);
        return { status: 'mfa_enrollment_required' as const, session, user: publicUser(user) };
      }
      const session = await issueSession(repos, user.id, {
        restricted: false,
        stepUp: true,
        amr: methodsOf('password'),
        now: at,
        meta,
      });
      await loginSucceeded(repos, user, meta, { factors: 'password' }, at);
      await noticeBrowser(repos, user, meta, at);
      return { status: 'authenticated' as const, session, user: publicUser(user) };
    });
  }

  return {
    /** Logins whose password is being checked now, by name: an entry leaves with its last check. */
    passwordChecksInFlight: () => inFlight.size,
    /** POST /sessions: the password step. */
    async login(input: { login: string; password: string }, meta: RequestMeta) {
      const now = clock();
      const ipKey = meta.ip ? throttleKeys.loginIp(meta.ip) : null;
      // Keyed by the typed login, known or not, so a lock does not reveal which logins exist.
      const passwordKey = throttleKeys.password(normalizeEmail(input.login));
      let reservation = await reservePasswordTry(ipKey, passwordKey, now);
      // Every try is counted before its password is checked, so correct logins of the same name
      // still being hashed here can lock it for a moment. A refused login waits for them: the first
      // correct one clears the count (consecutive failures, NIST SP 800-63B §5.2.2). No more tries
      // are evaluated than the threshold allows, since each evaluated one holds its reservation.
      for (let wait = 0; !reservation.ok && (inFlight.get(passwordKey) ?? 0) > 0 && wait < IN_FLIGHT_WAITS; wait++) {
        await sleep(IN_FLIGHT_POLL_MS);
        reservation = await reservePasswordTry(ipKey, passwordKey, now);
      }
      if (!reservation.ok)
        throw new AppError('auth.too_many_attempts', reservation.message, {
          details: { retryAfterSeconds: retryAfterSeconds(reservation.lockedUntil, now) },
        });
      inFlight.set(passwordKey, (inFlight.get(passwordKey) ?? 0) + 1);
      try {
        return await checkPassword(input, meta, { ipKey, passwordKey, locksNow: reservation.locksUntil });
      } finally {
        const left = (inFlight.get(passwordKey) ?? 1) - 1;
        if (left > 0) inFlight.set(passwordKey, left);
        else inFlight.delete(passwordKey);
      }
    },

    /**
     * POST /sessions/mfa: the second step — the dynamic code, a recovery code in its place, or a
     * passkey's assertion. One transaction, committed even on failure so every try counts.
     */
    async completeMfa(
      input:
        | { challengeId: string; code: string }
        | { challengeId: string; recoveryCode: string }
        | { challengeId: string; credential: AuthenticationResponseJSON },
      meta: RequestMeta,
    ) {
      const now = clock();
      const idHash = sha256Hex(input.challengeId);
      const outcome = await store.transaction(async (repos) => {
        // Take the challenge's try first: the conditional UPDATE also row-locks it on PostgreSQL. The
        // same statement takes the user's second-factor try and reads the TOTP devices, their user,
        // an open ticket and this browser (decision 020).
        const fingerprint = browserFingerprint(meta);
        const found = await repos.mfaDevices.reserveChallengeAndFind({
          idHash,
          maxAttempts: CHALLENGE_MAX_ATTEMPTS,
          now,
          fingerprint,
          secondFactor: { keyPrefix: throttleKeys.secondFactor(''), policy: throttlePolicies.secondFactor },
        });
        if (!found || found.account_id === null || found.disabled_at !== null) return { kind: 'expired' as const };
        const { account_id, kind, email, username, display_name, disabled_at, locale, open_ticket_id } = found;
        const user = {
          id: found.user_id,
          account_id,
          kind,
          email,
          username,
          display_name,
          disabled_at,
          locale,
        } as UsersTable;
        // The second-factor try came with the challenge's, in one statement (decision 020).
        const context = { path: 'login' as const, meta, now, reserved: found.secondFactorTry };
        // The second factor, through its one verifier (decision 027); every one draws on one budget.
        let proved: FactorOutcome<{
          factor: 'totp' | 'recovery_code' | 'webauthn';
          remaining?: number;
          device?: MfaDevicesTable;
        }>;
        if ('recoveryCode' in input) {
          const spent = await deps.factors.recoveryCode(repos, user, input.recoveryCode, context);
          proved = spent.ok ? { ok: true, factor: 'recovery_code', remaining: spent.remaining } : spent;
        } else if ('credential' in input) {
          const devices: MfaDevicesTable[] = await repos.mfaDevices.listActive(user.id);
          const checked = await deps.factors.passkey.verify(repos, user, devices, input.credential, 'login', context);
          proved = checked.ok ? { ok: true, factor: 'webauthn', device: checked.device } : checked;
        } else {
          const checked = await deps.factors.totp(repos, user, found.devices, input.code, context);
          proved = checked.ok ? { ok: true, factor: 'totp' } : checked;
        }
        if (!proved.ok) return { kind: 'refused' as const, error: proved.error };
        await repos.sessions.consumeChallenge(idHash, now);
        // The device at hand proves it is not lost: an open lost-device ticket is cancelled (Apple:
        // using the device during the wait cancels account recovery). A recovery code does not.
        if (proved.factor !== 'recovery_code' && open_ticket_id !== null)
          await deps.recoveryEffects.cancelOpen(repos, user, 'owner_activity', meta, now);
        // A phishing-resistant workspace requires a passkey this user does not have yet: a
        // restricted session that may only add one (API.md "MFA devices and passkeys").
        const mustAddPasskey = found.must_add_passkey === 1 && proved.factor !== 'webauthn';
        const session = await issueSession(repos, user.id, {
          restricted: mustAddPasskey,
          stepUp: true,
          mfaVerified: true,
          phishingResistant: proved.factor === 'webauthn',
          amr: [...methodsOf('password'), ...methodsOf(proved.factor, proved.device)],
          now,
          meta,
        });
        await loginSucceeded(
          repos,
          user,
          meta,
          { factors: `password+${proved.factor}`, ...(mustAddPasskey ? { restricted: true } : {}) },
          now,
        );
        // Known from the read above, so the insert needs no answer (decision 020).
        if (!found.browser_known) {
          await repos.messages.rememberNewBrowser(user.id, fingerprint, now);
          if (found.other_browser)
            await deps.notify(
              repos,
              recipientOf(user),
              { kind: 'login.new_browser', userAgent: meta.userAgent },
              meta,
              now,
            );
        }
        return { kind: 'ok' as const, session, user, recoveryCodesLeft: proved.remaining, mustAddPasskey };
      });
      if (outcome.kind === 'expired') throw new AppError('auth.challenge_expired', (m) => m.sessions.loginExpired);
      if (outcome.kind === 'refused') throw outcome.error;
      return {
        status: outcome.mustAddPasskey ? ('mfa_enrollment_required' as const) : ('authenticated' as const),
        session: outcome.session,
        user: publicUser(outcome.user),
        ...(outcome.mustAddPasskey ? { required: 'webauthn' as const } : {}),
        ...(outcome.recoveryCodesLeft !== undefined ? { recoveryCodesLeft: outcome.recoveryCodesLeft } : {}),
      };
    },

    /**
     * POST /sessions/mfa/options: fresh passkey options for a pending login, after a refused or
     * abandoned assertion spent the ones the password step gave. They replace the user's earlier
     * login options, so asking again never piles up challenges; the pending login's tries are not
     * touched (an assertion takes one).
     */
    async secondStepPasskeyOptions(challengeId: string) {
      const now = clock();
      const options = await store.transaction(async (repos) => {
        const challenge = await repos.sessions.findChallenge(sha256Hex(challengeId));
        if (
          !challenge ||
          challenge.consumed_at !== null ||
          challenge.expires_at <= now ||
          challenge.attempts >= CHALLENGE_MAX_ATTEMPTS
        )
          return null;
        const devices = await repos.mfaDevices.listActive(challenge.user_id);
        if (!devices.some((d) => d.type === 'webauthn') || deps.factors.passkey.unavailableReason() !== null)
          return undefined;
        await repos.mfaDevices.dropChallenges(challenge.user_id, 'login');
        return deps.factors.passkey.assertionOptions(repos, challenge.user_id, devices, 'login', now);
      });
      if (options === null) throw new AppError('auth.challenge_expired', (m) => m.sessions.loginExpired);
      if (options === undefined) throw new AppError('mfa.not_bound', (m) => m.sessions.noPasskeyForLogin);
      return { options };
    },

    /** POST /sessions/passkey/options: a passwordless sign-in's challenge (404 when turned off). */
    async passkeyOptions(meta: RequestMeta) {
      requirePasswordless();
      const now = clock();
      const outcome = await store.transaction(async (repos) => {
        const key = meta.ip ? throttleKeys.passkeyOptionsPerAddress(meta.ip) : null;
        if (key && !(await repos.throttles.reserve(key, throttlePolicies.passkeyOptionsPerAddress, now)))
          return { ok: false as const, lockedUntil: (await repos.throttles.get(key))?.locked_until ?? now };
        return { ok: true as const, options: await deps.factors.passkey.passwordlessOptions(repos, now) };
      });
      if (!outcome.ok)
        throw new AppError('auth.too_many_attempts', (m) => m.sessions.tooManyPasskeySignIns, {
          details: { retryAfterSeconds: retryAfterSeconds(outcome.lockedUntil, now) },
        });
      return { challengeId: outcome.options.challenge, options: outcome.options };
    },

    /**
     * POST /sessions/passkey: a passkey that verified its user signs in alone, as a full MFA login
     * (NIST SP 800-63B §5.1.8: a multi-factor cryptographic authenticator), phishing-resistant.
     * Every refusal — unknown credential, no user verification, a bad signature, a used challenge,
     * a disabled user — gets the wrong-password answer, and counts against the address.
     */
    async passkeyLogin(input: { challengeId: string; credential: AuthenticationResponseJSON }, meta: RequestMeta) {
      requirePasswordless();
      const now = clock();
      const ipKey = meta.ip ? throttleKeys.loginIp(meta.ip) : null;
      const outcome = await store.transaction(async (repos) => {
        if (ipKey && !(await repos.throttles.reserve(ipKey, throttlePolicies.loginIp, now)))
          return { kind: 'throttled' as const, lockedUntil: (await repos.throttles.get(ipKey))?.locked_until ?? now };
        const verified = await deps.factors.passkey.verifyPasswordless(repos, input.challengeId, input.credential, {
          path: 'passwordless',
          meta,
          now,
        });
        if (!verified.ok) {
          await audit(
            repos,
            {
              type: 'login.passkey_failed',
              accountId: verified.user?.account_id ?? null,
              userId: verified.user?.id ?? null,
              ip: meta.ip,
              userAgent: meta.userAgent,
            },
            now,
          );
          return verified.lockedUntil !== undefined
            ? { kind: 'locked' as const, lockedUntil: verified.lockedUntil }
            : { kind: 'refused' as const };
        }
        const { device, user } = verified;
        if (ipKey) await repos.throttles.refund(ipKey, throttlePolicies.loginIp);
        const ticket = user.kind === 'root' ? await repos.recovery.findOpenTicket(user.account_id) : undefined;
        if (ticket) await deps.recoveryEffects.cancelOpen(repos, user, 'owner_activity', meta, now);
        const session = await issueSession(repos, user.id, {
          restricted: false,
          stepUp: true,
          mfaVerified: true,
          phishingResistant: true,
          // Passwordless sign-in requires user verification (W3C WebAuthn Level 3 §7.2 step 17).
          amr: methodsOf('webauthn', device, true),
          now,
          meta,
        });
        await loginSucceeded(repos, user, meta, { factors: 'passkey', deviceId: device.id }, now);
        await noticeBrowser(repos, user, meta, now);
        return { kind: 'ok' as const, session, user };
      });
      if (outcome.kind === 'throttled')
        throw new AppError('auth.too_many_attempts', (m) => m.sessions.tooManyLoginsFromNetwork, {
          details: { retryAfterSeconds: retryAfterSeconds(outcome.lockedUntil, now) },
        });
      if (outcome.kind === 'refused')
        throw new AppError('auth.invalid_credentials', (m) => m.sessions.invalidCredentials);
      // The passkey's user has used up its second-factor tries: like the second step, it waits.
      if (outcome.kind === 'locked') throw lockedError(outcome.lockedUntil, now);
      return { status: 'authenticated' as const, session: outcome.session, user: publicUser(outcome.user) };
    },

    /**
     * The code step's view of a pending login: whose it is and its tries left (the console names the
     * account and counts down), and whether a lost-device ticket is open for the account (entering
     * the code cancels it: say so); null once it is used up, consumed or expired.
     */
    async pendingLogin(
      challengeId: string,
    ): Promise<{ login: string; triesLeft: number; recoveryPending: boolean } | null> {
      const challenge = await store.repos.sessions.findChallenge(sha256Hex(challengeId));
      if (!challenge || challenge.consumed_at !== null || challenge.expires_at <= clock()) return null;
      const triesLeft = CHALLENGE_MAX_ATTEMPTS - challenge.attempts;
      if (triesLeft <= 0) return null;
      const user = await store.repos.users.findUserById(challenge.user_id);
      const account = user ? await store.repos.users.findAccountById(user.account_id) : undefined;
      if (!user || !account) return null;
      const recoveryPending =
        user.kind === 'root' && (await store.repos.recovery.findOpenTicket(user.account_id)) !== undefined;
      return { login: displayLogin(user, account.alias), triesLeft, recoveryPending };
    },
  };
}
export type LoginService = ReturnType<typeof createLoginService>;
