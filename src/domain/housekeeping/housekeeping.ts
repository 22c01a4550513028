import type { Store } from '../../db/repositories/index.js';
import type { HousekeepingRepository } from '../../db/repositories/housekeeping.repository.js';
import type { Clock } from '../../crypto/random.js';

const DAY_MS = 24 * 3600_000;

/**
 * How long rows that decide nothing any more are kept. Expired challenges, codes and enrollments
 * go after a day (long enough to look into a report of "my login failed"); ended sessions and
 * delivered notifications after 30 days, for an operator's questions about recent activity. The
 * audit log keeps the security history for good and is never purged here.
 */
export const RETENTION = {
  loginChallengesMs: DAY_MS,
  verificationsMs: DAY_MS,
  abandonedEnrollmentsMs: DAY_MS,
  idleThrottlesMs: DAY_MS,
  sessionsMs: 30 * DAY_MS,
  messagesMs: 30 * DAY_MS,
} as const;

export type PurgeCounts = Record<
  | 'loginChallenges'
  | 'sessions'
  | 'verifications'
  | 'webauthnChallenges'
  | 'abandonedEnrollments'
  | 'idleThrottles'
  | 'messages'
  | 'expiredSecrets'
  | 'recoveryEvidence'
  | 'oidcPayloads'
  | 'oidcKeys',
  number
>;

interface HousekeepingLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export function createHousekeeper(deps: {
  store: Store;
  clock: Clock;
  logger: HousekeepingLogger;
  intervalMs?: number;
  /** Lost-device evidence is deleted this long after its ticket closes (TWOFOLD_RECOVERY_EVIDENCE_DAYS). */
  evidenceRetentionMs?: number;
}) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<PurgeCounts> | null = null;

  /** Deletes in transactions of at most PURGE_BATCH rows until nothing of that kind is left. */
  async function drainKind(purge: (repo: HousekeepingRepository) => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const removed = await deps.store.transaction((repos) => purge(repos.housekeeping));
      total += removed;
      if (removed === 0) return total;
    }
  }

  async function drainRecovery(before: number): Promise<number> {
    let total = 0;
    for (;;) {
      const removed = await deps.store.transaction((repos) => repos.recovery.purgeEvidence(before));
      total += removed;
      if (removed === 0) return total;
    }
  }

  async function purgeOnce(): Promise<PurgeCounts> {
    const now = deps.clock();
    const counts: PurgeCounts = {
      loginChallenges: await drainKind((repo) => repo.purgeLoginChallenges(now - RETENTION.loginChallengesMs)),
      sessions: await drainKind((repo) => repo.purgeSessions(now - RETENTION.sessionsMs)),
      verifications: await drainKind((repo) => repo.purgeVerifications(now - RETENTION.verificationsMs)),
      webauthnChallenges: await drainKind((repo) => repo.purgeWebauthnChallenges(now)),
      abandonedEnrollments: await drainKind((repo) =>
        repo.purgeAbandonedEnrollments(now - RETENTION.abandonedEnrollmentsMs),
      ),
      idleThrottles: await drainKind((repo) => repo.purgeIdleThrottles(now - RETENTION.idleThrottlesMs)),
      messages: await drainKind((repo) => repo.purgeMessages(now - RETENTION.messagesMs)),
      // The delivery worker does this every few seconds; `twofold housekeeping` does it too (decision 023).
      expiredSecrets: await deps.store.transaction((repos) => repos.messages.redactExpiredSecrets(now)),
      recoveryEvidence: await drainRecovery(now - (deps.evidenceRetentionMs ?? 30 * DAY_MS)),
      // The OpenID Provider's codes, tokens and sessions once expired; retired keys after their day.
      oidcPayloads: await drainKind((repo) => repo.purgeOidcPayloads(now)),
      oidcKeys: await drainKind((repo) => repo.purgeOidcKeys(now)),
    };
    if (Object.values(counts).some((count) => count > 0))
      deps.logger.info({ purged: counts }, 'housekeeping removed expired rows');
    return counts;
  }

  const housekeeper = {
    /** One pass; a caller arriving while a pass runs shares it. */
    runOnce(): Promise<PurgeCounts> {
      running ??= purgeOnce().finally(() => {
        running = null;
      });
      return running;
    },
    /** Hourly passes, the first a minute after start (not while the server is still warming up). */
    start() {
      const tick = () =>
        void housekeeper
          .runOnce()
          .catch((error: unknown) => deps.logger.warn({ error: (error as Error).message }, 'housekeeping failed'));
      const first = setTimeout(tick, 60_000);
      first.unref();
      timer = setInterval(tick, deps.intervalMs ?? 3600_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
  return housekeeper;
}
export type Housekeeper = ReturnType<typeof createHousekeeper>;
