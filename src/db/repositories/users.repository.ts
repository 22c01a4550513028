import type { Database } from '../database.js';
import type { AccountsTable, UsersTable } from '../schema.js';

export function createUsersRepository(db: Database) {
  return {
    insertAccount: (account: AccountsTable) => db.insertInto('accounts').values(account).execute(),
    aliasExists: async (alias: string) => (await db.selectFrom('accounts').select('id').where('alias', '=', alias).executeTakeFirst()) !== undefined,
    findAccountById: (id: string) => db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst(),
    insertUser: (user: UsersTable) => db.insertInto('users').values(user).execute(),
    findUserById: (id: string) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
    findRootByEmail: (emailNormalized: string) =>
      db.selectFrom('users').selectAll().where('kind', '=', 'root').where('email_normalized', '=', emailNormalized).executeTakeFirst(),
    findRootOfAccount: (accountId: string) => db.selectFrom('users').selectAll().where('account_id', '=', accountId).where('kind', '=', 'root').executeTakeFirst(),
    findAccountByAlias: (alias: string) => db.selectFrom('accounts').selectAll().where('alias', '=', alias).executeTakeFirst(),
    findSubByUsername: (accountId: string, username: string) =>
      db.selectFrom('users').selectAll().where('account_id', '=', accountId).where('kind', '=', 'sub').where('username', '=', username).executeTakeFirst(),
    listSubUsers: (accountId: string) =>
      db
        .selectFrom('users')
        .leftJoin('mfa_devices', (join) => join.onRef('mfa_devices.user_id', '=', 'users.id').on('mfa_devices.status', '=', 'active'))
        .selectAll('users')
        .select(['mfa_devices.id as device_id', 'mfa_devices.bound_at as device_bound_at'])
        .where('users.account_id', '=', accountId)
        .where('users.kind', '=', 'sub')
        .orderBy('users.username')
        .execute(),
    updateUser: (id: string, changes: Partial<Pick<UsersTable, 'display_name' | 'email' | 'email_normalized' | 'phone' | 'password_hash' | 'roles' | 'mfa_required' | 'disabled_at' | 'step_up_method'>>) =>
      db.updateTable('users').set(changes).where('id', '=', id).execute(),
    /** Removes a sub-user and everything that lets it act; audit events keep its id. */
    deleteSubUser: async (id: string) => {
      await db.deleteFrom('sessions').where('user_id', '=', id).execute();
      await db.deleteFrom('login_challenges').where('user_id', '=', id).execute();
      await db.deleteFrom('mfa_devices').where('user_id', '=', id).execute();
      await db.deleteFrom('known_browsers').where('user_id', '=', id).execute();
      await db.deleteFrom('throttles').where('key', '=', `mfa:${id}`).execute();
      await db.deleteFrom('users').where('id', '=', id).where('kind', '=', 'sub').execute();
    },
    rootEmailTaken: async (emailNormalized: string) =>
      (await db.selectFrom('users').select('id').where('kind', '=', 'root').where('email_normalized', '=', emailNormalized).executeTakeFirst()) !== undefined,
  };
}
export type UsersRepository = ReturnType<typeof createUsersRepository>;
