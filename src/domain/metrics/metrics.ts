import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../../db/repositories/index.js';
import type { Clock } from '../../crypto/random.js';

/** The database connection pool as pg reports it (PostgreSQL only). */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/**
 * Prometheus metrics (issue 24; prom-client): requests by route and status, security events by
 * type (logins, second-factor checks, lockouts — the closed audit taxonomy), the outbox depth,
 * lost-device tickets by state, active lockouts, the database pool and the event loop. Labels are
 * route templates, methods, statuses, event types, states and channels: never an e-mail, an id or
 * an address. Served only on TWOFOLD_METRICS_ADDRESS, never on the public port.
 */
export function createMetrics(deps: { store: Store; clock: Clock; poolStats?: () => PoolStats }) {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({
    name: 'twofold_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const durations = new Histogram({
    name: 'twofold_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const events = new Counter({
    name: 'twofold_security_events_total',
    help: 'Security events recorded in the audit log, by type (login.succeeded, login.failed, mfa.verify_failed, mfa.locked, …)',
    labelNames: ['type'] as const,
    registers,
  });
  new Gauge({
    name: 'twofold_outbox_messages',
    help: 'E-mails, SMS and webhook deliveries waiting for delivery, by channel (email, sms, webhook)',
    labelNames: ['channel'] as const,
    registers,
    async collect() {
      this.reset();
      for (const row of await deps.store.repos.metrics.outboxDepth()) this.set({ channel: row.channel }, row.n);
      this.set({ channel: 'webhook' }, await deps.store.repos.metrics.webhookOutboxDepth());
    },
  });
  new Gauge({
    name: 'twofold_recovery_tickets',
    help: 'Lost-device tickets, by state',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      this.reset();
      for (const row of await deps.store.repos.metrics.recoveryTickets()) this.set({ state: row.status }, row.n);
    },
  });
  new Gauge({
    name: 'twofold_lockouts_active',
    help: 'Throttles locked now (password, second factor, per address)',
    registers,
    async collect() {
      this.set(await deps.store.repos.metrics.activeLockouts(deps.clock()));
    },
  });
  if (deps.poolStats) {
    const poolStats = deps.poolStats;
    new Gauge({
      name: 'twofold_db_pool_connections',
      help: 'PostgreSQL pool connections, by state (total, idle, waiting requests)',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const stats = poolStats();
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
  }
  let processMetrics = false;

  return {
    registry,
    /** One answered request; `route` is the route's template (`/api/v1/users/:id`), never the path. */
    request(method: string, route: string | undefined, status: number, seconds: number) {
      const template = route ?? 'unmatched';
      requests.inc({ method, route: template, status: String(status) });
      durations.observe({ method, route: template, status_class: `${Math.floor(status / 100)}xx` }, seconds);
    },
    /** An audit event was recorded (its type only). */
    event(type: string) {
      events.inc({ type });
    },
    /** The process's own metrics (CPU, memory, event-loop delay): only where metrics are served. */
    withProcessMetrics() {
      if (!processMetrics) collectDefaultMetrics({ register: registry, prefix: 'twofold_' });
      processMetrics = true;
    },
    /** The Prometheus text exposition (version 0.0.4). */
    async text(): Promise<{ contentType: string; body: string }> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
