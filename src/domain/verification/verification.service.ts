import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import type { Repositories, Store } from '../../db/repositories/index.js';
import type { UsersTable, VerificationsTable } from '../../db/schema.js';
import { newId, sha256Hex, type Clock, type RandomBytes } from '../../crypto/random.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import { retryAfterSeconds, throttleKeys, throttlePolicies } from '../throttle/policies.js';
import { mailBody, mailTextsFor, queueMessage } from '../notify/notifications.js';
import type { ThrottlePolicy } from '../../db/repositories/throttles.repository.js';
import type { SecretBox } from '../../crypto/secret-box.js';

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

/** Thrown inside the send transaction so that the counts taken before the refusal roll back. */
class SendRefused extends Error {
  constructor(readonly until: number) {
    super('code sending refused');
  }
}

/** A fixed window of one hour: `limit` sends, then refusals until the hour is over. */
function sendsPerHour(limit: number): ThrottlePolicy {
  return { threshold: limit, baseDelayMs: 3_600_000, maxDelayMs: 3_600_000, hardLimit: null, windowMs: 3_600_000 };
}

export function createVerificationService(deps: {
  store: Store;
  clock: Clock;
  random: RandomBytes;
  /** Seals the codes' messages at rest (queueMessage). */
  secretBox: SecretBox;
  issuer: string;
  channels: { email: boolean; sms: boolean };
  /** Codes one client address may ask for per hour, and all clients together per channel. */
  sendLimits: { perAddressHour: number; perHour: number };
  onQueued: () => void;
}) {
  const { store, clock } = deps;
  const perAddress = sendsPerHour(deps.sendLimits.perAddressHour);
  const global = sendsPerHour(deps.sendLimits.perHour);

  function destinationOf(user: UsersTable, channel: Channel): string | null {
    if (channel === 'email') return deps.channels.email ? user.email : null;
    return deps.channels.sms ? user.phone : null;
  }

  function unreachable(user: UsersTable, channel: Channel): AppError {
    // Say plainly when the server, not the account, is what is missing (issue 10: no silent mail).
    if (channel === 'email') {
      return new AppError(
        'verification.channel_unavailable',
        user.email && !deps.channels.email ? (m) => m.verification.emailNotConfigured : (m) => m.verification.noEmail,
      );
    }
    return new AppError(
      'verification.channel_unavailable',
      user.phone && !deps.channels.sms ? (m) => m.verification.smsNotConfigured : (m) => m.verification.noPhone,
    );
  }

  return {
    issueRecoveryCode: (repos: Repositories, user: UsersTable, id: string, now: number) =>
      issueRecoveryCode(repos, user, id, now),
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
        return destination
          ? [{ channel, destination: channel === 'email' ? maskEmail(destination) : maskPhone(destination) }]
          : [];
      });
    },

    /** POST /me/verifications: sends a fresh code for a step-up. */
    async send(principal: Principal, channel: Channel, meta: RequestMeta) {
      const user = await store.repos.users.findUserById(principal.userId);
      if (!user) throw new AppError('auth.unauthenticated', (m) => m.verification.sessionEnded);
      const destination = destinationOf(user, channel);
      if (!destination) throw unreachable(user, channel);
      const now = clock();
      const code = randomCode(deps.random);
      const id = newId(deps.random);
      try {
        await store.transaction(async (repos) => {
          // Anti-flooding and SMS pumping (OWASP "SMS pumping"): per destination (1/min), per user
          // (10/day), per client address and for the whole instance per channel (per hour), all
          // counted before sending; a refusal rolls back the counts taken before it.
          const limits: [string, ThrottlePolicy][] = [
            [throttleKeys.codeToDestination(channel, destination), throttlePolicies.codeToDestination],
            [throttleKeys.codesPerUserDay(user.id), throttlePolicies.codesPerUserDay],
            ...(meta.ip ? [[throttleKeys.codesPerAddress(meta.ip), perAddress] as [string, ThrottlePolicy]] : []),
            [throttleKeys.codesGlobal(channel), global],
          ];
          for (const [key, policy] of limits) {
            const reservation = await repos.throttles.reserve(key, policy, now);
            if (!reservation) throw new SendRefused((await repos.throttles.get(key))?.locked_until ?? now + 60_000);
          }
          const verification: VerificationsTable = {
            id,
            user_id: user.id,
            purpose: 'step_up',
            channel,
            destination,
            code_hash: codeHash(id, code),
            attempts: 0,
            created_at: now,
            expires_at: now + VERIFICATION_TTL_MS,
            consumed_at: null,
          };
          await repos.verifications.replace(verification);
          await queueCode(repos, user, channel, destination, code, now);
        });
      } catch (error) {
        if (!(error instanceof SendRefused)) throw error;
        throw new AppError('verification.too_many_requests', (m) => m.verification.tooManyCodes, {
          details: { retryAfterSeconds: retryAfterSeconds(error.until, now) },
        });
      }
      return {
        id,
        channel,
        destination: channel === 'email' ? maskEmail(destination) : maskPhone(destination),
        expiresAt: now + VERIFICATION_TTL_MS,
      };
    },

    /**
     * Checks a code inside the caller's transaction: one of its 5 tries is taken first, and on
     * success it is consumed with a conditional UPDATE (single use, even under concurrency).
     */
    async check(
      repos: Repositories,
      userId: string,
      verificationId: string,
      code: string,
      now: number,
      channel: Channel,
      purpose: VerificationsTable['purpose'] = 'step_up',
      /** false: only compare (a try is still spent); the caller consumes it later, once. */
      consume = true,
    ): Promise<boolean> {
      // A code serves only the purpose it was sent for: a lost-device code is never a step-up.
      const attempt = await repos.verifications.reserveAttempt({
        id: verificationId,
        userId,
        purpose,
        maxAttempts: VERIFICATION_MAX_ATTEMPTS,
        now,
      });
      if (!attempt) return false;
      // The method the client names must be the channel the code went out on: an SMS code is not
      // an email step-up, even where the protection settings allow only one of them.
      if (attempt.channel !== channel) return false;
      const expected = Buffer.from(attempt.code_hash);
      const actual = Buffer.from(codeHash(verificationId, code));
      if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return false;
      return consume ? repos.verifications.consume(verificationId, now) : true;
    },
  };

  /**
   * A lost-device ticket's email code (issue 13), inside the caller's transaction: purpose
   * `recovery`, so it can never log in or step up, and it says what it is for.
   */
  async function issueRecoveryCode(repos: Repositories, user: UsersTable, id: string, now: number) {
    const code = randomCode(deps.random);
    // Beside the others, not instead: a stranger's request must not void the code the owner holds.
    await repos.verifications.add({
      id,
      user_id: user.id,
      purpose: 'recovery',
      channel: 'email',
      destination: user.email!,
      code_hash: codeHash(id, code),
      attempts: 0,
      created_at: now,
      expires_at: now + VERIFICATION_TTL_MS,
      consumed_at: null,
    });
    const texts = mailTextsFor(user.locale);
    await queueMessage(repos, deps, {
      channel: 'email',
      address: user.email!,
      userId: user.id,
      accountId: user.account_id,
      kind: 'recovery.code',
      subject: texts.subject(deps.issuer, texts.recoveryCode.subject),
      text: mailBody(texts, user.display_name, deps.issuer, texts.recoveryCode.lines(code)),
      html: null,
      secret: { expiresAt: now + VERIFICATION_TTL_MS },
      now,
    });
    deps.onQueued();
  }

  async function queueCode(
    repos: Repositories,
    user: UsersTable,
    channel: Channel,
    destination: string,
    code: string,
    now: number,
  ) {
    const texts = mailTextsFor(user.locale);
    const text =
      channel === 'sms'
        ? texts.verificationCode.sms(deps.issuer, code)
        : mailBody(texts, user.display_name, deps.issuer, texts.verificationCode.lines(code));
    await queueMessage(repos, deps, {
      channel,
      address: destination,
      userId: user.id,
      accountId: user.account_id,
      kind: 'verification.code',
      subject: texts.subject(deps.issuer, texts.verificationCode.subject),
      text,
      html: null,
      secret: { expiresAt: now + VERIFICATION_TTL_MS },
      now,
    });
    deps.onQueued();
  }
}
export type VerificationService = ReturnType<typeof createVerificationService>;
