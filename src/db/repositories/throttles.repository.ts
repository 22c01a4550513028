import { sql } from 'kysely';
import { preparedQuery, type QueryTarget } from '../prepared.js';
import type { ThrottlesTable } from '../schema.js';

/**
 * How a throttle key counts failures. `windowMs` = null counts consecutive failures until a
 * success; a number counts failures within a sliding-start window.
 */
export interface ThrottlePolicy {
  /** Failures allowed before the first lock. */
  threshold: number;
  /** Lock duration for the failure that reaches `threshold`; each further failure doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Consecutive failures after which the key stays locked until an operator unlocks it. */
  hardLimit: number | null;
  windowMs: number | null;
}

export const LOCKED_FOREVER = 8_640_000_000_000_000; // the largest Date; fits bigint and a JS number

export function lockDelayMs(policy: ThrottlePolicy, failures: number): number {
  if (failures < policy.threshold) return 0;
  return Math.min(policy.baseDelayMs * 2 ** Math.min(failures - policy.threshold, 30), policy.maxDelayMs);
}

/** PostgreSQL infers `$n` inside CASE as integer; millisecond times need bigint (SQLite accepts the cast too). */
const big = (value: unknown) => sql<number>`cast(${value} as bigint)`;

/**
 * Count one attempt *before* it is evaluated, in a single upsert, and lock the key in the same
 * statement when this attempt reaches the threshold. A burst of concurrent guesses therefore
 * evaluates at most `threshold` of them (better-auth PR #10210: read-then-write counters are
 * bypassable). No row while the key is locked. Prepared once per policy (decision 011): the lock
 * ladder is part of the statement, the time is a parameter.
 */
/**
 * The counting rule of `reserve` as SQL over the conflicting row (`throttles.*`) and the time
 * `nowValue`: the next failure count, the window's start and the lock it earns. Shared with the
 * code step's one statement (mfa-devices.repository, decision 020), so the rule is written once.
 */
export function reserveExpressions(policy: ThrottlePolicy, nowValue: unknown) {
  const now = big(nowValue);
  const windowExpired =
    policy.windowMs === null
      ? sql<boolean>`1 = 0`
      : sql<boolean>`throttles.window_started_at <= ${now} - ${policy.windowMs}`;
  const next = sql<number>`(case when ${windowExpired} then 1 else throttles.failures + 1 end)`;
  const ladder: ReturnType<typeof sql>[] = [];
  const top = policy.hardLimit ?? policy.threshold + 32;
  for (let failures = policy.threshold; failures < top; failures++) {
    const delay = lockDelayMs(policy, failures);
    if (delay >= policy.maxDelayMs) break;
    ladder.push(sql`when ${next} = ${failures} then ${now} + ${delay}`);
  }
  const hard = policy.hardLimit === null ? sql`` : sql`when ${next} >= ${policy.hardLimit} then ${big(LOCKED_FOREVER)}`;
  const lockedUntil = sql<number>`(case when ${next} < ${policy.threshold} then 0 ${hard} ${sql.join(ladder, sql` `)} else ${now} + ${policy.maxDelayMs} end)`;
  const windowStartedAt = sql<number>`(case when ${windowExpired} then ${now} else throttles.window_started_at end)`;
  return { next, lockedUntil, windowStartedAt };
}

/** What the first try of a key locks it until (a policy that locks at the first failure). */
export function firstLockOf(policy: ThrottlePolicy, now: number): number {
  return policy.threshold <= 1 ? now + lockDelayMs(policy, 1) : 0;
}

function reserveQuery(policy: ThrottlePolicy) {
  return preparedQuery<
    { key: string; now: number; firstLock: number },
    Pick<ThrottlesTable, 'failures' | 'locked_until'>
  >((db, slot) => {
    const { next, lockedUntil, windowStartedAt } = reserveExpressions(policy, slot('now'));
    return db
      .insertInto('throttles')
      .values({
        key: slot('key'),
        failures: 1,
        window_started_at: slot('now'),
        locked_until: slot('firstLock'),
        updated_at: slot('now'),
      })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({
            failures: next,
            window_started_at: windowStartedAt,
            locked_until: lockedUntil,
            updated_at: slot('now'),
          })
          .where('throttles.locked_until', '<=', slot('now')),
      )
      .returning(['failures', 'locked_until']);
  });
}
const reserveQueries = new WeakMap<ThrottlePolicy, ReturnType<typeof reserveQuery>>();

const getThrottle = preparedQuery<{ key: string }, ThrottlesTable>((db, slot) =>
  db.selectFrom('throttles').selectAll().where('key', '=', slot('key')),
);
/** A success clears the consecutive-failure count (NIST SP 800-63B §5.2.2 counts consecutive failures). */
const resetThrottle = preparedQuery<{ key: string }, unknown>(
  (db, slot) =>
    db
      .updateTable('throttles')
      .set({ failures: 0, locked_until: 0 })
      .where('key', '=', slot('key'))
      .where('failures', '>', 0),
  // A success's reset: nobody reads its answer (decision 020).
  { deferrable: true },
);

/**
 * A refund on success. Not deferrable although nobody reads its answer: it must lock the address's
 * row before the login's row is reset (decision 015), and a batch of waiting writes runs in no
 * defined order — as a waiting write it deadlocked concurrent logins of one account.
 */
const refundThrottle = preparedQuery<{ key: string; threshold: number }, unknown>((db, slot) =>
  db
    .updateTable('throttles')
    .set({
      failures: sql<number>`case when failures > 0 then failures - 1 else 0 end`,
      locked_until: sql<number>`case when failures - 1 < ${slot('threshold')} then 0 else locked_until end`,
    })
    .where('key', '=', slot('key')),
);

export function createThrottlesRepository(target: QueryTarget) {
  return {
    get: (key: string) => getThrottle.first(target, { key }),
    reserve: (key: string, policy: ThrottlePolicy, now: number) => {
      let query = reserveQueries.get(policy);
      if (!query) reserveQueries.set(policy, (query = reserveQuery(policy)));
      return query.first(target, { key, now, firstLock: firstLockOf(policy, now) });
    },
    reset: (key: string) => resetThrottle.run(target, { key }),
    /** Give back an attempt that turned out to succeed, without forgiving earlier failures (per-IP keys). */
    refund: (key: string, policy: ThrottlePolicy) => refundThrottle.run(target, { key, threshold: policy.threshold }),
    unlock: (key: string) => target.db.deleteFrom('throttles').where('key', '=', key).execute(),
  };
}
export type ThrottlesRepository = ReturnType<typeof createThrottlesRepository>;
