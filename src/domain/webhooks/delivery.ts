import type { Store, Repositories } from '../../db/repositories/index.js';
import type { AuditEventsTable, WebhookDeliveriesTable, WebhookEndpointsTable } from '../../db/schema.js';
import type { Clock } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import { recipientOf } from '../notify/recipients.js';
import { openSecret } from './webhooks.service.js';
import { signatureHeader } from './signing.js';
import { postWebhook, type AttemptResult, type WebhookNetwork } from './send.js';

export interface WebhookLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/**
 * Waits after failed attempts 1, 2, …: about a day in all (23 h 36 min), ten attempts, then the
 * delivery is failed and the endpoint turned off (Standard Webhooks, "Retry schedule" suggests
 * exponential backoff over about a day).
 */
export const RETRY_SCHEDULE_MS = [
  5_000,
  60_000,
  5 * 60_000,
  30 * 60_000,
  3600_000,
  2 * 3600_000,
  4 * 3600_000,
  8 * 3600_000,
  8 * 3600_000,
] as const;

/** An attempt's lease: longer than any attempt may take, so a live worker never loses its row. */
export const DEFAULT_LEASE_MS = 60_000;
/** Finished deliveries are kept this long for the list. */
const KEEP_FINISHED_MS = 30 * 24 * 3600_000;
const MAX_IN_FLIGHT = 16;

/** The body of a delivery: the audit event, as Standard Webhooks' `{type, timestamp, data}`. */
export function webhookBody(event: AuditEventsTable): string {
  const at = new Date(event.at).toISOString();
  return JSON.stringify({
    type: event.type,
    timestamp: at,
    data: {
      id: event.id,
      type: event.type,
      accountId: event.account_id,
      userId: event.user_id,
      actorId: event.actor_id,
      actorRole: event.actor_role,
      at,
      // Audit details never hold a secret, code or token (docs/design.md §2.8).
      details: JSON.parse(event.details) as unknown,
    },
  });
}

/**
 * Sends the webhook outbox (decision 032). Rows are written by the audit trigger in the changing
 * transaction; this worker runs after commits that recorded a subscribed event type and on a poll,
 * claims each attempt with a lease (a conditional UPDATE: of several instances on one PostgreSQL
 * only one sends it), and sends outside any transaction and off the request path.
 */
export function createWebhookWorker(deps: {
  store: Store;
  clock: Clock;
  secretBox: SecretBox;
  audit: AuditRecorder;
  notify: Notifier;
  allowPrivate: boolean;
  /** Read at each attempt, so a test may change it. */
  network: WebhookNetwork;
  logger: WebhookLogger;
  pollMs?: number;
  leaseMs?: number;
}) {
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  /** Attempts under way, by endpoint. */
  const inFlight = new Map<string, Promise<void>>();
  let aborter = new AbortController();
  let running: Promise<number> | null = null;
  let dirty = false;
  let timer: NodeJS.Timeout | null = null;
  let previousOnCommit: (() => void) | null = null;
  let ownOnCommit: (() => void) | null = null;
  /** Event types some endpoint takes (refreshed on the poll); null until first read. */
  let subscribed: Set<string> | null = null;
  let lastRefresh = -Infinity;
  let lastPurge = -Infinity;

  async function disableEndpoint(
    repos: Repositories,
    endpoint: WebhookEndpointsTable,
    reason: 'gone' | 'failing',
    statusCode: number | null,
    now: number,
  ) {
    if (!(await repos.webhooks.disable(endpoint.id, now, reason))) return;
    const host = new URL(endpoint.url).host;
    await deps.audit(
      repos,
      {
        type: 'webhook.disabled',
        accountId: endpoint.account_id,
        userId: null,
        actorId: null,
        details: { webhookId: endpoint.id, host, reason, lastStatusCode: statusCode },
      },
      now,
    );
    const owner = await repos.users.findRootOfAccount(endpoint.account_id);
    if (owner)
      await deps.notify(
        repos,
        recipientOf(owner),
        { kind: 'webhook.disabled', endpoint: new URL(endpoint.url).origin, reason },
        { ip: null },
        now,
      );
  }

  async function attempt(delivery: WebhookDeliveriesTable, lease: number, signal: AbortSignal): Promise<void> {
    const repos = deps.store.repos;
    const endpoint = await repos.webhooks.findEndpoint(delivery.endpoint_id);
    const event = await repos.webhooks.event(delivery.event_id);
    const started = deps.clock();
    if (!endpoint || endpoint.enabled !== 1 || !event) {
      await repos.webhooks.recordAttempt(delivery, lease, {
        status: 'failed',
        at: started,
        statusCode: null,
        error: !event ? 'the event is no longer kept' : 'the endpoint was turned off',
        nextAttemptAt: started,
      });
      return;
    }
    const secrets = [openSecret(deps.secretBox, endpoint.id, endpoint.secret_sealed)];
    if (endpoint.previous_secret_sealed && (endpoint.previous_secret_expires_at ?? 0) > started)
      secrets.push(openSecret(deps.secretBox, endpoint.id, endpoint.previous_secret_sealed));
    const body = webhookBody(event);
    // Standard Webhooks "Sending": the id is the same on every attempt, the timestamp is the attempt's.
    const id = `msg_${event.id}`;
    const timestamp = Math.floor(started / 1000);
    const result: AttemptResult = await postWebhook(
      { ...deps.network, allowPrivate: deps.allowPrivate, now: deps.clock },
      endpoint.url,
      {
        'content-type': 'application/json',
        'user-agent': 'twofold-webhooks/1',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signatureHeader(secrets, id, timestamp, body),
      },
      body,
      signal,
    );
    // Stopped mid-attempt: nothing is recorded, as if the process had died; the lease runs out and
    // an instance sends it again, with the same webhook-id.
    if (signal.aborted) return;
    const now = deps.clock();
    const record = (repos: Repositories, outcome: Parameters<Repositories['webhooks']['recordAttempt']>[2]) =>
      repos.webhooks.recordAttempt(delivery, lease, outcome);
    const base = { at: now, statusCode: result.statusCode, error: result.error };
    if (result.error === null) {
      await record(repos, { ...base, status: 'delivered', nextAttemptAt: now });
      return;
    }
    const attempts = delivery.attempts + 1;
    // 410 Gone: the receiver says it will never take deliveries again (RFC 9110 §15.5.11).
    const gone = result.statusCode === 410;
    if (gone || attempts > RETRY_SCHEDULE_MS.length) {
      await deps.store.transaction(async (trx) => {
        if (await record(trx, { ...base, status: 'failed', nextAttemptAt: now }))
          await disableEndpoint(trx, endpoint, gone ? 'gone' : 'failing', result.statusCode, now);
      });
    } else {
      // 429/503 with Retry-After (RFC 9110 §10.2.3, RFC 6585 §4): then, within a day; else the schedule.
      const wait =
        result.retryAfterMs !== null && (result.statusCode === 429 || result.statusCode === 503)
          ? Math.min(Math.max(result.retryAfterMs, 1000), 24 * 3600_000)
          : RETRY_SCHEDULE_MS[attempts - 1]!;
      await record(repos, { ...base, status: 'pending', nextAttemptAt: now + wait });
    }
    deps.logger.info(
      { webhookId: endpoint.id, deliveryId: event.id, attempts, statusCode: result.statusCode, error: result.error },
      'webhook delivery attempt failed',
    );
  }

  /**
   * Claims what is due and starts each attempt; does not wait for them. One attempt per endpoint at
   * a time: a slow receiver is not flooded, a failing one stops at its first failure, and one
   * receiver's events mostly arrive in order. At most MAX_IN_FLIGHT attempts in all. Answers how
   * many it started.
   */
  async function pass(): Promise<number> {
    let started = 0;
    for (;;) {
      if (inFlight.size >= MAX_IN_FLIGHT) return started;
      const now = deps.clock();
      const due = await deps.store.repos.webhooks.dueDeliveries(now, 100);
      let claimedNow = 0;
      for (const { endpoint_id, event_id } of due) {
        if (inFlight.size >= MAX_IN_FLIGHT) break;
        if (inFlight.has(endpoint_id)) continue;
        const claimed = await deps.store.repos.webhooks.claim(endpoint_id, event_id, now, leaseMs);
        if (!claimed) continue; // another instance took it
        claimedNow += 1;
        const signal = aborter.signal;
        const run = attempt(claimed, now + leaseMs, signal)
          .catch((error: unknown) =>
            deps.logger.warn({ error: (error as Error).message, deliveryId: event_id }, 'webhook attempt failed'),
          )
          .finally(() => {
            inFlight.delete(endpoint_id);
            // The endpoint's next delivery, if one is due.
            if (timer) worker.kick();
          });
        inFlight.set(endpoint_id, run);
      }
      started += claimedNow;
      if (claimedNow === 0) return started;
    }
  }

  async function refreshSubscribed() {
    subscribed = new Set(await deps.store.repos.webhooks.subscribedTypes());
    lastRefresh = deps.clock();
  }

  const worker = {
    /**
     * One pass over what is due, then waits for the attempts in flight (tests call this; the
     * server's poll and commits only kick passes).
     */
    async runOnce(): Promise<void> {
      for (;;) {
        const started = await worker.pass();
        if (inFlight.size === 0 && started === 0) return;
        while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()]);
      }
    },
    /** A pass; concurrent callers share it. */
    pass(): Promise<number> {
      if (!running) {
        dirty = false;
        running = pass().finally(() => {
          running = null;
          if (dirty) worker.kick();
        });
      }
      return running;
    },
    /** An audit event was written (maybe in a transaction now committing): send it soon if someone takes it. */
    eventRecorded(type: string) {
      if (subscribed === null || subscribed.has(type)) dirty = true;
    },
    /** This instance changed subscriptions: listen for the new set. */
    subscriptionsChanged() {
      subscribed = null;
      lastRefresh = -Infinity;
    },
    afterCommit() {
      if (dirty) worker.kick();
    },
    kick() {
      setImmediate(() => {
        worker
          .pass()
          .catch((error: unknown) => deps.logger.warn({ error: (error as Error).message }, 'webhook worker failed'));
      });
    },
    /** The poll: due retries, other instances' new subscriptions (every 30 s), old rows (hourly). */
    async tick() {
      const now = deps.clock();
      if (now - lastRefresh >= 30_000) await refreshSubscribed();
      if (now - lastPurge >= 3600_000) {
        lastPurge = now;
        await deps.store.transaction((repos) => repos.webhooks.purgeFinished(now - KEEP_FINISHED_MS));
      }
      await worker.pass();
    },
    start() {
      aborter = new AbortController();
      // Chained after whatever else listens for commits (the mail worker).
      previousOnCommit = deps.store.onCommit;
      ownOnCommit = () => {
        previousOnCommit?.();
        worker.afterCommit();
      };
      deps.store.onCommit = ownOnCommit;
      timer = setInterval(() => {
        worker
          .tick()
          .catch((error: unknown) => deps.logger.warn({ error: (error as Error).message }, 'webhook worker failed'));
      }, deps.pollMs ?? 1_000);
      timer.unref();
      worker.kick();
    },
    /** Stops polling and abandons attempts in flight (their leases run out; see `attempt`). */
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      if (ownOnCommit && deps.store.onCommit === ownOnCommit) deps.store.onCommit = previousOnCommit;
      ownOnCommit = null;
      aborter.abort();
      await running?.catch(() => undefined);
      await Promise.allSettled([...inFlight.values()]);
      aborter = new AbortController();
    },
  };
  return worker;
}
export type WebhookWorker = ReturnType<typeof createWebhookWorker>;
