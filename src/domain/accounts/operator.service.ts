import { AppError } from '../../errors/app-error.js';
import type { Store } from '../../db/repositories/index.js';
import type { Clock, RandomBytes } from '../../crypto/random.js';
import type { PasswordHasher } from '../../crypto/password.js';
import type { AuditRecorder } from '../audit/audit.js';
import { normalizeEmail } from './accounts.service.js';
import { throttleKeys } from '../throttle/policies.js';

/** What an operator does from the CLI on the server itself (no HTTP, no session). */
export function createOperatorService(deps: { store: Store; hasher: PasswordHasher; audit: AuditRecorder; clock: Clock; random: RandomBytes }) {
  return {
    /**
     * Clears the password and second-factor throttles of a primary account, e.g. after it hit
     * the hard limit of 100 consecutive failures (NIST SP 800-63B §5.2.2 expects an unlock path).
     */
    async unlock(email: string) {
      const user = await deps.store.repos.users.findRootByEmail(normalizeEmail(email));
      if (!user) throw new AppError('auth.invalid_credentials', `No primary account with the email ${email}.`);
      const now = deps.clock();
      await deps.store.transaction(async (repos) => {
        await repos.throttles.unlock(throttleKeys.secondFactor(user.id));
        await repos.throttles.unlock(throttleKeys.password(user.email_normalized!));
        await deps.audit(repos, { type: 'throttle.unlocked', accountId: user.account_id, userId: user.id, actorId: null, details: { by: 'operator-cli' } }, now);
      });
      return { userId: user.id };
    },
  };
}
