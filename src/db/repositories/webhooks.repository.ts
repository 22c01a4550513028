import { sql } from 'kysely';
import type { QueryTarget } from '../prepared.js';
import type { WebhookDeliveriesTable, WebhookEndpointsTable } from '../schema.js';

/**
 * Webhook endpoints, their subscriptions and the delivery outbox (decision 032). Delivery rows are
 * written by the `webhook_outbox` trigger on audit_events (migration 0016), never here; the worker
 * claims them with a lease, like messages.
 */
export function createWebhooksRepository(target: QueryTarget) {
  const db = () => target.db;
  /** The subscription rows of an enabled endpoint: one per event type. */
  const subscribe = async (endpoint: Pick<WebhookEndpointsTable, 'id' | 'account_id' | 'events'>) => {
    const types = endpoint.events.split(' ').filter(Boolean);
    if (types.length === 0) return;
    await db()
      .insertInto('webhook_subscriptions')
      .values(types.map((type) => ({ account_id: endpoint.account_id, event_type: type, endpoint_id: endpoint.id })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  };
  return {
    countEndpoints: async (accountId: string) =>
      Number(
        (
          await db()
            .selectFrom('webhook_endpoints')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('account_id', '=', accountId)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    /** A new endpoint, subscribed to its events. */
    insertEndpoint: async (row: WebhookEndpointsTable) => {
      await db().insertInto('webhook_endpoints').values(row).execute();
      if (row.enabled === 1) await subscribe(row);
    },
    listEndpoints: (accountId: string) =>
      db()
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    findEndpoint: (id: string) =>
      db().selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst(),
    deleteEndpoint: async (id: string) => {
      await db().deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
      await db().deleteFrom('webhook_subscriptions').where('endpoint_id', '=', id).execute();
      await db().deleteFrom('webhook_endpoints').where('id', '=', id).execute();
    },
    setSecrets: (id: string, secrets: { current: string; previous: string | null; previousExpiresAt: number | null }) =>
      db()
        .updateTable('webhook_endpoints')
        .set({
          secret_sealed: secrets.current,
          previous_secret_sealed: secrets.previous,
          previous_secret_expires_at: secrets.previousExpiresAt,
        })
        .where('id', '=', id)
        .execute(),
    /**
     * Turns an enabled endpoint off: no new deliveries (its subscriptions go), and what was still
     * waiting is failed with `reason`. False when it was off already (another instance was first).
     */
    disable: async (id: string, now: number, reason: string) => {
      const updated = await db()
        .updateTable('webhook_endpoints')
        .set({ enabled: 0, disabled_at: now, disabled_reason: reason })
        .where('id', '=', id)
        .where('enabled', '=', 1)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      await db().deleteFrom('webhook_subscriptions').where('endpoint_id', '=', id).execute();
      await db()
        .updateTable('webhook_deliveries')
        .set({ status: 'failed', last_error: 'the endpoint was turned off', claimed_until: 0 })
        .where('endpoint_id', '=', id)
        .where('status', '=', 'pending')
        .execute();
      return true;
    },
    /** Turns a disabled endpoint on again, subscribed to its events. False when it was on. */
    enable: async (endpoint: Pick<WebhookEndpointsTable, 'id' | 'account_id' | 'events'>) => {
      const updated = await db()
        .updateTable('webhook_endpoints')
        .set({ enabled: 1, disabled_at: null, disabled_reason: null })
        .where('id', '=', endpoint.id)
        .where('enabled', '=', 0)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      await subscribe(endpoint);
      return true;
    },
    listDeliveries: (endpointId: string, limit: number) =>
      db()
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('endpoint_id', '=', endpointId)
        .orderBy('created_at', 'desc')
        .orderBy('event_id', 'desc')
        .limit(limit)
        .execute(),
    findDelivery: (endpointId: string, eventId: string) =>
      db()
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('endpoint_id', '=', endpointId)
        .where('event_id', '=', eventId)
        .executeTakeFirst(),
    /** "Send again": due now, with a fresh retry schedule (the same event, so the same webhook-id). */
    requeue: (endpointId: string, eventId: string, now: number) =>
      db()
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_at: now, last_error: null })
        .where('endpoint_id', '=', endpointId)
        .where('event_id', '=', eventId)
        .execute(),
    dueDeliveries: (now: number, limit: number) =>
      db()
        .selectFrom('webhook_deliveries')
        .select(['endpoint_id', 'event_id'])
        // A literal, so the partial index `webhook_deliveries_due` serves it (decision 011).
        .where('status', '=', sql.lit('pending'))
        .where('next_attempt_at', '<=', now)
        .where('claimed_until', '<=', now)
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute(),
    /**
     * Claims one attempt with a lease: a conditional UPDATE, so of two instances polling one
     * PostgreSQL only one gets the row; a worker that dies leaves the lease to run out.
     */
    claim: (endpointId: string, eventId: string, now: number, leaseMs: number) =>
      db()
        .updateTable('webhook_deliveries')
        .set({ claimed_until: now + leaseMs })
        .where('endpoint_id', '=', endpointId)
        .where('event_id', '=', eventId)
        .where('status', '=', 'pending')
        .where('claimed_until', '<=', now)
        .returningAll()
        .executeTakeFirst(),
    /** The audit event a delivery carries. */
    event: (eventId: string) =>
      db().selectFrom('audit_events').selectAll().where('id', '=', eventId).executeTakeFirst(),
    /**
     * An attempt's outcome. Written only while the attempt's own lease holds the row (`lease`): a
     * worker that outlived its lease does not overwrite the attempt another instance made since.
     */
    recordAttempt: async (
      delivery: Pick<WebhookDeliveriesTable, 'endpoint_id' | 'event_id'>,
      lease: number,
      outcome: {
        status: WebhookDeliveriesTable['status'];
        at: number;
        statusCode: number | null;
        error: string | null;
        nextAttemptAt: number;
      },
    ) =>
      Number(
        (
          await db()
            .updateTable('webhook_deliveries')
            .set((eb) => ({
              status: outcome.status,
              attempts: eb('attempts', '+', 1),
              last_status_code: outcome.statusCode,
              last_error: outcome.error === null ? null : outcome.error.slice(0, 500),
              last_attempt_at: outcome.at,
              next_attempt_at: outcome.nextAttemptAt,
              claimed_until: 0,
            }))
            .where('endpoint_id', '=', delivery.endpoint_id)
            .where('event_id', '=', delivery.event_id)
            .where('claimed_until', '=', lease)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) > 0,
    /** Event types some enabled endpoint takes (the worker's after-commit filter). */
    subscribedTypes: async () =>
      (await db().selectFrom('webhook_subscriptions').select('event_type').distinct().execute()).map(
        (r) => r.event_type,
      ),
    /** Finished deliveries older than `before` (the list shows recent ones). */
    purgeFinished: async (before: number) =>
      Number(
        (
          await db()
            .deleteFrom('webhook_deliveries')
            .where('status', '!=', 'pending')
            .where('created_at', '<', before)
            .executeTakeFirst()
        ).numDeletedRows,
      ),
  };
}
export type WebhooksRepository = ReturnType<typeof createWebhooksRepository>;
