import { sql } from 'kysely';
import { preparedQuery, type QueryTarget } from '../prepared.js';
import type { ApiTokensTable, UsersTable } from '../schema.js';

/** Every API call with a token reads this: prepared once (decision 011). */
const findBySecretHash = preparedQuery<
  { secretHash: string },
  ApiTokensTable & Pick<UsersTable, 'kind' | 'roles'> & { owner_disabled_at: number | null }
>((db, slot) =>
  db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('api_tokens')
    .select(['users.kind', 'users.roles', 'users.disabled_at as owner_disabled_at'])
    .where('api_tokens.secret_hash', '=', slot('secretHash')),
);
/** `last_used_at` moves at most once a minute per token: a busy script writes one row a minute, not one a call. */
const touch = preparedQuery<{ id: string; now: number; before: number }, never>((db, slot) =>
  db
    .updateTable('api_tokens')
    .set({ last_used_at: slot('now') })
    .where('id', '=', slot('id'))
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', slot('before'))])),
);

/**
 * API tokens (decision 031). Nothing is cached: every call reads the row, so a revocation on one
 * instance is refused by every other at its next request.
 */
export function createApiTokensRepository(target: QueryTarget) {
  return {
    insert: (token: ApiTokensTable) => target.db.insertInto('api_tokens').values(token).execute(),
    findBySecretHash: (secretHash: string) => findBySecretHash.first(target, { secretHash }),
    touch: (id: string, now: number) => touch.run(target, { id, now, before: now - 60_000 }),
    find: (id: string) => target.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst(),
    /** The user's tokens that still work, newest first. */
    listActive: (userId: string, now: number) =>
      target.db
        .selectFrom('api_tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute(),
    /** Every token that still works, for the operator's `twofold token list`. */
    listAllActive: (now: number) =>
      target.db
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .selectAll('api_tokens')
        .select(['users.email', 'users.username', 'users.kind'])
        .where('api_tokens.revoked_at', 'is', null)
        .where('api_tokens.expires_at', '>', now)
        .orderBy('api_tokens.created_at', 'desc')
        .execute(),
    revoke: async (id: string, now: number) =>
      Number(
        (
          await target.db
            .updateTable('api_tokens')
            .set({ revoked_at: now })
            .where('id', '=', id)
            .where('revoked_at', 'is', null)
            .executeTakeFirst()
        ).numUpdatedRows,
      ),
    /** Every working token of a user (disabled, deleted, reset, new password): the count revoked. */
    revokeAllForUser: async (userId: string, now: number) =>
      Number(
        (
          await target.db
            .updateTable('api_tokens')
            .set({ revoked_at: now })
            .where('user_id', '=', userId)
            .where('revoked_at', 'is', null)
            .where('expires_at', '>', now)
            .executeTakeFirst()
        ).numUpdatedRows,
      ),
    /** Working tokens that end within `withinMs` and whose owner was not told yet. */
    expiringUnnoticed: (now: number, withinMs: number, limit: number) =>
      target.db
        .selectFrom('api_tokens')
        .selectAll()
        .where('revoked_at', 'is', null)
        .where('expiry_notice_at', 'is', null)
        .where('expires_at', '>', now)
        .where('expires_at', '<=', now + withinMs)
        // A token that never lived longer than the window was announced with its end date already.
        .where('created_at', '<', sql<number>`expires_at - ${withinMs}`)
        .orderBy('expires_at')
        .limit(limit)
        .execute(),
    /** Claims the reminder for one token: true for the one instance that sends it. */
    markExpiryNoticed: async (id: string, now: number) =>
      Number(
        (
          await target.db
            .updateTable('api_tokens')
            .set({ expiry_notice_at: now })
            .where('id', '=', id)
            .where('expiry_notice_at', 'is', null)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) === 1,
  };
}
export type ApiTokensRepository = ReturnType<typeof createApiTokensRepository>;
