import { sql } from 'kysely';
import { preparedQuery, type QueryTarget } from '../prepared.js';
import type { AccountsTable, UsersTable, PasswordResetsTable } from '../schema.js';

// Values compared with a partial index's condition (mfa_devices.status = 'active', users.kind =
// 'root') are SQL literals, never bound parameters: SQLite re-prepares a statement whenever a
// parameter it matched against a partial index's WHERE is bound again (sqlite3ExprCompare marks it
// in the statement's variable mask), which cost ~70 µs on every MFA verify (decision 011).

// The lookups of every login: prepared once (decision 011).
const findRootByEmail = preparedQuery<{ email: string }, UsersTable>((db, slot) =>
  db.selectFrom('users').selectAll().where('kind', '=', sql.lit('root')).where('email_normalized', '=', slot('email')),
);
const findAccountByAlias = preparedQuery<{ alias: string }, AccountsTable>((db, slot) =>
  db.selectFrom('accounts').selectAll().where('alias', '=', slot('alias')),
);
const findSubByUsername = preparedQuery<{ accountId: string; username: string }, UsersTable>((db, slot) =>
  db
    .selectFrom('users')
    .selectAll()
    .where('account_id', '=', slot('accountId'))
    .where('kind', '=', sql.lit('sub'))
    .where('username', '=', slot('username')),
);

export function createUsersRepository(target: QueryTarget) {
  return {
    insertAccount: (account: AccountsTable) => target.db.insertInto('accounts').values(account).execute(),
    aliasExists: async (alias: string) =>
      (await target.db.selectFrom('accounts').select('id').where('alias', '=', alias).executeTakeFirst()) !== undefined,
    findAccountById: (id: string) =>
      target.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst(),
    insertUser: (user: UsersTable) => target.db.insertInto('users').values(user).execute(),
    findUserById: (id: string) => target.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
    findRootByEmail: (emailNormalized: string) => findRootByEmail.first(target, { email: emailNormalized }),
    findRootOfAccount: (accountId: string) =>
      target.db
        .selectFrom('users')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('kind', '=', sql.lit('root'))
        .executeTakeFirst(),
    /** The support operators (`twofold operator list`): primary accounts with the operator role. */
    listOperators: () =>
      target.db
        .selectFrom('users')
        .select(['id', 'account_id', 'email', 'display_name', 'created_at', 'disabled_at'])
        .where('kind', '=', sql.lit('root'))
        .where(sql<string>`',' || roles || ','`, 'like', '%,operator,%')
        .orderBy('created_at')
        .execute(),
    findAccountByAlias: (alias: string) => findAccountByAlias.first(target, { alias }),
    findSubByUsername: (accountId: string, username: string) =>
      findSubByUsername.first(target, { accountId, username }),
    listSubUsers: (accountId: string) =>
      target.db
        .selectFrom('users')
        .leftJoin('mfa_devices', (join) =>
          join.onRef('mfa_devices.user_id', '=', 'users.id').on('mfa_devices.status', '=', sql.lit('active')),
        )
        .selectAll('users')
        .select(['mfa_devices.id as device_id', 'mfa_devices.bound_at as device_bound_at'])
        .where('users.account_id', '=', accountId)
        .where('users.kind', '=', 'sub')
        .orderBy('users.username')
        .execute(),
    /**
     * Serialises changes to one user's factors: on PostgreSQL the user's row is locked until the
     * transaction ends (READ COMMITTED would let two removals each see the other's device as still
     * there); SQLite's one writer already serialises transactions.
     */
    lockForFactorChange: async (userId: string) => {
      if (target.kind === 'postgres')
        await target.db.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
    },
    updateUser: (
      id: string,
      changes: Partial<
        Pick<
          UsersTable,
          | 'display_name'
          | 'email'
          | 'email_normalized'
          | 'phone'
          | 'password_hash'
          | 'roles'
          | 'mfa_required'
          | 'disabled_at'
          | 'step_up_method'
          | 'locale'
        >
      >,
    ) => target.db.updateTable('users').set(changes).where('id', '=', id).execute(),
    /** Removes a sub-user and everything that lets it act; audit events keep its id. */
    deleteSubUser: async (id: string) => {
      await target.db.deleteFrom('sessions').where('user_id', '=', id).execute();
      await target.db.deleteFrom('login_challenges').where('user_id', '=', id).execute();
      await target.db.deleteFrom('mfa_devices').where('user_id', '=', id).execute();
      await target.db.deleteFrom('known_browsers').where('user_id', '=', id).execute();
      await target.db.deleteFrom('throttles').where('key', '=', `mfa:${id}`).execute();
      await target.db.deleteFrom('users').where('id', '=', id).where('kind', '=', sql.lit('sub')).execute();
    },
    insertPasswordReset: (reset: PasswordResetsTable) =>
      target.db.insertInto('password_resets').values(reset).execute(),
    /** Spends a reset link: the conditional update lets one use win, and never an expired one. */
    consumePasswordReset: async (idHash: string, now: number) =>
      (
        await target.db
          .updateTable('password_resets')
          .set({ used_at: now })
          .where('id_hash', '=', idHash)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .returning(['user_id'])
          .executeTakeFirst()
      )?.user_id ?? null,
    /** The user a live (unused, unexpired) reset link belongs to, without spending it. */
    findLivePasswordReset: async (idHash: string, now: number) =>
      (
        await target.db
          .selectFrom('password_resets')
          .select('user_id')
          .where('id_hash', '=', idHash)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .executeTakeFirst()
      )?.user_id ?? null,
    /** Every outstanding reset link of the user stops working (a new password makes them moot). */
    voidPasswordResets: (userId: string, now: number) =>
      target.db
        .updateTable('password_resets')
        .set({ used_at: now })
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .execute(),
    rootEmailTaken: async (emailNormalized: string) =>
      (await target.db
        .selectFrom('users')
        .select('id')
        .where('kind', '=', sql.lit('root'))
        .where('email_normalized', '=', emailNormalized)
        .executeTakeFirst()) !== undefined,
  };
}
export type UsersRepository = ReturnType<typeof createUsersRepository>;
