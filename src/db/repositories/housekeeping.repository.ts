import { sql } from 'kysely';
import type { QueryTarget } from '../prepared.js';

/** Rows deleted per statement: keeps each purge transaction short (SQLite has one writer). */
export const PURGE_BATCH = 1000;

/**
 * Deletes of rows that no longer decide anything. Each removes at most PURGE_BATCH rows, chosen by
 * primary key in a subquery (PostgreSQL has no DELETE … LIMIT), and returns how many it removed.
 */
export function createHousekeepingRepository(target: QueryTarget) {
  const deleted = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);
  return {
    /** Pending logins past their expiry (used or not) — they can never be completed. */
    purgeLoginChallenges: async (before: number) =>
      deleted(
        await target.db
          .deleteFrom('login_challenges')
          .where('id_hash', 'in', (qb) =>
            qb.selectFrom('login_challenges').select('id_hash').where('expires_at', '<', before).limit(PURGE_BATCH),
          )
          .executeTakeFirstOrThrow(),
      ),
    /** Sessions ended or expired before `before`: they authenticate nothing any more. */
    purgeSessions: async (before: number) =>
      deleted(
        await target.db
          .deleteFrom('sessions')
          .where('id', 'in', (qb) =>
            qb
              .selectFrom('sessions')
              .select('id')
              .where((eb) => eb.or([eb('ended_at', '<', before), eb('absolute_expires_at', '<', before)]))
              .limit(PURGE_BATCH),
          )
          .executeTakeFirstOrThrow(),
      ),
    /**
     * What the OpenID Provider stored, past its expiry (codes, tokens, sessions, grants); its
     * primary key has two columns, so the batch is chosen by row value.
     */
    purgeOidcPayloads: async (before: number) =>
      Number(
        (
          await sql`delete from oidc_payloads where (model, id_hash) in (select model, id_hash from oidc_payloads where expires_at < ${before} limit ${sql.lit(PURGE_BATCH)})`.execute(
            target.db,
          )
        ).numAffectedRows ?? 0n,
      ),
    /** Retired signing keys past the day they stayed published. */
    purgeOidcKeys: async (now: number) =>
      deleted(await target.db.deleteFrom('oidc_keys').where('expires_at', '<=', now).executeTakeFirstOrThrow()),
    /** WebAuthn challenges past their 5 minutes, never answered (an answered one is deleted as it is taken). */
    purgeWebauthnChallenges: async (before: number) =>
      deleted(
        await target.db
          .deleteFrom('webauthn_challenges')
          .where('id_hash', 'in', (qb) =>
            qb.selectFrom('webauthn_challenges').select('id_hash').where('expires_at', '<', before).limit(PURGE_BATCH),
          )
          .executeTakeFirstOrThrow(),
      ),
    /** Email/SMS codes past their expiry. */
    purgeVerifications: async (before: number) =>
      deleted(
        await target.db
          .deleteFrom('verifications')
          .where('id', 'in', (qb) =>
            qb.selectFrom('verifications').select('id').where('expires_at', '<', before).limit(PURGE_BATCH),
          )
          .executeTakeFirstOrThrow(),
      ),
    /** Enrollments never confirmed, past their 10 minutes: their secret is useless and should not linger. */
    purgeAbandonedEnrollments: async (before: number) =>
      deleted(
        await target.db
          .deleteFrom('mfa_devices')
          .where('id', 'in', (qb) =>
            qb
              .selectFrom('mfa_devices')
              .select('id')
              .where('status', '=', sql.lit('pending'))
              .where('expires_at', '<', before)
              .limit(PURGE_BATCH),
          )
          .executeTakeFirstOrThrow(),
      ),
    /**
     * Throttle rows that count nothing: no failures and no lock. Rows with failures are kept, so a
     * consecutive-failure count (NIST SP 800-63B §5.2.2) is never forgotten by the passing of time.
     */
    purgeIdleThrottles: async (before: number) =>
      deleted(
        await target.db
          .deleteFrom('throttles')
          .where('key', 'in', (qb) =>
            qb
              .selectFrom('throttles')
              .select('key')
              .where('failures', '=', 0)
              .where('locked_until', '<', before)
              .where('updated_at', '<', before)
              .limit(PURGE_BATCH),
          )
          .executeTakeFirstOrThrow(),
      ),
    /** Notifications delivered or given up on before `before` (pending ones are never purged). */
    purgeMessages: async (before: number) =>
      deleted(
        await target.db
          .deleteFrom('messages')
          .where('id', 'in', (qb) =>
            qb
              .selectFrom('messages')
              .select('id')
              .where('status', '!=', 'pending')
              .where('created_at', '<', before)
              .limit(PURGE_BATCH),
          )
          .executeTakeFirstOrThrow(),
      ),
  };
}
export type HousekeepingRepository = ReturnType<typeof createHousekeepingRepository>;
