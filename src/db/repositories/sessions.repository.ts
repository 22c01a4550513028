import { preparedInsert, preparedQuery, type QueryTarget } from '../prepared.js';
import type { LoginChallengesTable, SessionEndReason, SessionsTable } from '../schema.js';

// The login and MFA-verify paths, and every authenticated request: prepared once (decision 011).
// A new session's row: may wait for the transaction's next statement on PostgreSQL (decision 020).
const insertSession = preparedInsert('sessions', undefined, { deferrable: true });
// A new pending login's row: its answer is not read, so on PostgreSQL it may wait (decision 020).
const insertChallenge = preparedInsert('login_challenges', undefined, { deferrable: true });
const findWithUser = preparedQuery<
  { id: string },
  Pick<
    SessionsTable,
    | 'id'
    | 'user_id'
    | 'secret_hash'
    | 'created_at'
    | 'idle_expires_at'
    | 'absolute_expires_at'
    | 'restricted'
    | 'step_up_until'
    | 'ended_at'
    | 'last_seen_at'
    | 'mfa_verified'
    | 'phishing_resistant'
    | 'amr'
    | 'authenticated_at'
  > & { account_id: string; kind: 'root' | 'sub'; disabled_at: number | null; locale: 'en' | 'zh-CN' | null }
>((db, slot) =>
  db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id',
      'sessions.user_id',
      'sessions.secret_hash',
      'sessions.created_at',
      'sessions.idle_expires_at',
      'sessions.absolute_expires_at',
      'sessions.restricted',
      'sessions.step_up_until',
      'sessions.ended_at',
      'sessions.last_seen_at',
      'sessions.mfa_verified',
      'sessions.phishing_resistant',
      'sessions.amr',
      'sessions.authenticated_at',
      'users.account_id',
      'users.kind',
      'users.disabled_at',
      'users.locale',
    ])
    .where('sessions.id', '=', slot('id')),
);
const touch = preparedQuery<{ id: string; now: number; idleExpiresAt: number }, unknown>((db, slot) =>
  db
    .updateTable('sessions')
    .set({ last_seen_at: slot('now'), idle_expires_at: slot('idleExpiresAt') })
    .where('id', '=', slot('id'))
    .where('ended_at', 'is', null),
);
/** Take one of the challenge's tries atomically; no row = no tries left, used, or expired. */
export const reserveChallengeAttempt = preparedQuery<
  { idHash: string; maxAttempts: number; now: number },
  Pick<LoginChallengesTable, 'attempts' | 'user_id' | 'must_add_passkey'>
>((db, slot) =>
  db
    .updateTable('login_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id_hash', '=', slot('idHash'))
    .where('attempts', '<', slot('maxAttempts'))
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', slot('now'))
    .returning(['attempts', 'user_id', 'must_add_passkey']),
);
const consumeChallenge = preparedQuery<{ idHash: string; now: number }, unknown>(
  (db, slot) =>
    db
      .updateTable('login_challenges')
      .set({ consumed_at: slot('now') })
      .where('id_hash', '=', slot('idHash'))
      .where('consumed_at', 'is', null),
  // Consumed after its try was reserved (a row lock on PostgreSQL): nothing else changes it now.
  { deferrable: true },
);

export function createSessionsRepository(target: QueryTarget) {
  return {
    insert: (session: SessionsTable) => insertSession(target, session),
    findWithUser: (id: string) => findWithUser.first(target, { id }),
    /** How a session ended, for its browser's next visit (not a hot path). */
    findEnd: (id: string) =>
      target.db
        .selectFrom('sessions')
        .select(['secret_hash', 'ended_at', 'end_reason', 'idle_expires_at', 'absolute_expires_at'])
        .where('id', '=', id)
        .executeTakeFirst(),
    touch: (id: string, now: number, idleExpiresAt: number) => touch.run(target, { id, now, idleExpiresAt }),
    end: (id: string, now: number, reason: SessionEndReason) =>
      target.db
        .updateTable('sessions')
        .set({ ended_at: now, end_reason: reason })
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .execute(),
    /** Ends every other live session of the user (after a change to how the account is protected). */
    /** The user's last passkey went: no open session of the user counts as having proved one. */
    clearPhishingResistant: (userId: string) =>
      target.db
        .updateTable('sessions')
        .set({ phishing_resistant: 0 })
        .where('user_id', '=', userId)
        .where('phishing_resistant', '=', 1)
        .execute(),
    endOthers: (userId: string, keepSessionId: string, now: number, reason: SessionEndReason) =>
      target.db
        .updateTable('sessions')
        .set({ ended_at: now, end_reason: reason })
        .where('user_id', '=', userId)
        .where('id', '!=', keepSessionId)
        .where('ended_at', 'is', null)
        .execute(),
    endAllForUser: (userId: string, now: number, reason: SessionEndReason) =>
      target.db
        .updateTable('sessions')
        .set({ ended_at: now, end_reason: reason })
        .where('user_id', '=', userId)
        .where('ended_at', 'is', null)
        .execute(),
    setStepUp: (id: string, until: number, mfaVerified = false) =>
      target.db
        .updateTable('sessions')
        .set({ step_up_until: until, ...(mfaVerified ? { mfa_verified: 1 } : {}) })
        .where('id', '=', id)
        .execute(),
    /** Re-check after a workspace policy change: these users' open sessions may now only bind a device. */
    restrictOpenSessions: (userIds: string[], now: number) =>
      userIds.length === 0
        ? Promise.resolve([])
        : target.db
            .updateTable('sessions')
            .set({ restricted: 1 })
            .where('user_id', 'in', userIds)
            .where('ended_at', 'is', null)
            .where('absolute_expires_at', '>', now)
            .execute(),

    /** The user's open sessions, most recently used first (GET /me/sessions). */
    listOpen: (userId: string, now: number) =>
      target.db
        .selectFrom('sessions')
        .select(['id', 'created_at', 'last_seen_at', 'ip', 'user_agent', 'mfa_verified', 'restricted'])
        .where('user_id', '=', userId)
        .where('ended_at', 'is', null)
        .where('idle_expires_at', '>', now)
        .where('absolute_expires_at', '>', now)
        .orderBy('last_seen_at', 'desc')
        .limit(100)
        .execute(),
    /** Ends one open session of this user; false when it is not theirs, or already over. */
    endOwn: async (userId: string, id: string, now: number) => {
      const result = await target.db
        .updateTable('sessions')
        .set({ ended_at: now, end_reason: 'signed_out_elsewhere' })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('ended_at', 'is', null)
        .where('absolute_expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    insertChallenge: (challenge: LoginChallengesTable) => insertChallenge(target, challenge),
    findChallenge: (idHash: string) =>
      target.db.selectFrom('login_challenges').selectAll().where('id_hash', '=', idHash).executeTakeFirst(),
    /** Pending logins of the user (password given, second factor not yet): a new password ends them. */
    endChallengesForUser: (userId: string) =>
      target.db.deleteFrom('login_challenges').where('user_id', '=', userId).execute(),
    consumeChallenge: async (idHash: string, now: number) =>
      (await consumeChallenge.run(target, { idHash, now })) === 1,
  };
}
export type SessionsRepository = ReturnType<typeof createSessionsRepository>;
