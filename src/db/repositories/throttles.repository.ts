import { sql } from 'kysely';
import type { Database } from '../database.js';

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
const big = (value: number) => sql<number>`cast(${value} as bigint)`;

export function createThrottlesRepository(db: Database) {
  return {
    get: (key: string) => db.selectFrom('throttles').selectAll().where('key', '=', key).executeTakeFirst(),
    /**
     * Count one attempt *before* it is evaluated, in a single upsert, and lock the key in the same
     * statement when this attempt reaches the threshold. A burst of concurrent guesses therefore
     * evaluates at most `threshold` of them (better-auth PR #10210: read-then-write counters are
     * bypassable). Returns undefined while the key is locked.
     */
    reserve: async (key: string, policy: ThrottlePolicy, now: number) => {
      const windowExpired = policy.windowMs === null ? sql<boolean>`1 = 0` : sql<boolean>`throttles.window_started_at <= ${big(now - policy.windowMs)}`;
      const next = sql<number>`(case when ${windowExpired} then 1 else throttles.failures + 1 end)`;
      const ladder: ReturnType<typeof sql>[] = [];
      const top = policy.hardLimit ?? policy.threshold + 32;
      for (let failures = policy.threshold; failures < top; failures++) {
        const delay = lockDelayMs(policy, failures);
        if (delay >= policy.maxDelayMs) break;
        ladder.push(sql`when ${next} = ${failures} then ${big(now + delay)}`);
      }
      const hard = policy.hardLimit === null ? sql`` : sql`when ${next} >= ${policy.hardLimit} then ${big(LOCKED_FOREVER)}`;
      const lockedUntil = sql<number>`(case when ${next} < ${policy.threshold} then 0 ${hard} ${sql.join(ladder, sql` `)} else ${big(now + policy.maxDelayMs)} end)`;
      const firstLock = policy.threshold <= 1 ? now + lockDelayMs(policy, 1) : 0;
      return db
        .insertInto('throttles')
        .values({ key, failures: 1, window_started_at: now, locked_until: firstLock, updated_at: now })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: next,
            window_started_at: sql<number>`(case when ${windowExpired} then ${big(now)} else throttles.window_started_at end)`,
            locked_until: lockedUntil,
            updated_at: now,
          }).where('throttles.locked_until', '<=', now),
        )
        .returning(['failures', 'locked_until'])
        .executeTakeFirst();
    },
    /** A success clears the consecutive-failure count (NIST SP 800-63B §5.2.2 counts consecutive failures). */
    reset: (key: string) => db.updateTable('throttles').set({ failures: 0, locked_until: 0 }).where('key', '=', key).where('failures', '>', 0).execute(),
    /** Give back an attempt that turned out to succeed, without forgiving earlier failures (per-IP keys). */
    refund: (key: string, policy: ThrottlePolicy) =>
      db
        .updateTable('throttles')
        .set({
          failures: sql<number>`case when failures > 0 then failures - 1 else 0 end`,
          locked_until: sql<number>`case when failures - 1 < ${policy.threshold} then 0 else locked_until end`,
        })
        .where('key', '=', key)
        .execute(),
    unlock: (key: string) => db.deleteFrom('throttles').where('key', '=', key).execute(),
  };
}
export type ThrottlesRepository = ReturnType<typeof createThrottlesRepository>;
