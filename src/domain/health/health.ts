/**
 * Readiness (GET /readyz): can this instance serve requests right now? The database answers, its
 * schema is the one this release was built for, and the instance is not shutting down. Each
 * check is bounded, so a partitioned database gives "not ready" within seconds, not never.
 */
export interface HealthDeps {
  /** One round trip to the database. */
  ping: () => Promise<void>;
  /** Migrations this release has that the database lacks. */
  pendingMigrations: () => Promise<string[]>;
  /** Longest a readiness check may take before it counts as a failure. */
  timeoutMs: number;
}

export type Readiness =
  | { ready: true }
  | {
      ready: false;
      reason: 'shutting_down' | 'database_unreachable' | 'schema_behind';
      message: string;
      pending?: string[];
    };

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createHealthCheck(deps: HealthDeps) {
  let draining = false;
  return {
    /** From now on the instance reports itself not ready (SIGTERM: the balancer stops sending). */
    drain() {
      draining = true;
    },
    get draining() {
      return draining;
    },
    async readiness(): Promise<Readiness> {
      if (draining) return { ready: false, reason: 'shutting_down', message: 'This instance is shutting down.' };
      try {
        await within(deps.ping(), deps.timeoutMs);
      } catch {
        return { ready: false, reason: 'database_unreachable', message: 'The database is not reachable.' };
      }
      const pending = await within(deps.pendingMigrations(), deps.timeoutMs).catch(() => null);
      if (pending === null)
        return { ready: false, reason: 'database_unreachable', message: 'The database is not reachable.' };
      if (pending.length > 0) {
        return {
          ready: false,
          reason: 'schema_behind',
          message: `The database schema is behind this release (missing ${pending.join(', ')}): run "twofold migrate".`,
          pending,
        };
      }
      return { ready: true };
    },
  };
}
export type HealthCheck = ReturnType<typeof createHealthCheck>;
