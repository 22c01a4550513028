import { AppError } from '../../errors/app-error.js';
import type { Repositories, Store } from '../../db/repositories/index.js';
import type { UsersTable } from '../../db/schema.js';
import { newSecret, sha256Hex, type Clock, type RandomBytes } from '../../crypto/random.js';
import type { PasswordHasher } from '../../crypto/password.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { AuditRecorder } from '../audit/audit.js';
import { mailBody, mailTextsFor, queueMessage, type Notifier } from '../notify/notifications.js';
import { recipientOf } from '../notify/recipients.js';
import type { RequestMeta } from '../sessions/principal.js';
import { throttleKeys, throttlePolicies } from '../throttle/policies.js';
import { reserveOrRefuse } from '../throttle/reserve.js';
import { findUserByLogin } from '../users/user-views.js';
import { retireOldPassword } from './password-changed.js';
import { checkNewPassword } from './password-rules.js';
import { createAfterAnswer } from '../notify/after-answer.js';

/** A reset link works for 30 minutes, once (OWASP Forgot Password Cheat Sheet). */
export const PASSWORD_RESET_TTL_MS = 30 * 60_000;

const expired = () => new AppError('password_reset.expired', (m) => m.accounts.resetLinkExpired);

/**
 * "Forgot password?" (OWASP Forgot Password Cheat Sheet): the same answer, at the same speed, for
 * every login — the work that depends on whether the account exists runs after the answer. The
 * link carries a single-use token, stored only as a hash, valid 30 minutes, built on
 * TWOFOLD_PUBLIC_URL (never the request's Host header). Completing it ends every session and issues
 * none: the next login still asks for the dynamic code.
 */
export function createPasswordResetService(deps: {
  store: Store;
  hasher: PasswordHasher;
  audit: AuditRecorder;
  notify: Notifier;
  clock: Clock;
  random: RandomBytes;
  secretBox: SecretBox;
  issuer: string;
  publicUrl: string;
  onQueued: () => void;
  logError: (error: unknown) => void;
}) {
  const { store, clock } = deps;
  const afterAnswer = createAfterAnswer(deps.logError);

  /**
   * A single-use link to `user`'s address, inside the caller's transaction: at most one a minute to
   * an address, however many ask. `by` names the administrator who sent it (User Details), else the
   * person asked for it. False when the address had one within the minute.
   */
  async function issueLink(
    repos: Repositories,
    user: UsersTable,
    meta: RequestMeta,
    now: number,
    by?: { actorId: string; label: string },
  ): Promise<boolean> {
    if (
      !user.email ||
      !(await repos.throttles.reserve(
        throttleKeys.codeToDestination('reset', user.email),
        throttlePolicies.codeToDestination,
        now,
      ))
    )
      return false;
    const token = newSecret(deps.random);
    await repos.users.insertPasswordReset({
      id_hash: sha256Hex(token),
      user_id: user.id,
      created_at: now,
      expires_at: now + PASSWORD_RESET_TTL_MS,
      used_at: null,
    });
    const link = `${deps.publicUrl}/password-reset/new?token=${encodeURIComponent(token)}`;
    const texts = mailTextsFor(user.locale);
    await queueMessage(repos, deps, {
      channel: 'email',
      address: user.email,
      userId: user.id,
      accountId: user.account_id,
      kind: 'account.password_reset_link',
      subject: texts.subject(deps.issuer, texts.passwordReset.subject(by !== undefined)),
      text: mailBody(texts, user.display_name, deps.issuer, texts.passwordReset.lines(link, by?.label ?? null)),
      html: null,
      // The link is a secret: removed from the database once delivered, or once it expired.
      secret: { expiresAt: now + PASSWORD_RESET_TTL_MS },
      now,
    });
    deps.onQueued();
    await deps.audit(
      repos,
      {
        type: 'account.password_reset_requested',
        accountId: user.account_id,
        userId: user.id,
        actorId: by?.actorId ?? null,
        ip: meta.ip,
        userAgent: meta.userAgent,
      },
      now,
    );
    return true;
  }

  /** Sends the link when the login names an account with an address; silently nothing otherwise. */
  async function deliver(login: string, meta: RequestMeta, now: number) {
    await store.transaction(async (repos) => {
      const found = await findUserByLogin(repos, login);
      if (!found || found.user.disabled_at !== null) return;
      await issueLink(repos, found.user, meta, now);
    });
  }

  return {
    issueLink,

    /** POST /password-resets: 202 for every login; 429 when this address asked too often. */
    async request(login: string, meta: RequestMeta) {
      const now = clock();
      if (meta.ip)
        await reserveOrRefuse(
          store,
          throttleKeys.resetRequestsPerAddress(meta.ip),
          throttlePolicies.resetRequestsPerAddress,
          now,
          (details) =>
            new AppError('verification.too_many_requests', (m) => m.accounts.tooManyResetRequests, {
              details,
            }),
        );
      // After the answer, so the answer tells nothing by its timing either.
      afterAnswer.run(deliver(login, meta, now));
    },

    /** Whether a link still works (unused, unexpired): the page says so before its form. */
    isLive: async (token: string) =>
      (await store.repos.users.findLivePasswordReset(sha256Hex(token), clock())) !== null,

    /** For tests and an orderly stop: resolves when every requested link is queued. */
    settled: () => afterAnswer.settled(),
    /** Mails still being queued after their answer (bounded by what is in flight). */
    pendingAfterAnswer: () => afterAnswer.size,

    /**
     * POST /password-resets/complete: a new password; every session ends, none is issued. The link
     * is looked at before the password is hashed, so a made-up token costs a read, not an Argon2id
     * hash; and each address gets `resetCompletionsPerAddress` tries, a success given back.
     */
    async complete(token: string, password: string, meta: RequestMeta) {
      const now = clock();
      const idHash = sha256Hex(token);
      const addressKey = meta.ip ? throttleKeys.resetCompletionsPerAddress(meta.ip) : null;
      if (addressKey)
        await reserveOrRefuse(
          store,
          addressKey,
          throttlePolicies.resetCompletionsPerAddress,
          now,
          (details) =>
            new AppError('auth.too_many_attempts', (m) => m.accounts.tooManyResetAttempts, {
              details,
            }),
        );
      if (!(await store.repos.users.findLivePasswordReset(idHash, now))) throw expired();
      checkNewPassword(password);
      // Hashed outside the transaction: ~15 ms on the thread pool must not hold a write lock.
      const hash = await deps.hasher.hash(password);
      const user = await store.transaction(async (repos) => {
        // The conditional update decides between two uses of one link that both passed the look.
        const userId = await repos.users.consumePasswordReset(idHash, now);
        if (!userId) return null;
        const found = await repos.users.findUserById(userId);
        if (!found) return null;
        await repos.users.updateUser(userId, { password_hash: hash });
        await retireOldPassword(repos, userId, now);
        await repos.sessions.endAllForUser(userId, now, 'password_changed');
        if (addressKey) await repos.throttles.refund(addressKey, throttlePolicies.resetCompletionsPerAddress);
        await deps.audit(
          repos,
          {
            type: 'account.password_reset',
            accountId: found.account_id,
            userId,
            ip: meta.ip,
            userAgent: meta.userAgent,
          },
          now,
        );
        await deps.notify(repos, recipientOf(found), { kind: 'account.password_changed' }, meta, now);
        return found;
      });
      if (!user) throw expired();
    },
  };
}
export type PasswordResetService = ReturnType<typeof createPasswordResetService>;
