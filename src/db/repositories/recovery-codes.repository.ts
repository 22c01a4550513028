import type { QueryTarget } from '../prepared.js';
import type { RecoveryCodesTable } from '../schema.js';

/** A user's recovery codes; only keyed hashes are stored. */
export function createRecoveryCodesRepository(target: QueryTarget) {
  const unused = () =>
    target.db.selectFrom('recovery_codes').where('used_at', 'is', null).where('revoked_at', 'is', null);
  return {
    /** Revokes every code still usable and stores a new set, in the caller's transaction. */
    async replaceSet(userId: string, codes: RecoveryCodesTable[], now: number) {
      await target.db
        .updateTable('recovery_codes')
        .set({ revoked_at: now })
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .execute();
      if (codes.length > 0) await target.db.insertInto('recovery_codes').values(codes).execute();
    },
    listUnused: (userId: string) => unused().selectAll().where('user_id', '=', userId).execute(),
    /** Spends a code: the conditional update lets exactly one of concurrent uses win. */
    async consume(id: string, now: number): Promise<boolean> {
      const result = await target.db
        .updateTable('recovery_codes')
        .set({ used_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async status(userId: string): Promise<{ remaining: number; createdAt: number | null }> {
      const rows = await unused().select(['created_at']).where('user_id', '=', userId).execute();
      return { remaining: rows.length, createdAt: rows.length ? Math.max(...rows.map((r) => r.created_at)) : null };
    },
    /** Whether a set was made for the user at or after `since` (used or not). */
    /** Whether the user holds a set that was not revoked (some of it may be used up). */
    hasSet: async (userId: string) =>
      (await target.db
        .selectFrom('recovery_codes')
        .select('id')
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .limit(1)
        .executeTakeFirst()) !== undefined,
    revokeAll: (userId: string, now: number) =>
      target.db
        .updateTable('recovery_codes')
        .set({ revoked_at: now })
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .execute(),
  };
}
export type RecoveryCodesRepository = ReturnType<typeof createRecoveryCodesRepository>;
