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
    rootEmailTaken: async (emailNormalized: string) =>
      (await db.selectFrom('users').select('id').where('kind', '=', 'root').where('email_normalized', '=', emailNormalized).executeTakeFirst()) !== undefined,
  };
}
export type UsersRepository = ReturnType<typeof createUsersRepository>;
