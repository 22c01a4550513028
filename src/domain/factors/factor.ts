import type { AppError } from '../../errors/app-error.js';
import type { UsersTable } from '../../db/schema.js';
import type { RequestMeta } from '../sessions/principal.js';
import type { SecondFactorTry } from '../../db/repositories/mfa-devices.repository.js';

/**
 * What every factor verifier shares (decision 027). A verifier runs inside the caller's transaction
 * and never throws for a wrong proof: its counted try, its failure audit and its lockout notice must
 * commit, so it returns the refusal and the caller throws it after the commit.
 */
export type FactorOutcome<Success extends object = object> = ({ ok: true } & Success) | { ok: false; error: AppError };

/** Where a proof was given: named in the failure's audit event. */
export type FactorPath = 'login' | 'step_up' | 'unbind' | 'activate' | 'resync' | 'passwordless';

export interface FactorContext {
  path: FactorPath;
  meta: RequestMeta;
  now: number;
  /** The HTTP status of a wrong proof where the contract sets one (422 on activation and resync). */
  status?: number;
  /**
   * The second-factor try, when the caller already took it (the login's code step takes it in the
   * statement that takes the challenge's try, decision 020); otherwise the verifier takes it.
   */
  reserved?: SecondFactorTry;
}

/** The user a proof is checked for: enough to audit, throttle and tell them. */
export type FactorUser = Pick<
  UsersTable,
  'id' | 'account_id' | 'email' | 'display_name' | 'locale' | 'kind' | 'username'
>;

/** Throws a refused outcome's error (after the transaction that recorded it has committed). */
export function orThrow<T extends object>(outcome: FactorOutcome<T>): { ok: true } & T {
  if (!outcome.ok) throw outcome.error;
  return outcome;
}
