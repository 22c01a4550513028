import { sql } from 'kysely';
import type { QueryTarget } from '../prepared.js';

/**
 * Counts for the Prometheus gauges, read at each scrape (issue 24): small aggregate queries, no
 * personal data — only states, channels and numbers.
 */
export function createMetricsRepository(target: QueryTarget) {
  const counted = <Row extends { n: unknown }>(rows: Row[]) => rows.map((r) => ({ ...r, n: Number(r.n) }));
  return {
    /** Messages waiting for delivery (the outbox), by channel. */
    outboxDepth: async () =>
      counted(
        await target.db
          .selectFrom('messages')
          .select(['channel', (eb) => eb.fn.countAll().as('n')])
          .where('status', '=', 'pending')
          .groupBy('channel')
          .execute(),
      ),
    /** Webhook deliveries waiting for their (next) attempt: the webhook outbox. */
    webhookOutboxDepth: async () =>
      Number(
        (
          await target.db
            .selectFrom('webhook_deliveries')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('status', '=', 'pending')
            .executeTakeFirst()
        )?.n ?? 0,
      ),
    /** Lost-device tickets by state. */
    recoveryTickets: async () =>
      counted(
        await target.db
          .selectFrom('recovery_tickets')
          .select(['status', (eb) => eb.fn.countAll().as('n')])
          .groupBy('status')
          .execute(),
      ),
    /** Throttles locked now (a password or second-factor lockout, an address limit). */
    activeLockouts: async (now: number) =>
      Number(
        (
          await target.db
            .selectFrom('throttles')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('locked_until', '>', now)
            .executeTakeFirst()
        )?.n ?? 0,
      ),
    /** One round trip, for the database latency gauge. */
    ping: () => sql`select 1`.execute(target.db),
  };
}
