import { sql } from 'kysely';
import { preparedQuery, type QueryTarget } from '../prepared.js';
import type { MfaDevicesTable, UsersTable } from '../schema.js';
import { OPEN_TICKET_STATES } from './recovery.repository.js';
import { reserveChallengeAttempt } from './sessions.repository.js';

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
export type DeviceWithUser = MfaDevicesTable &
  Pick<UsersTable, 'account_id' | 'kind' | 'email' | 'username' | 'display_name' | 'disabled_at'> & {
    open_ticket_id: string | null;
    /** Whether this browser (user-agent fingerprint) logged in before, and whether any other did. */
    browser_known: boolean | number;
    other_browser: boolean | number;
  };

/**
 * The device and its user for the dynamic-code step, and whether the account has an open
 * lost-device ticket (which a correct code cancels): one round trip instead of two.
 */
const findActiveWithUser = preparedQuery<{ userId: string; fingerprint: string }, DeviceWithUser>((db, slot) =>
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
/** The columns of a DeviceWithUser row (all null when the user has no active device). */
const DEVICE_WITH_USER_COLUMNS: (keyof DeviceWithUser)[] = [
  'id',
  'user_id',
  'status',
  'secret_sealed',
  'key_id',
  'created_at',
  'expires_at',
  'bound_at',
  'removed_at',
  'last_used_step',
  'drift_steps',
  'bound_ip',
  'bound_user_agent',
  'account_id',
  'kind',
  'email',
  'username',
  'display_name',
  'disabled_at',
  'open_ticket_id',
  'browser_known',
  'other_browser',
];

type ChallengeParams = { idHash: string; maxAttempts: number; now: number; fingerprint: string };
type ChallengeAndDevice = { challenge_attempts: number; challenge_user_id: string } & (
  DeviceWithUser | { [K in keyof DeviceWithUser]: null }
);

/**
 * PostgreSQL: the challenge's try and the read above in one statement (decision 020) — the
 * conditional UPDATE still takes the try atomically (and row-locks the challenge), the rest reads
 * through its RETURNING. Without a device the device columns are null.
 */
const reserveChallengeAndFind = preparedQuery<ChallengeParams, ChallengeAndDevice>((db, slot) => ({
  compile: () =>
    sql<ChallengeAndDevice>`with c as (
  update login_challenges set attempts = attempts + 1
  where id_hash = ${slot('idHash')} and attempts < ${slot('maxAttempts')} and consumed_at is null and expires_at > ${slot('now')}
  returning attempts, user_id
)
select c.attempts as challenge_attempts, c.user_id as challenge_user_id, d.*,
  u.account_id, u.kind, u.email, u.username, u.display_name, u.disabled_at,
  (select t.id from recovery_tickets t where t.account_id = u.account_id
    and t.status in ('submitted', 'awaiting_second_approval', 'cooling_off') limit 1) as open_ticket_id,
  exists (select 1 from known_browsers b where b.user_id = c.user_id and b.fingerprint = ${slot('fingerprint')}) as browser_known,
  exists (select 1 from known_browsers b where b.user_id = c.user_id and b.fingerprint <> ${slot('fingerprint')}) as other_browser
from c
left join mfa_devices d on d.user_id = c.user_id and d.status = 'active'
left join users u on u.id = c.user_id`.compile(db),
}));

/**
 * The password step's read: the active device (null columns without one) and a lost-device ticket
 * of this user whose cooling-off period is over, in one round trip (decision 020).
 */
const findActiveWithDueTicket = preparedQuery<
  { userId: string; now: number },
  { [K in keyof MfaDevicesTable]: MfaDevicesTable[K] | null } & { due_ticket_id: string | null }
>((db, slot) =>
  db
    .selectFrom('users')
    .leftJoin('mfa_devices', (join) =>
      join.onRef('mfa_devices.user_id', '=', 'users.id').on('mfa_devices.status', '=', sql.lit('active')),
    )
    .selectAll('mfa_devices')
    .select((eb) =>
      eb
        .selectFrom('recovery_tickets')
        .select('recovery_tickets.id')
        .whereRef('recovery_tickets.user_id', '=', 'users.id')
        .where('recovery_tickets.status', '=', sql.lit('cooling_off'))
        .where('recovery_tickets.effective_at', '<=', slot('now'))
        .limit(sql.lit(1))
        .as('due_ticket_id'),
    )
    .where('users.id', '=', slot('userId')),
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
    /**
     * Removes the user's pending enrollments — a new enrollment replaces them (a new QR code
     * invalidates the old secret) — and says how many were still unexpired at `now` (if given).
     */
    deletePending: async (userId: string, now?: number) => {
      const live =
        now === undefined
          ? 0
          : Number(
              (
                await target.db
                  .selectFrom('mfa_devices')
                  .select((eb) => eb.fn.countAll().as('n'))
                  .where('user_id', '=', userId)
                  .where('status', '=', sql.lit('pending'))
                  .where('expires_at', '>', now)
                  .executeTakeFirst()
              )?.n ?? 0,
            );
      await target.db
        .deleteFrom('mfa_devices')
        .where('user_id', '=', userId)
        .where('status', '=', sql.lit('pending'))
        .execute();
      return live;
    },
    findActive: (userId: string) => findActive.first(target, { userId }),
    /** The password step: the active device, or undefined, and a due lost-device ticket's id. */
    async findActiveWithDueTicket(userId: string, now: number) {
      const row = await findActiveWithDueTicket.first(target, { userId, now });
      const { due_ticket_id: dueTicketId, ...device } = row ?? { due_ticket_id: null, id: null };
      return {
        device: device.id === null ? undefined : (device as MfaDevicesTable),
        dueTicketId: dueTicketId ?? null,
      };
    },
    /** The active device and the user it belongs to, in one query (the login hot path). */
    /**
     * The dynamic-code step's start: takes one of the challenge's tries, then reads the device,
     * its user, the open ticket and the browser flags. Undefined = no try left (used, expired or out
     * of tries); a null `id` = no active device. One statement on PostgreSQL, two on SQLite (which
     * has no data-modifying CTE and no round trips to save).
     */
    async reserveChallengeAndFind(params: ChallengeParams): Promise<ChallengeAndDevice | undefined> {
      if (target.kind === 'postgres') return reserveChallengeAndFind.first(target, params);
      const attempt = await reserveChallengeAttempt.first(target, params);
      if (!attempt) return undefined;
      const found = await findActiveWithUser.first(target, {
        userId: attempt.user_id,
        fingerprint: params.fingerprint,
      });
      const device =
        found ??
        (Object.fromEntries(DEVICE_WITH_USER_COLUMNS.map((c) => [c, null])) as { [K in keyof DeviceWithUser]: null });
      return { challenge_attempts: attempt.attempts, challenge_user_id: attempt.user_id, ...device };
    },
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
     * The replay guard of docs/design.md §2.1: a step is accepted only if it is newer than every step
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
