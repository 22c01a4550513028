import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import type { Repositories, Store } from '../../db/repositories/index.js';
import type { UsersTable, VerificationsTable } from '../../db/schema.js';
import { newId, sha256Hex, type Clock, type RandomBytes } from '../../crypto/random.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import { retryAfterSeconds, throttleKeys, throttlePolicies } from '../throttle/policies.js';

/** NIST SP 800-63B §5.1.3.2 / ASVS 5.0 6.5.5: out-of-band codes live at most 10 minutes. */
export const VERIFICATION_TTL_MS = 10 * 60_000;
export const VERIFICATION_MAX_ATTEMPTS = 5;

export type Channel = 'email' | 'sms';

/** "a***@example.com" — enough for a person to recognise, too little to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

/** "+49*******678" — country code and the last three digits. */
export function maskPhone(phone: string): string {
  return `${phone.slice(0, 3)}${'*'.repeat(Math.max(phone.length - 6, 1))}${phone.slice(-3)}`;
}

/** A uniform 6-digit code (rejection sampling: no modulo bias), ≥ 20 bits as ASVS 5.0 6.5.4 asks. */
export function randomCode(random: RandomBytes): string {
  for (;;) {
    const value = random(4).readUInt32BE(0);
    if (value < 4_294_000_000) return String(value % 1_000_000).padStart(6, '0');
  }
}

export function codeHash(verificationId: string, code: string): string {
  return sha256Hex(`${verificationId}:${code}`);
}

export function createVerificationService(deps: { store: Store; clock: Clock; random: RandomBytes; issuer: string; channels: { email: boolean; sms: boolean }; onQueued: () => void }) {
  const { store, clock } = deps;

  function destinationOf(user: UsersTable, channel: Channel): string | null {
    if (channel === 'email') return deps.channels.email ? user.email : null;
    return deps.channels.sms ? user.phone : null;
  }

  return {
    /** The channels that can reach this user now (for step-up `methods`). */
    channelsFor(user: UsersTable): Channel[] {
      return (['email', 'sms'] as const).filter((channel) => destinationOf(user, channel) !== null);
    },

    /** Where a code could go, masked (for the console's "verify it's you" page). */
    async optionsFor(userId: string): Promise<{ channel: Channel; destination: string }[]> {
      const user = await store.repos.users.findUserById(userId);
      if (!user) return [];
      return (['email', 'sms'] as const).flatMap((channel) => {
        const destination = destinationOf(user, channel);
        return destination ? [{ channel, destination: channel === 'email' ? maskEmail(destination) : maskPhone(destination) }] : [];
      });
    },

    /** POST /me/verifications: sends a fresh code for a step-up. */
    async send(principal: Principal, channel: Channel, meta: RequestMeta) {
      const user = await store.repos.users.findUserById(principal.userId);
      if (!user) throw new AppError('auth.unauthenticated', 'Your session has ended. Log in again.');
      const destination = destinationOf(user, channel);
      if (!destination) {
        throw new AppError('verification.channel_unavailable', channel === 'email' ? 'No email address can be reached for this account.' : 'No phone number can be reached for this account.');
      }
      const now = clock();
      const code = randomCode(deps.random);
      const id = newId(deps.random);
      const outcome = await store.transaction(async (repos) => {
        // Anti-flooding: per destination (1/min) and per user (10/day), counted before sending.
        for (const [key, policy] of [[throttleKeys.codeToDestination(channel, destination), throttlePolicies.codeToDestination], [throttleKeys.codesPerUserDay(user.id), throttlePolicies.codesPerUserDay]] as const) {
          const reservation = await repos.throttles.reserve(key, policy, now);
          if (!reservation) return { blockedUntil: (await repos.throttles.get(key))?.locked_until ?? now + 60_000 };
        }
        const verification: VerificationsTable = { id, user_id: user.id, purpose: 'step_up', channel, destination, code_hash: codeHash(id, code), attempts: 0, created_at: now, expires_at: now + VERIFICATION_TTL_MS, consumed_at: null };
        await repos.verifications.replace(verification);
        await queueCode(repos, user, channel, destination, code, now);
        return { blockedUntil: 0 };
      });
      if (outcome.blockedUntil > 0) {
        throw new AppError('verification.too_many_requests', 'A code was sent very recently. Wait a little before asking for another one.', { details: { retryAfterSeconds: retryAfterSeconds(outcome.blockedUntil, now) } });
      }
      return { id, channel, destination: channel === 'email' ? maskEmail(destination) : maskPhone(destination), expiresAt: now + VERIFICATION_TTL_MS };
    },

    /**
     * Checks a code inside the caller's transaction: one of its 5 tries is taken first, and on
     * success it is consumed with a conditional UPDATE (single use, even under concurrency).
     */
    async check(repos: Repositories, userId: string, verificationId: string, code: string, now: number): Promise<boolean> {
      const attempt = await repos.verifications.reserveAttempt({ id: verificationId, userId, purpose: 'step_up', maxAttempts: VERIFICATION_MAX_ATTEMPTS, now });
      if (!attempt) return false;
      const expected = Buffer.from(attempt.code_hash);
      const actual = Buffer.from(codeHash(verificationId, code));
      if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return false;
      return repos.verifications.consume(verificationId, now);
    },
  };

  async function queueCode(repos: Repositories, user: UsersTable, channel: Channel, destination: string, code: string, now: number) {
    const text = channel === 'sms'
      ? `${deps.issuer} code: ${code}. Valid 10 minutes. Never share it.`
      : [`Hello ${user.display_name},`, '', `Your verification code is ${code}. It is valid for 10 minutes.`, 'If you did not ask for it, someone may know your password: change it.', '', `— ${deps.issuer}`].join('\n');
    await repos.messages.insert({
      id: `${now.toString(36).padStart(9, '0')}${newId(deps.random)}`,
      channel, to_address: destination, user_id: user.id, account_id: user.account_id, kind: 'verification.code',
      subject: `${deps.issuer}: your verification code`, text_body: text, html_body: null,
      status: 'pending', attempts: 0, next_attempt_at: now, claimed_until: 0, last_error: null, created_at: now, sent_at: null, sensitive: 1,
    });
    deps.onQueued();
  }
}
export type VerificationService = ReturnType<typeof createVerificationService>;
