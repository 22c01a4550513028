import { AppError } from '../../errors/app-error.js';
import type { Repositories } from '../../db/repositories/index.js';
import type { UsersTable } from '../../db/schema.js';

/**
 * How a user is named and shown, in one place: the login a person types, the public shapes the
 * API returns (never the row, which carries the password hash), roles, and who an actor is in a
 * notice.
 */
export const USER_ADMIN_ROLE = 'user-admin';
/** A support operator (issue 13): reviews real-name records and recovery tickets at /support. */
export const OPERATOR_ROLE = 'operator';
export type Role = typeof USER_ADMIN_ROLE | typeof OPERATOR_ROLE;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The login name a user types, normalised; also the key of its password throttle. */
export function loginName(
  user: Pick<UsersTable, 'kind' | 'email_normalized' | 'username'>,
  alias: string | null,
): string {
  return user.kind === 'root' ? user.email_normalized! : `${user.username!.toLowerCase()}@${alias}`;
}

/** The login as shown to people: the primary account's email, or `username@alias` of a sub-user. */
export function displayLogin(user: Pick<UsersTable, 'kind' | 'email' | 'username'>, alias: string): string {
  return user.kind === 'root' ? user.email! : `${user.username}@${alias}`;
}

export function rolesOf(user: Pick<UsersTable, 'roles'>): Role[] {
  return user.roles.split(',').filter((r): r is Role => r === USER_ADMIN_ROLE || r === OPERATOR_ROLE);
}

/** Operators are created only by `twofold operator create` on the server, never through the API. */
export function isOperator(user: Pick<UsersTable, 'roles' | 'kind'>): boolean {
  return user.kind === 'root' && rolesOf(user).includes(OPERATOR_ROLE);
}

/** The primary account and user administrators manage users. */
export function canManageUsers(user: Pick<UsersTable, 'kind' | 'roles'>): boolean {
  return user.kind === 'root' || rolesOf(user).includes(USER_ADMIN_ROLE);
}

/** The public shape of a user (API.md `user`). */
export function publicUser(user: Pick<UsersTable, 'id' | 'kind' | 'email' | 'username' | 'display_name'>) {
  return {
    id: user.id,
    kind: user.kind,
    ...(user.email !== null ? { email: user.email } : {}),
    ...(user.username !== null ? { username: user.username } : {}),
    displayName: user.display_name,
  };
}
export type PublicUser = ReturnType<typeof publicUser>;

/** The public shape of a sub-user (API.md `user` under /users). */
export function publicSubUser(user: UsersTable) {
  return {
    id: user.id,
    kind: user.kind,
    username: user.username!,
    displayName: user.display_name,
    ...(user.email !== null ? { email: user.email } : {}),
    ...(user.phone !== null ? { phone: user.phone } : {}),
    roles: rolesOf(user),
    mfaRequired: user.mfa_required === 1,
    disabled: user.disabled_at !== null,
    createdAt: new Date(user.created_at).toISOString(),
  };
}

/** Who did it, as a security notice names an administrator. */
export function actorLabel(actor: Pick<UsersTable, 'kind' | 'display_name' | 'username'> | undefined): string {
  if (!actor) return 'An administrator';
  return actor.kind === 'root'
    ? `The primary account (${actor.display_name})`
    : `${actor.display_name} (${actor.username})`;
}

/** The user a typed login names: a primary account's email, or `username@alias` of a sub-user. */
export async function findUserByLogin(
  repos: Repositories,
  login: string,
): Promise<{ user: UsersTable; alias: string | null } | undefined> {
  const name = normalizeEmail(login);
  const root = await repos.users.findRootByEmail(name);
  if (root) return { user: root, alias: null };
  const at = name.lastIndexOf('@');
  if (at <= 0) return undefined;
  const account = await repos.users.findAccountByAlias(name.slice(at + 1));
  const sub = account ? await repos.users.findSubByUsername(account.id, name.slice(0, at)) : undefined;
  return sub && account ? { user: sub, alias: account.alias } : undefined;
}

/** A user with its account's alias, or the "session has ended" refusal when either is gone. */
export async function loadUser(repos: Repositories, userId: string): Promise<{ user: UsersTable; alias: string }> {
  const user = await repos.users.findUserById(userId);
  const account = user ? await repos.users.findAccountById(user.account_id) : undefined;
  if (!user || !account) throw new AppError('auth.unauthenticated', (m) => m.users.sessionEnded);
  return { user, alias: account.alias };
}
