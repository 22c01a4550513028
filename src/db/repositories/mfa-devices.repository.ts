import { sql } from 'kysely';
import { preparedQuery, type QueryTarget } from '../prepared.js';
import type { MfaDevicesTable, UsersTable, WebauthnChallengesTable } from '../schema.js';
import { OPEN_TICKET_STATES } from './recovery.repository.js';
import { passkeyDeadline } from './workspaces.repository.js';
import { reserveChallengeAttempt } from './sessions.repository.js';
import {
  createThrottlesRepository,
  firstLockOf,
  reserveExpressions,
  type ThrottlePolicy,
} from './throttles.repository.js';

// Values compared with a partial index's condition (mfa_devices.status = 'active', users.kind =
// 'root') are SQL literals, never bound parameters: SQLite re-prepares a statement whenever a
// parameter it matched against a partial index's WHERE is bound again (sqlite3ExprCompare marks it
// in the statement's variable mask), which cost ~70 µs on every MFA verify (decision 011).

// The login and MFA-verify paths: prepared once (decision 011).
const listActive = preparedQuery<{ userId: string }, MfaDevicesTable>((db, slot) =>
  db
    .selectFrom('mfa_devices')
    .selectAll()
    .where('user_id', '=', slot('userId'))
    .where('status', '=', sql.lit('active'))
    .orderBy('bound_at')
    .orderBy('id'),
);
export type DeviceWithUser = MfaDevicesTable &
  Pick<UsersTable, 'account_id' | 'kind' | 'email' | 'username' | 'display_name' | 'disabled_at' | 'locale'> & {
    open_ticket_id: string | null;
    /** Whether this browser (user-agent fingerprint) logged in before, and whether any other did. */
    browser_known: boolean | number;
    other_browser: boolean | number;
  };

/**
 * The user's TOTP devices (one row each; one row of null device columns without any) for the
 * dynamic-code step, with the user and whether the account has an open lost-device ticket (which a
 * correct code cancels): one round trip instead of two.
 */
const findActiveWithUser = preparedQuery<{ userId: string; fingerprint: string }, DeviceWithUser>(
  (db, slot) =>
    db
      .selectFrom('users')
      // From the user, so a user whose devices are all passkeys is still found (device columns null).
      .leftJoin('mfa_devices', (join) =>
        join
          .onRef('mfa_devices.user_id', '=', 'users.id')
          .on('mfa_devices.status', '=', sql.lit('active'))
          .on('mfa_devices.type', '=', sql.lit('totp')),
      )
      .selectAll('mfa_devices')
      .select([
        'users.account_id',
        'users.kind',
        'users.email',
        'users.username',
        'users.display_name',
        'users.disabled_at',
        'users.locale',
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
      .where('users.id', '=', slot('userId')) as never,
);
/** The columns of a DeviceWithUser row (all null when the user has no active device). */
const DEVICE_WITH_USER_COLUMNS = [
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
  'type',
  'name',
  'last_used_at',
  'credential_id',
  'public_key',
  'sign_count',
  'transports',
  'backed_up',
  'aaguid',
  'account_id',
  'kind',
  'email',
  'username',
  'display_name',
  'disabled_at',
  'locale',
  'open_ticket_id',
  'browser_known',
  'other_browser',
] as const satisfies readonly (keyof DeviceWithUser)[];
const DEVICE_COLUMNS = DEVICE_WITH_USER_COLUMNS.slice(
  0,
  DEVICE_WITH_USER_COLUMNS.indexOf('account_id'),
) as (keyof MfaDevicesTable)[];

type ChallengeParams = {
  idHash: string;
  maxAttempts: number;
  now: number;
  fingerprint: string;
  /** The user's second-factor throttle: its key is `keyPrefix` + the user id. */
  secondFactor: { keyPrefix: string; policy: ThrottlePolicy };
};
type StatementParams = Omit<ChallengeParams, 'secondFactor'> & { keyPrefix: string; firstLock: number };
type ChallengeAndDevice = {
  challenge_attempts: number;
  challenge_user_id: string;
  must_add_passkey: number;
  /** The second-factor try: null when the key is locked (no try taken). */
  try_locked_until: number | null;
} & (DeviceWithUser | { [K in keyof DeviceWithUser]: null });
/** The dynamic-code step's read: the user's columns once, and each of its TOTP devices. */
export type PendingLoginRead = Omit<DeviceWithUser, keyof MfaDevicesTable> & {
  challenge_attempts: number;
  must_add_passkey: number;
  /** The user's second-factor try, taken with the challenge's (one budget for every factor). */
  secondFactorTry: SecondFactorTry;
  user_id: string;
  devices: MfaDevicesTable[];
};

/**
 * PostgreSQL: the challenge's try, the user's second-factor try and the read above in one statement
 * (decision 020) — the conditional UPDATE still takes the challenge's try atomically (and row-locks
 * the challenge), the throttle's upsert is the one of throttles.repository with the same counting
 * rule (`reserveExpressions`), and the rest reads through their RETURNING. Without a TOTP device the
 * device columns are null; with the throttle locked, no try is taken and `try_locked_until` is null.
 * One statement per throttle policy.
 */
function reserveChallengeAndFindQuery(policy: ThrottlePolicy) {
  return preparedQuery<StatementParams, ChallengeAndDevice>((db, slot) => {
    const { next, lockedUntil, windowStartedAt } = reserveExpressions(policy, slot('now'));
    return {
      compile: () =>
        sql<ChallengeAndDevice>`with c as (
  update login_challenges set attempts = attempts + 1
  where id_hash = ${slot('idHash')} and attempts < ${slot('maxAttempts')} and consumed_at is null and expires_at > ${slot('now')}
  returning attempts, user_id, must_add_passkey
), t as (
  insert into throttles (key, failures, window_started_at, locked_until, updated_at)
  select ${slot('keyPrefix')} || c.user_id, 1, ${slot('now')}, ${slot('firstLock')}, ${slot('now')} from c
  on conflict (key) do update set failures = ${next}, window_started_at = ${windowStartedAt},
    locked_until = ${lockedUntil}, updated_at = ${slot('now')}
  where throttles.locked_until <= ${slot('now')}
  returning locked_until
)
select c.attempts as challenge_attempts, c.user_id as challenge_user_id, c.must_add_passkey,
  t.locked_until as try_locked_until, d.*,
  u.account_id, u.kind, u.email, u.username, u.display_name, u.disabled_at, u.locale,
  (select tk.id from recovery_tickets tk where tk.account_id = u.account_id
    and tk.status in ('submitted', 'awaiting_second_approval', 'cooling_off') limit 1) as open_ticket_id,
  exists (select 1 from known_browsers b where b.user_id = c.user_id and b.fingerprint = ${slot('fingerprint')}) as browser_known,
  exists (select 1 from known_browsers b where b.user_id = c.user_id and b.fingerprint <> ${slot('fingerprint')}) as other_browser
from c
left join t on true
left join mfa_devices d on d.user_id = c.user_id and d.status = 'active' and d.type = 'totp'
left join users u on u.id = c.user_id`.compile(db),
    };
  });
}
const reserveChallengeAndFindQueries = new WeakMap<ThrottlePolicy, ReturnType<typeof reserveChallengeAndFindQuery>>();

/** A passkey's credential as its registration gave it (W3C WebAuthn Level 3 §6.5.2). */
export interface NewPasskey {
  credentialId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  signCount: number;
  transports: string | null;
  backedUp: boolean;
  aaguid: string;
}

/** The second-factor try as the code step took it: taken (and whether it locked the key), or refused. */
export type SecondFactorTry = { ok: true; locksUntil: number } | { ok: false; lockedUntil: number };

/**
 * The password step's read: the active devices (one row each; one row of null columns without any),
 * a lost-device ticket of this user whose cooling-off period is over, and whether any recovery code
 * is left, in one round trip (decision 020).
 */
const findActiveWithDueTicket = preparedQuery<
  { userId: string; now: number },
  { [K in keyof MfaDevicesTable]: MfaDevicesTable[K] | null } & {
    due_ticket_id: string | null;
    has_recovery_codes: boolean | number;
    /** When the user's phishing-resistant workspaces start requiring a passkey (the earliest); null for none. */
    passkey_deadline: number | string | null;
  }
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
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('recovery_codes')
            .select('recovery_codes.id')
            .whereRef('recovery_codes.user_id', '=', 'users.id')
            .where('recovery_codes.used_at', 'is', null)
            .where('recovery_codes.revoked_at', 'is', null),
        )
        .as('has_recovery_codes'),
    )
    .select((eb) =>
      eb
        .selectFrom('workspaces')
        .innerJoin('workspace_members', 'workspace_members.workspace_id', 'workspaces.id')
        .select(passkeyDeadline.as('deadline'))
        .whereRef('workspace_members.user_id', '=', 'users.id')
        .where('workspaces.mfa_required', '=', sql.lit(1))
        .where('workspaces.phishing_resistant', '=', sql.lit(1))
        .as('passkey_deadline'),
    )
    .where('users.id', '=', slot('userId'))
    .orderBy('mfa_devices.bound_at'),
);

/** A device's own columns out of a joined row. */
function pickDevice(row: MfaDevicesTable): MfaDevicesTable {
  return Object.fromEntries(DEVICE_COLUMNS.map((c) => [c, row[c]])) as unknown as MfaDevicesTable;
}

const consumeStep = preparedQuery<{ id: string; step: number; driftSteps: number; now: number }, unknown>((db, slot) =>
  db
    .updateTable('mfa_devices')
    .set({ last_used_step: slot('step'), drift_steps: slot('driftSteps'), last_used_at: slot('now') })
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
    /** The user's active devices of every type, the first bound first. */
    listActive: (userId: string) => listActive.all(target, { userId }),
    /** The user's first bound active device, of any type: whether the user has MFA at all. */
    findActive: async (userId: string) => (await listActive.all(target, { userId }))[0],
    findActiveById: (userId: string, id: string) =>
      target.db
        .selectFrom('mfa_devices')
        .selectAll()
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('status', '=', sql.lit('active'))
        .executeTakeFirst(),
    /** A passkey by its credential id, whoever it belongs to (a passwordless sign-in says who by it). */
    findActivePasskey: (credentialId: string) =>
      target.db
        .selectFrom('mfa_devices')
        .selectAll()
        .where('credential_id', '=', credentialId)
        .where('status', '=', sql.lit('active'))
        .where('type', '=', sql.lit('webauthn'))
        .executeTakeFirst(),
    /** The password step: the active devices, a due lost-device ticket's id, and whether recovery codes are left. */
    async findActiveWithDueTicket(userId: string, now: number) {
      const rows = await findActiveWithDueTicket.all(target, { userId, now });
      return {
        devices: rows
          .filter((row) => row.id !== null)
          .map(({ due_ticket_id: _t, has_recovery_codes: _r, passkey_deadline: _d, ...d }) => d as MfaDevicesTable),
        dueTicketId: rows[0]?.due_ticket_id ?? null,
        hasRecoveryCodes: Boolean(rows[0]?.has_recovery_codes),
        passkeyDeadline: rows[0]?.passkey_deadline == null ? null : Number(rows[0].passkey_deadline),
      };
    },
    /**
     * The dynamic-code step's start: takes one of the challenge's tries, then reads the device,
     * its user, the open ticket and the browser flags. Undefined = no try left (used, expired or out
     * of tries); a null `id` = no active device. One statement on PostgreSQL, two on SQLite (which
     * has no data-modifying CTE and no round trips to save).
     */
    async reserveChallengeAndFind(params: ChallengeParams): Promise<PendingLoginRead | undefined> {
      const { policy, keyPrefix } = params.secondFactor;
      let rows: ChallengeAndDevice[];
      if (target.kind === 'postgres') {
        let query = reserveChallengeAndFindQueries.get(policy);
        if (!query) reserveChallengeAndFindQueries.set(policy, (query = reserveChallengeAndFindQuery(policy)));
        const { secondFactor: _, ...rest } = params;
        rows = await query.all(target, { ...rest, keyPrefix, firstLock: firstLockOf(policy, params.now) });
      } else {
        const attempt = await reserveChallengeAttempt.first(target, params);
        if (!attempt) return undefined;
        const taken = await createThrottlesRepository(target).reserve(keyPrefix + attempt.user_id, policy, params.now);
        const found = await findActiveWithUser.all(target, {
          userId: attempt.user_id,
          fingerprint: params.fingerprint,
        });
        rows = found.map((row) => ({
          challenge_attempts: attempt.attempts,
          challenge_user_id: attempt.user_id,
          must_add_passkey: attempt.must_add_passkey,
          try_locked_until: taken ? taken.locked_until : null,
          ...row,
        }));
      }
      const first = rows[0];
      if (!first) return undefined;
      // A locked key took no try: when it opens again is on its row (a rare read, only when locked).
      const secondFactorTry: SecondFactorTry =
        first.try_locked_until === null
          ? {
              ok: false,
              lockedUntil:
                (await createThrottlesRepository(target).get(keyPrefix + first.challenge_user_id))?.locked_until ??
                params.now + 1000,
            }
          : { ok: true, locksUntil: Number(first.try_locked_until) };
      return {
        secondFactorTry,
        challenge_attempts: first.challenge_attempts,
        must_add_passkey: first.must_add_passkey,
        user_id: first.challenge_user_id,
        account_id: first.account_id!,
        kind: first.kind!,
        email: first.email,
        username: first.username,
        display_name: first.display_name!,
        disabled_at: first.disabled_at,
        locale: first.locale,
        open_ticket_id: first.open_ticket_id,
        browser_known: first.browser_known!,
        other_browser: first.other_browser!,
        devices: rows.filter((row) => row.id !== null).map((row) => pickDevice(row as DeviceWithUser)),
      };
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
     * Confirm a pending enrollment, conditional on the row still being pending and unexpired: two
     * racing activations of one enrollment cannot both win (myucto PR #69).
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
    consumeStep: async (id: string, step: number, driftSteps: number, now: number) =>
      (await consumeStep.run(target, { id, step, driftSteps, now })) === 1,
    /**
     * A passkey's assertion was accepted: its new counter (W3C WebAuthn Level 3 §6.1.1), conditional
     * on the counter the check compared against, so two racing assertions cannot both move it.
     */
    recordPasskeyUse: async (id: string, from: number, to: number, backedUp: boolean, now: number) => {
      const result = await target.db
        .updateTable('mfa_devices')
        // The backup state (BS flag, §6.1) can change over a passkey's life: kept as last seen.
        .set({ sign_count: to, last_used_at: now, backed_up: backedUp ? 1 : 0 })
        .where('id', '=', id)
        .where('status', '=', sql.lit('active'))
        .where('sign_count', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    rename: async (id: string, userId: string, name: string) => {
      const result = await target.db
        .updateTable('mfa_devices')
        .set({ name })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('status', '=', sql.lit('active'))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    countActive: async (userId: string) =>
      Number(
        (
          await target.db
            .selectFrom('mfa_devices')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('user_id', '=', userId)
            .where('status', '=', sql.lit('active'))
            .executeTakeFirst()
        )?.n ?? 0,
      ),
    /** Registration: the pending passkey becomes active with its credential (conditional like `activate`). */
    activatePasskey: async (
      input: NewPasskey & { id: string; userId: string; now: number; ip: string | null; userAgent: string | null },
    ) => {
      const result = await target.db
        .updateTable('mfa_devices')
        .set({
          status: 'active',
          bound_at: input.now,
          expires_at: null,
          credential_id: input.credentialId,
          public_key: input.publicKey,
          sign_count: input.signCount,
          transports: input.transports,
          backed_up: input.backedUp ? 1 : 0,
          aaguid: input.aaguid,
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
    /** Every active device of the user goes (a reset, a lost-device ticket); their ids and names. */
    removeAll: async (userId: string, now: number) =>
      target.db
        .updateTable('mfa_devices')
        .set({ status: 'removed', removed_at: now })
        .where('user_id', '=', userId)
        .where('status', '=', sql.lit('active'))
        .returning(['id', 'name', 'type'])
        .execute(),
    insertChallenge: (row: WebauthnChallengesTable) =>
      target.db.insertInto('webauthn_challenges').values(row).execute(),
    /** The user's outstanding challenges of one ceremony go (new options replace them). */
    dropChallenges: (userId: string, purpose: WebauthnChallengesTable['purpose']) =>
      target.db
        .deleteFrom('webauthn_challenges')
        .where('user_id', '=', userId)
        .where('purpose', '=', purpose)
        .execute(),
    /**
     * Takes a WebAuthn challenge for one ceremony: deleted as it is read, so an assertion or a
     * registration response made for it is accepted at most once, even when sent twice at once.
     */
    takeChallenge: (idHash: string, purpose: WebauthnChallengesTable['purpose'], now: number) =>
      target.db
        .deleteFrom('webauthn_challenges')
        .where('id_hash', '=', idHash)
        .where('purpose', '=', purpose)
        .where('expires_at', '>', now)
        .returning(['user_id', 'device_id'])
        .executeTakeFirst(),
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
