/**
 * The bench's seeding: accounts with bound devices, pending logins and audit events in bulk —
 * multi-row INSERTs in large transactions, no HTTP — so that even the growth phase's 100k accounts
 * and 1M audit events are built in well under a minute, on SQLite or PostgreSQL alike.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../src/db/schema.js';
import type { SecretBox } from '../src/crypto/secret-box.js';
import { deviceAssociatedData } from '../src/domain/factors/budget.js';

export interface GrowthUser {
  email: string;
  secret: Buffer;
  challengeId?: string;
}

/** Rows per INSERT: ~15 columns each stays far below SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

async function insertChunks<T extends keyof DatabaseSchema>(
  db: Kysely<DatabaseSchema>,
  table: T,
  rows: DatabaseSchema[T][],
) {
  for (let i = 0; i < rows.length; i += CHUNK)
    await db
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
}

/**
 * `count` primary accounts named `<prefix><n>`, each with a bound device; the first
 * `withChallenge` of them also get a pending login (for MFA verify); `auditEvents` audit events
 * are spread over them, time-ordered like the real ones.
 */
export async function seedAccounts(
  db: Kysely<DatabaseSchema>,
  box: SecretBox,
  options: { prefix: string; count: number; withChallenge: number; auditEvents: number; passwordHash: string },
): Promise<GrowthUser[]> {
  const now = Date.now();
  const users: GrowthUser[] = [];
  for (let offset = 0; offset < options.count; offset += 10_000) {
    const end = Math.min(options.count, offset + 10_000);
    const accounts: DatabaseSchema['accounts'][] = [];
    const rows: DatabaseSchema['users'][] = [];
    const devices: DatabaseSchema['mfa_devices'][] = [];
    const challenges: DatabaseSchema['login_challenges'][] = [];
    for (let i = offset; i < end; i++) {
      const id = `${options.prefix}${i}`;
      const email = `${id}@growth.example`;
      const secret = randomBytes(20);
      accounts.push({ id: `a-${id}`, alias: `g${id}`, created_at: now });
      rows.push({
        id,
        account_id: `a-${id}`,
        kind: 'root',
        email,
        email_normalized: email,
        username: null,
        display_name: id,
        phone: null,
        password_hash: options.passwordHash,
        created_at: now,
        disabled_at: null,
        roles: '',
        mfa_required: 0,
        created_by: null,
        step_up_method: null,
        locale: null,
      });
      const deviceId = `d-${id}`;
      devices.push({
        id: deviceId,
        user_id: id,
        status: 'active',
        secret_sealed: box.seal(secret, deviceAssociatedData(deviceId)),
        key_id: box.currentKeyId,
        created_at: now,
        expires_at: null,
        bound_at: now,
        removed_at: null,
        last_used_step: -1,
        drift_steps: 0,
        bound_ip: null,
        bound_user_agent: null,
        type: 'totp',
        name: 'Authenticator app',
        last_used_at: null,
        credential_id: null,
        public_key: null,
        sign_count: 0,
        transports: null,
        backed_up: 0,
        aaguid: null,
      });
      const user: GrowthUser = { email, secret };
      if (i < options.withChallenge) {
        user.challengeId = randomBytes(32).toString('base64url');
        challenges.push({
          id_hash: createHash('sha256').update(user.challengeId).digest('hex'),
          user_id: id,
          created_at: now,
          expires_at: now + 2 * 60 * 60_000,
          attempts: 0,
          consumed_at: null,
          ip: null,
          user_agent: null,
          must_add_passkey: 0,
        });
      }
      users.push(user);
    }
    await db.transaction().execute(async (trx) => {
      await insertChunks(trx, 'accounts', accounts);
      await insertChunks(trx, 'users', rows);
      await insertChunks(trx, 'mfa_devices', devices);
      await insertChunks(trx, 'login_challenges', challenges);
    });
  }
  await seedAuditEvents(db, options.prefix, options.count, options.auditEvents, now);
  return users;
}

/**
 * After a bulk load, what a database that grew over months would already have done: statistics for
 * the planner, and (PostgreSQL) the visibility map vacuumed and the load's WAL checkpointed — else
 * autovacuum and the checkpointer write it out in the middle of the next measurement, on the same
 * two cores (a first try saw verify at a third of its speed for a round).
 */
export async function settle(db: Kysely<DatabaseSchema>, kind: 'sqlite' | 'postgres') {
  if (kind === 'sqlite') {
    await sql.raw('analyze').execute(db);
    await sql.raw('pragma wal_checkpoint(truncate)').execute(db);
    return;
  }
  await sql.raw('vacuum analyze').execute(db);
  await sql.raw('checkpoint').execute(db);
}

/** Audit events over the accounts: time-ordered ids, a month back, the login types a real log holds most. */
async function seedAuditEvents(
  db: Kysely<DatabaseSchema>,
  prefix: string,
  accounts: number,
  count: number,
  now: number,
) {
  const types = ['login.succeeded', 'login.password_verified', 'session.ended', 'login.failed'] as const;
  const start = now - 30 * 86_400_000;
  const step = Math.max(1, Math.floor((30 * 86_400_000) / Math.max(count, 1)));
  for (let offset = 0; offset < count; offset += 20_000) {
    const rows: DatabaseSchema['audit_events'][] = [];
    for (let i = offset; i < Math.min(count, offset + 20_000); i++) {
      const at = start + i * step;
      const n = (i * 7919) % accounts;
      rows.push({
        id: `${at.toString(36).padStart(9, '0')}${(i % 1_679_616).toString(36).padStart(4, '0')}${prefix}${i}`,
        account_id: `a-${prefix}${n}`,
        user_id: `${prefix}${n}`,
        actor_id: `${prefix}${n}`,
        actor_role: null,
        type: types[i % types.length]!,
        ip: '203.0.113.7',
        user_agent: 'growth bench',
        at,
        details: '{}',
      });
    }
    await db.transaction().execute((trx) => insertChunks(trx, 'audit_events', rows));
  }
}

/**
 * A fresh pending login for each user (a new challenge id), as the password step would leave; on
 * PostgreSQL the planner's statistics then catch up with the rows the last round added, as
 * autovacuum's ANALYZE would within a minute. Without it, statistics taken while login_challenges
 * or known_browsers were empty gave the named statements a generic plan that scans them (EXPLAIN
 * ANALYZE: a sequential scan per verify), and the first database measured at half speed.
 */
export async function refreshChallenges(
  db: Kysely<DatabaseSchema>,
  users: GrowthUser[],
  kind: 'sqlite' | 'postgres' = 'sqlite',
) {
  const now = Date.now();
  const rows = users.map((user) => {
    user.challengeId = randomBytes(32).toString('base64url');
    return {
      id_hash: createHash('sha256').update(user.challengeId).digest('hex'),
      user_id: user.email.slice(0, user.email.indexOf('@')),
      created_at: now,
      expires_at: now + 10 * 60_000,
      attempts: 0,
      consumed_at: null,
      ip: null,
      user_agent: null,
      must_add_passkey: 0,
    };
  });
  await db.transaction().execute((trx) => insertChunks(trx, 'login_challenges', rows));
  if (kind === 'postgres') await sql.raw('analyze').execute(db);
}

/** Memory of a process as the kernel counts it (/proc/<pid>/status), in MiB. */
export function memoryOf(pid: number): { rss: number; anon: number; file: number; shmem: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  const mib = (value: number) => Math.round((value / 1024) * 10) / 10;
  return { rss: mib(kib('VmRSS')), anon: mib(kib('RssAnon')), file: mib(kib('RssFile')), shmem: mib(kib('RssShmem')) };
}
