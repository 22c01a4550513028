import { AppError } from '../../errors/app-error.js';
import type { Repositories } from '../../db/repositories/index.js';
import type { Principal } from '../sessions/principal.js';
import { isOperator } from '../users/user-views.js';

/** Support actions are for operators only (`twofold operator create`); anyone else gets 403. */
export async function requireOperator(repos: Repositories, principal: Principal) {
  const user = await repos.users.findUserById(principal.userId);
  if (!user || !isOperator(user)) throw new AppError('auth.forbidden', (m) => m.recovery.operatorsOnly);
  return user;
}
