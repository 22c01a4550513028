import type { Database } from '../database.js';
import type { LoginChallengesTable, SessionsTable } from '../schema.js';

export function createSessionsRepository(db: Database) {
  return {
    insert: (session: SessionsTable) => db.insertInto('sessions').values(session).execute(),
    findWithUser: (id: string) =>
      db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select([
          'sessions.id', 'sessions.user_id', 'sessions.secret_hash', 'sessions.created_at', 'sessions.idle_expires_at',
          'sessions.absolute_expires_at', 'sessions.restricted', 'sessions.step_up_until', 'sessions.ended_at', 'sessions.last_seen_at', 'sessions.mfa_verified',
          'users.account_id', 'users.kind', 'users.disabled_at',
        ])
        .where('sessions.id', '=', id)
        .executeTakeFirst(),
    touch: (id: string, now: number, idleExpiresAt: number) =>
      db.updateTable('sessions').set({ last_seen_at: now, idle_expires_at: idleExpiresAt }).where('id', '=', id).where('ended_at', 'is', null).execute(),
    end: (id: string, now: number) => db.updateTable('sessions').set({ ended_at: now }).where('id', '=', id).where('ended_at', 'is', null).execute(),
    /** Ends every other live session of the user (after a change to how the account is protected). */
    endOthers: (userId: string, keepSessionId: string, now: number) =>
      db.updateTable('sessions').set({ ended_at: now }).where('user_id', '=', userId).where('id', '!=', keepSessionId).where('ended_at', 'is', null).execute(),
    endAllForUser: (userId: string, now: number) => db.updateTable('sessions').set({ ended_at: now }).where('user_id', '=', userId).where('ended_at', 'is', null).execute(),
    setStepUp: (id: string, until: number, mfaVerified = false) =>
      db.updateTable('sessions').set({ step_up_until: until, ...(mfaVerified ? { mfa_verified: 1 } : {}) }).where('id', '=', id).execute(),
    /** Re-check after a workspace policy change: these users' open sessions may now only bind a device. */
    restrictOpenSessions: (userIds: string[], now: number) =>
      userIds.length === 0 ? Promise.resolve([]) : db.updateTable('sessions').set({ restricted: 1 }).where('user_id', 'in', userIds).where('ended_at', 'is', null).where('absolute_expires_at', '>', now).execute(),

    insertChallenge: (challenge: LoginChallengesTable) => db.insertInto('login_challenges').values(challenge).execute(),
    /** Take one of the challenge's tries atomically; undefined = no tries left, used, or expired. */
    reserveChallengeAttempt: (idHash: string, maxAttempts: number, now: number) =>
      db
        .updateTable('login_challenges')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('id_hash', '=', idHash)
        .where('attempts', '<', maxAttempts)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', now)
        .returning(['attempts', 'user_id'])
        .executeTakeFirst(),
    consumeChallenge: async (idHash: string, now: number) => {
      const result = await db.updateTable('login_challenges').set({ consumed_at: now }).where('id_hash', '=', idHash).where('consumed_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
export type SessionsRepository = ReturnType<typeof createSessionsRepository>;
