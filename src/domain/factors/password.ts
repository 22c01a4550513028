import type { Store } from '../../db/repositories/index.js';
import type { PasswordHasher } from '../../crypto/password.js';
import { AppError } from '../../errors/app-error.js';
import { retryAfterSeconds, throttleKeys, throttlePolicies } from '../throttle/policies.js';
import type { UsersTable } from '../../db/schema.js';
import type { FactorOutcome } from './factor.js';

/**
 * The password again, for a step-up while it is all the user has (the login's own password step,
 * with its address throttle and decoy hash, is login.service). Throttled like a login, under the
 * same key, so a step-up cannot be used to guess around the login's lock. The hash runs outside any
 * transaction (it takes ~50 ms); the try is counted before it and cleared after a success.
 */
export function createPasswordFactor(deps: { store: Store; hasher: PasswordHasher }) {
  return async function verifyPassword(
    user: Pick<UsersTable, 'password_hash'>,
    loginName: string,
    password: string,
    now: number,
  ): Promise<FactorOutcome> {
    const key = throttleKeys.password(loginName);
    if (!(await deps.store.repos.throttles.reserve(key, throttlePolicies.password, now))) {
      const row = await deps.store.repos.throttles.get(key);
      return {
        ok: false,
        error: new AppError('auth.too_many_attempts', (m) => m.factors.tooManyWrongPasswords, {
          details: { retryAfterSeconds: retryAfterSeconds(row?.locked_until ?? now, now) },
        }),
      };
    }
    if (!(await deps.hasher.verify(user.password_hash, password)))
      return { ok: false, error: new AppError('auth.invalid_credentials', (m) => m.factors.passwordWrong) };
    await deps.store.repos.throttles.reset(key);
    return { ok: true };
  };
}
export type PasswordFactor = ReturnType<typeof createPasswordFactor>;
