import { AppError } from '../../errors/app-error.js';
import type { Store } from '../../db/repositories/index.js';
import type { Clock, RandomBytes } from '../../crypto/random.js';
import type { PasswordHasher } from '../../crypto/password.js';
import type { AuditRecorder } from '../audit/audit.js';
import { normalizeEmail } from '../users/user-views.js';
import { throttleKeys } from '../throttle/policies.js';
import type { Notifier } from '../notify/notifications.js';
import { recipientOf } from '../notify/recipients.js';
import { removeAllFactors } from '../factors/remove-all.js';
import { OPERATOR_ROLE, isOperator, rolesOf } from '../users/user-views.js';

/** What an operator does from the CLI on the server itself (no HTTP, no session). */
export function createOperatorService(deps: {
  store: Store;
  hasher: PasswordHasher;
  audit: AuditRecorder;
  clock: Clock;
  random: RandomBytes;
  notify: Notifier;
}) {
  /** A user by login (email of a primary account, or username@alias of a sub-user). */
  async function findByLogin(login: string) {
    const name = normalizeEmail(login);
    let user = await deps.store.repos.users.findRootByEmail(name);
    const at = name.lastIndexOf('@');
    if (!user && at > 0) {
      const account = await deps.store.repos.users.findAccountByAlias(name.slice(at + 1));
      user = account ? await deps.store.repos.users.findSubByUsername(account.id, name.slice(0, at)) : undefined;
    }
    if (!user) throw new AppError('auth.invalid_credentials', (m) => m.accounts.noUserLogsInAs(login));
    return user;
  }

  return {
    /** `twofold operator list`: who may open /support now. */
    async listOperators() {
      return (await deps.store.repos.users.listOperators()).map((u) => ({
        email: u.email,
        displayName: u.display_name,
        createdAt: u.created_at,
        disabled: u.disabled_at !== null,
      }));
    },

    /**
     * `twofold operator remove`: the person leaves support. The role goes and every session of theirs
     * ends at once (an open /support page stops working); their account stays, and the audit log
     * keeps showing their past actions as a support operator's (the role is recorded with each event).
     */
    async removeOperator(email: string) {
      const user = await deps.store.repos.users.findRootByEmail(normalizeEmail(email));
      if (!user || !isOperator(user)) throw new AppError('auth.forbidden', (m) => m.accounts.notOperator(email));
      const now = deps.clock();
      await deps.store.transaction(async (repos) => {
        const roles = rolesOf(user).filter((r) => r !== OPERATOR_ROLE);
        await repos.users.updateUser(user.id, { roles: roles.join(',') });
        await repos.sessions.endAllForUser(user.id, now, 'account_changed');
        await deps.audit(
          repos,
          {
            type: 'support.operator_removed',
            accountId: user.account_id,
            userId: user.id,
            actorId: null,
            details: { by: 'operator-cli', email: user.email },
          },
          now,
        );
      });
    },

    /**
     * Break-glass, for the person who runs the server when nothing else works (docs/design.md §6 layer
     * 4): removes the user's device and recovery codes, ends every session, writes the audit event
     * with the reason, and e-mails the user. The next login binds a new device where MFA is required.
     */
    async resetMfa(login: string, reason: string) {
      if (reason.trim().length < 3) throw new AppError('validation.failed', (m) => m.accounts.reasonRequired);
      const user = await findByLogin(login);
      const now = deps.clock();
      const removed = await deps.store.transaction(async (repos) => {
        const { deviceId } = await removeAllFactors(repos, user.id, now);
        await deps.audit(
          repos,
          {
            type: 'mfa.reset_by_admin',
            accountId: user.account_id,
            userId: user.id,
            actorId: null,
            details: { by: 'operator-cli', reason: reason.trim(), deviceId },
          },
          now,
        );
        await deps.notify(
          repos,
          recipientOf(user),
          { kind: 'mfa.reset_by_admin', admin: 'The operator of this service', reason: reason.trim() },
          { ip: null },
          now,
        );
        return deviceId !== null;
      });
      return { userId: user.id, deviceRemoved: removed };
    },

    /**
     * Clears the password and second-factor throttles of a user (email of a primary account, or
     * username@alias of a sub-user), e.g. after it hit
     * the hard limit of 100 consecutive failures (NIST SP 800-63B §5.2.2 expects an unlock path).
     */
    async unlock(login: string) {
      const name = normalizeEmail(login);
      const user = await findByLogin(login);
      const userId = user.id;
      const now = deps.clock();
      await deps.store.transaction(async (repos) => {
        await repos.throttles.unlock(throttleKeys.secondFactor(userId));
        await repos.throttles.unlock(throttleKeys.password(name));
        await deps.audit(
          repos,
          {
            type: 'throttle.unlocked',
            accountId: user.account_id,
            userId: user.id,
            actorId: null,
            details: { by: 'operator-cli' },
          },
          now,
        );
      });
      return { userId };
    },

    /** What the mail worker has not delivered: pending and failed messages, newest first. */
    async mailQueue() {
      const rows = await deps.store.repos.messages.list({ limit: 1000 });
      // 'outbox': kept in the database because no SMTP (or SMS webhook) is configured.
      return rows.filter((m) => m.status === 'pending' || m.status === 'failed' || m.status === 'outbox');
    },
  };
}
