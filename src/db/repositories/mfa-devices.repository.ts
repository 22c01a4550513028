import { sql } from 'kysely';
import { preparedQuery, type QueryTarget } from '../prepared.js';
import type { MfaDevicesTable, UsersTable } from '../schema.js';
import { OPEN_TICKET_STATES } from './recovery.repository.js';

// Values compared with a partial index's condition (mfa_devices.status = 'active', users.kind =
// 'root') are SQL literals, never bound parameters: SQLite re-prepares a statement whenever a
// parameter it matched against a partial index's WHERE is bound again (sqlite3ExprCompare marks it
// in the statement's variable mask), which cost ~70 µs on every MFA verify (decision 011).

// The login and MFA-verify paths: prepared once (decision 011).
const findActive = preparedQuery<{ userId: string }, MfaDevicesTable>((db, slot) =>
  db
    .selectFrom('mfa_devices')
    .selectAll()
    .where('user_id', '=', slot('userId'))
    .where('status', '=', sql.lit('active')),
);
/**
 * The device and its user for the dynamic-code step, and whether the account has an open
 * lost-device ticket (which a correct code cancels): one round trip instead of two.
 */
const findActiveWithUser = preparedQuery<
  { userId: string; fingerprint: string },
  MfaDevicesTable &
    Pick<UsersTable, 'account_id' | 'kind' | 'email' | 'username' | 'display_name' | 'disabled_at'> & {
      open_ticket_id: string | null;
      /** Whether this browser (user-agent fingerprint) logged in before, and whether any other did. */
      browser_known: boolean | number;
      other_browser: boolean | number;
    }
>((db, slot) =>
  db
    .selectFrom('mfa_devices')
    .innerJoin('users', 'users.id', 'mfa_devices.user_id')
    .selectAll('mfa_devices')
    .select([
      'users.account_id',
      'users.kind',
      'users.email',
      'users.username',
      'users.display_name',
      'users.disabled_at',
    ])
    .select((eb) =>
      eb
        .selectFrom('recovery_tickets')
        .select('recovery_tickets.id')
        .whereRef('recovery_tickets.account_id', '=', 'users.account_id')
        .where(
          'recovery_tickets.status',
          'in',
          OPEN_TICKET_STATES.map((s) => sql.lit(s)),
        )
        .limit(sql.lit(1))
        .as('open_ticket_id'),
    )
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('known_browsers')
            .select('known_browsers.fingerprint')
            .whereRef('known_browsers.user_id', '=', 'users.id')
            .where('known_browsers.fingerprint', '=', slot('fingerprint')),
        )
        .as('browser_known'),
    )
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('known_browsers')
            .select('known_browsers.fingerprint')
            .whereRef('known_browsers.user_id', '=', 'users.id')
            .where('known_browsers.fingerprint', '!=', slot('fingerprint')),
        )
        .as('other_browser'),
    )
    .where('mfa_devices.user_id', '=', slot('userId'))
    .where('mfa_devices.status', '=', sql.lit('active')),
);
const consumeStep = preparedQuery<{ id: string; step: number; driftSteps: number }, unknown>((db, slot) =>
  db
    .updateTable('mfa_devices')
    .set({ last_used_step: slot('step'), drift_steps: slot('driftSteps') })
    .where('id', '=', slot('id'))
    .where('status', '=', sql.lit('active'))
    .where('last_used_step', '<', slot('step')),
);

export function createMfaDevicesRepository(target: QueryTarget) {
  return {
    insert: (device: MfaDevicesTable) => target.db.insertInto('mfa_devices').values(device).execute(),
    /** A new enrollment replaces the user's earlier pending ones (a new QR code invalidates the old secret). */
    deletePending: (userId: string) =>
      target.db
        .deleteFrom('mfa_devices')
        .where('user_id', '=', userId)
        .where('status', '=', sql.lit('pending'))
        .execute(),
    findActive: (userId: string) => findActive.first(target, { userId }),
    /** The active device and the user it belongs to, in one query (the login hot path). */
    /** The dynamic-code step's one read: device, user, open ticket, and what is known of this browser. */
    findActiveWithUser: (userId: string, fingerprint: string) =>
      findActiveWithUser.first(target, { userId, fingerprint }),
    findPending: (id: string, userId: string) =>
      target.db
        .selectFrom('mfa_devices')
        .selectAll()
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('status', '=', sql.lit('pending'))
        .executeTakeFirst(),
    /**
     * Confirm a pending enrollment. Conditional on the row still being pending and unexpired, and
     * the unique index on active devices refuses a second active one: two racing activations
     * cannot both win (myucto PR #69).
     */
    activate: async (input: {
      id: string;
      userId: string;
      lastUsedStep: number;
      driftSteps: number;
      now: number;
      ip: string | null;
      userAgent: string | null;
    }) => {
      const result = await target.db
        .updateTable('mfa_devices')
        .set({
          status: 'active',
          bound_at: input.now,
          expires_at: null,
          last_used_step: input.lastUsedStep,
          drift_steps: input.driftSteps,
          bound_ip: input.ip,
          bound_user_agent: input.userAgent,
        })
        .where('id', '=', input.id)
        .where('user_id', '=', input.userId)
        .where('status', '=', sql.lit('pending'))
        .where('expires_at', '>', input.now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    /**
     * The replay guard of DESIGN.md §2.1: a step is accepted only if it is newer than every step
     * accepted before. One conditional UPDATE; 0 rows = replay (or a concurrent winner).
     */
    consumeStep: async (id: string, step: number, driftSteps: number) =>
      (await consumeStep.run(target, { id, step, driftSteps })) === 1,
    remove: async (id: string, now: number) => {
      const result = await target.db
        .updateTable('mfa_devices')
        .set({ status: 'removed', removed_at: now })
        .where('id', '=', id)
        .where('status', '=', sql.lit('active'))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
export type MfaDevicesRepository = ReturnType<typeof createMfaDevicesRepository>;
