import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { Repositories, Store } from '../../db/repositories/index.js';
import type { Clock } from '../../crypto/random.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import { methodsOf, type AuthMethod } from '../sessions/amr.js';
import type { IssuedSession, SessionsService } from '../sessions/sessions.service.js';
import type { RecoveryEffects } from '../recovery/effects.js';
import type { Factors } from '../factors/index.js';
import type { FactorOutcome } from '../factors/factor.js';
import { loadUser, loginName } from '../users/user-views.js';

export type TotpProof = { method: 'totp'; code: string };
export type PasswordProof = { method: 'password'; password: string };
export type CodeProof = { method: 'email' | 'sms'; verificationId: string; code: string };
export type RecoveryCodeProof = { method: 'recovery_code'; code: string };
export type PasskeyProof = { method: 'webauthn'; credential: AuthenticationResponseJSON };
export type StepUpInput = TotpProof | PasswordProof | CodeProof | RecoveryCodeProof | PasskeyProof;

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
  webauthn: Verifier<PasskeyProof>;
}

/**
 * One step-up verifier per method, each a thin use of the factor's own verifier (decision 027),
 * which counts the try before evaluating it and audits a failure. Here: the step-up's own audit
 * event, in the same transaction, and refreshing only the caller's session.
 */
export function createStepUpVerifiers(deps: {
  store: Store;
  clock: Clock;
  audit: AuditRecorder;
  factors: Factors;
  sessions: SessionsService;
  recoveryEffects: Pick<RecoveryEffects, 'cancelOpen'>;
}): StepUpVerifiers {
  const { store, clock, audit, factors } = deps;
  const event = (principal: Principal, meta: RequestMeta, method: string) => ({
    accountId: principal.accountId,
    userId: principal.userId,
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: { method },
  });

  /**
   * A second factor proved in a step-up. The first proof in a session raises it to MFA-verified (and
   * a passkey to phishing-resistant): a privilege change, so the session id rotates (docs/design.md
   * §2.7) and the new session is returned; later step-ups just refresh it.
   */
  async function proveSecondFactor(
    repos: Repositories,
    principal: Principal,
    until: number,
    now: number,
    meta: RequestMeta,
    proved: readonly AuthMethod[],
    phishingResistant = false,
  ): Promise<IssuedSession | undefined> {
    if (principal.mfaVerified && (principal.phishingResistant || !phishingResistant)) {
      await repos.sessions.setStepUp(principal.sessionId, until, true);
      return undefined;
    }
    return deps.sessions.rotateSession(repos, principal, { now, meta, phishingResistant, proved });
  }

  /**
   * A device proof (TOTP code, passkey, recovery code): the factor's check, then the step-up's
   * event; the device at hand is not lost, so an open lost-device ticket is cancelled (issue 13) —
   * not by a recovery code, which is what a lost phone leaves.
   */
  function deviceVerifier<Proof extends { method: string }>(
    check: (
      repos: Repositories,
      principal: Principal,
      proof: Proof,
      now: number,
      meta: RequestMeta,
    ) => Promise<FactorOutcome>,
    options: {
      provesDevice: boolean;
      phishingResistant?: boolean;
      /** What the proof adds to the session's `amr` (RFC 8176). */
      proves: (checked: object) => AuthMethod[];
    },
  ): Verifier<Proof> {
    return async (principal, input, until, meta) => {
      const now = clock();
      const outcome = await store.transaction(async (repos) => {
        const checked = await check(repos, principal, input, now, meta);
        if (!checked.ok) return checked;
        await audit(repos, { type: 'stepup.succeeded', ...event(principal, meta, input.method) }, now);
        if (options.provesDevice)
          await deps.recoveryEffects.cancelOpen(
            repos,
            { id: principal.userId, account_id: principal.accountId, kind: principal.kind },
            'owner_activity',
            meta,
            now,
          );
        const session = await proveSecondFactor(
          repos,
          principal,
          until,
          now,
          meta,
          options.proves(checked),
          options.phishingResistant,
        );
        return { ok: true as const, session };
      });
      if (!outcome.ok) throw outcome.error;
      return outcome.session ? { session: outcome.session } : {};
    };
  }

  const context = (meta: RequestMeta, now: number) => ({ path: 'step_up' as const, meta, now });

  const totp = deviceVerifier<TotpProof>(
    async (repos, principal, proof, now, meta) => {
      const { user } = await loadUser(repos, principal.userId);
      const devices = await repos.mfaDevices.listActive(principal.userId);
      return factors.totp(repos, user, devices, proof.code, context(meta, now));
    },
    { provesDevice: true, proves: () => methodsOf('totp') },
  );

  const webauthn = deviceVerifier<PasskeyProof>(
    async (repos, principal, proof, now, meta) => {
      const { user } = await loadUser(repos, principal.userId);
      const devices = await repos.mfaDevices.listActive(principal.userId);
      return factors.passkey.verify(repos, user, devices, proof.credential, 'step_up', context(meta, now));
    },
    {
      provesDevice: true,
      phishingResistant: true,
      proves: (checked) => methodsOf('webauthn', (checked as { device?: { backed_up: number } }).device),
    },
  );

  /**
   * A recovery code, allowed where a device proof is (the phone may be lost); it is spent. It is a
   * look-up secret, a second factor in NIST SP 800-63B §5.1.2, so like a TOTP code it raises the
   * session to MFA-verified (decision 021) — and, that being a privilege change, rotates the session id.
   */
  const recoveryCode = deviceVerifier<RecoveryCodeProof>(
    async (repos, principal, proof, now, meta) => {
      const { user } = await loadUser(repos, principal.userId);
      return factors.recoveryCode(repos, user, proof.code, context(meta, now));
    },
    { provesDevice: false, proves: () => methodsOf('recovery_code') },
  );

  /** An email or SMS code sent by POST /me/verifications, on the channel the method names. */
  const code: Verifier<CodeProof> = async (principal, input, until, meta) => {
    const now = clock();
    const outcome = await store.transaction(async (repos) => {
      const { user } = await loadUser(repos, principal.userId);
      const checked = await factors.sentCode(
        repos,
        user,
        { channel: input.method, verificationId: input.verificationId, code: input.code },
        context(meta, now),
      );
      if (checked.ok) await repos.sessions.setStepUp(principal.sessionId, until);
      // A locked budget evaluated nothing: no step-up event for it.
      if (checked.ok || checked.error.code !== 'mfa.locked')
        await audit(
          repos,
          { type: checked.ok ? 'stepup.succeeded' : 'stepup.failed', ...event(principal, meta, input.method) },
          now,
        );
      return checked;
    });
    if (!outcome.ok) throw outcome.error;
    return {};
  };

  /** The password again: only while it is all the user has. */
  const password: Verifier<PasswordProof> = async (principal, input, until, meta) => {
    const { user, alias } = await loadUser(store.repos, principal.userId);
    const checked = await factors.password(user, loginName(user, alias), input.password, clock());
    await store.transaction(async (repos) => {
      if (checked.ok) await repos.sessions.setStepUp(principal.sessionId, until);
      if (checked.ok || checked.error.code !== 'auth.too_many_attempts')
        await audit(
          repos,
          { type: checked.ok ? 'stepup.succeeded' : 'stepup.failed', ...event(principal, meta, 'password') },
          clock(),
        );
    });
    if (!checked.ok) throw checked.error;
    return {};
  };

  return { totp, email: code, sms: code, password, recovery_code: recoveryCode, webauthn };
}
