import type { QueryTarget } from '../prepared.js';
import type { VerificationsTable } from '../schema.js';

export function createVerificationsRepository(target: QueryTarget) {
  return {
    /**
     * A lost-device code beside the user's other live ones: whoever asked for it, a code already in
     * the owner's mailbox stays usable (decision 022). Expired ones of the user go.
     */
    add: async (verification: VerificationsTable) => {
      await target.db
        .deleteFrom('verifications')
        .where('user_id', '=', verification.user_id)
        .where('purpose', '=', verification.purpose)
        .where('expires_at', '<=', verification.created_at)
        .execute();
      await target.db.insertInto('verifications').values(verification).execute();
    },
    /** A new code replaces the user's earlier unused codes for the same purpose. */
    replace: async (verification: VerificationsTable) => {
      await target.db
        .deleteFrom('verifications')
        .where('user_id', '=', verification.user_id)
        .where('purpose', '=', verification.purpose)
        .where('consumed_at', 'is', null)
        .execute();
      await target.db.insertInto('verifications').values(verification).execute();
    },
    /** Takes one of the code's 5 tries atomically; undefined = unknown, another user's, used, expired or out of tries. */
    reserveAttempt: (input: {
      id: string;
      userId: string;
      purpose: VerificationsTable['purpose'];
      maxAttempts: number;
      now: number;
    }) =>
      target.db
        .updateTable('verifications')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('id', '=', input.id)
        .where('user_id', '=', input.userId)
        .where('purpose', '=', input.purpose)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', input.now)
        .where('attempts', '<', input.maxAttempts)
        .returning(['code_hash', 'channel'])
        .executeTakeFirst(),
    consume: async (id: string, now: number) => {
      const result = await target.db
        .updateTable('verifications')
        .set({ consumed_at: now })
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
export type VerificationsRepository = ReturnType<typeof createVerificationsRepository>;
