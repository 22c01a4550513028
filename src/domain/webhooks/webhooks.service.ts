import { AppError } from '../../errors/app-error.js';
import { errorTexts, type ErrorTexts } from '../../i18n/errors/index.js';
import type { Store } from '../../db/repositories/index.js';
import type { WebhookDeliveriesTable, WebhookEndpointsTable } from '../../db/schema.js';
import type { Clock, RandomBytes } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import { auditEventTypes, type AuditEventType, type AuditRecorder } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import type { SensitiveOperationId } from '../step-up/sensitive-operations.js';
import { allowedAddresses, checkWebhookUrl, hostOf, type HostResolver } from './addresses.js';
import { newWebhookSecret } from './signing.js';

/** The most endpoints one account may register. */
export const MAX_WEBHOOKS = 10;
/** How long the secret before a rotation still signs (both signatures are sent meanwhile). */
export const PREVIOUS_SECRET_MS = 24 * 3600_000;
/** Deliveries listed per endpoint. */
export const RECENT_DELIVERIES = 50;

export interface WebhookView {
  id: string;
  url: string;
  events: AuditEventType[];
  enabled: boolean;
  createdAt: number;
  disabledAt: number | null;
  /** `gone`: the receiver answered 410; `failing`: every retry of a delivery failed. */
  disabledReason: string | null;
}

export interface WebhookDeliveryView {
  id: string;
  eventType: string;
  status: WebhookDeliveriesTable['status'];
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  at: number;
  lastAttemptAt: number | null;
  nextAttemptAt: number | null;
}

const sealedData = (id: string) => `webhook:${id}`;

export function sealSecret(secretBox: SecretBox, id: string, secret: string): string {
  return secretBox.seal(Buffer.from(secret, 'utf8'), sealedData(id));
}

export function openSecret(secretBox: SecretBox, id: string, sealed: string): string {
  return secretBox.open(sealed, sealedData(id)).toString('utf8');
}

export function webhookView(row: WebhookEndpointsTable): WebhookView {
  return {
    id: row.id,
    url: row.url,
    events: row.events.split(' ').filter(Boolean) as AuditEventType[],
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
    disabledReason: row.disabled_reason,
  };
}

export function deliveryView(row: WebhookDeliveriesTable): WebhookDeliveryView {
  return {
    id: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    at: row.created_at,
    lastAttemptAt: row.last_attempt_at,
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
  };
}

const knownTypes = new Set<string>(auditEventTypes);

/** The event types as asked for: at least one, no repeats, each a type of the audit taxonomy. */
export function checkEvents(events: readonly string[]): AuditEventType[] {
  // The field's message stays English (details.fields); the error's message follows the reader.
  const refuse = (message: (m: ErrorTexts) => string) =>
    new AppError('validation.failed', message, {
      details: { fields: [{ path: '/events', message: message(errorTexts.en) }] },
    });
  if (events.length === 0) throw refuse((m) => m.webhooks.chooseEvent);
  if (new Set(events).size !== events.length) throw refuse((m) => m.webhooks.eventNamedTwice);
  const unknown = events.find((type) => !knownTypes.has(type));
  if (unknown !== undefined) throw refuse((m) => m.webhooks.unknownEvent(unknown.slice(0, 64)));
  return events as AuditEventType[];
}

/**
 * Webhook endpoints of a primary account (issue 24, decision 032): register (the signing secret
 * once), list, delete, rotate the secret, see recent deliveries and send one again. The
 * deliveries themselves are written by the audit trigger and sent by the worker (delivery.ts).
 */
export function createWebhooksService(deps: {
  store: Store;
  audit: AuditRecorder;
  clock: Clock;
  random: RandomBytes;
  secretBox: SecretBox;
  stepUp: { requireFresh(principal: Principal, operation: SensitiveOperationId): Promise<void> };
  allowPrivate: boolean;
  /** Read at each use: tests swap the resolver (decision 032). */
  network: { resolve: HostResolver };
  /** This instance's subscriptions changed (the worker refreshes what it listens for). */
  onSubscriptionsChanged: () => void;
}) {
  const { store, audit, clock, random, secretBox } = deps;

  function ownerOnly(principal: Principal) {
    if (principal.kind !== 'root') throw new AppError('auth.forbidden', (m) => m.webhooks.onlyPrimaryAccount);
  }

  async function ownEndpoint(principal: Principal, id: string) {
    const row = id.length <= 64 ? await store.repos.webhooks.findEndpoint(id) : undefined;
    // Another account's endpoint is "not found": its existence is not told.
    if (!row || row.account_id !== principal.accountId)
      throw new AppError('webhook.not_found', (m) => m.webhooks.notFound);
    return row;
  }

  const event = (principal: Principal, meta: RequestMeta) => ({
    accountId: principal.accountId,
    userId: principal.userId,
    actorId: principal.userId,
    ip: meta.ip,
    userAgent: meta.userAgent,
  });

  return {
    async list(principal: Principal): Promise<WebhookView[]> {
      ownerOnly(principal);
      return (await store.repos.webhooks.listEndpoints(principal.accountId)).map(webhookView);
    },

    async get(principal: Principal, id: string): Promise<WebhookView> {
      ownerOnly(principal);
      return webhookView(await ownEndpoint(principal, id));
    },

    /**
     * Registers an endpoint. The URL's form is checked first (a typo asks for no verification),
     * then the step-up, and only then its host is resolved: a session that has not proved itself
     * learns nothing about which internal names resolve (OWASP SSRF Prevention Cheat Sheet).
     */
    async create(
      principal: Principal,
      input: { url: string; events: readonly string[] },
      meta: RequestMeta,
    ): Promise<{ webhook: WebhookView; secret: string }> {
      ownerOnly(principal);
      const url = checkWebhookUrl(input.url);
      const events = checkEvents(input.events);
      await deps.stepUp.requireFresh(principal, 'webhooks.create');
      if ((await store.repos.webhooks.countEndpoints(principal.accountId)) >= MAX_WEBHOOKS)
        throw new AppError('webhook.too_many', (m) => m.webhooks.tooMany(MAX_WEBHOOKS));
      await allowedAddresses(hostOf(url), deps.network.resolve, deps.allowPrivate);
      const now = clock();
      const id = random(16).toString('hex');
      const secret = newWebhookSecret(random);
      const row: WebhookEndpointsTable = {
        id,
        account_id: principal.accountId,
        url: url.href,
        events: events.join(' '),
        secret_sealed: sealSecret(secretBox, id, secret),
        previous_secret_sealed: null,
        previous_secret_expires_at: null,
        enabled: 1,
        disabled_at: null,
        disabled_reason: null,
        created_by: principal.userId,
        created_at: now,
      };
      await store.transaction(async (repos) => {
        if ((await repos.webhooks.countEndpoints(principal.accountId)) >= MAX_WEBHOOKS)
          throw new AppError('webhook.too_many', (m) => m.webhooks.tooMany(MAX_WEBHOOKS));
        await repos.webhooks.insertEndpoint(row);
        // The URL's path and query may hold the receiver's own token: the log names the host only.
        await audit(
          repos,
          {
            type: 'webhook.created',
            ...event(principal, meta),
            details: { webhookId: id, host: url.host, events: events.length },
          },
          now,
        );
      });
      deps.onSubscriptionsChanged();
      return { webhook: webhookView(row), secret };
    },

    async remove(principal: Principal, id: string, meta: RequestMeta): Promise<void> {
      ownerOnly(principal);
      const row = await ownEndpoint(principal, id);
      const now = clock();
      await store.transaction(async (repos) => {
        await repos.webhooks.deleteEndpoint(id);
        await audit(
          repos,
          {
            type: 'webhook.deleted',
            ...event(principal, meta),
            details: { webhookId: id, host: new URL(row.url).host },
          },
          now,
        );
      });
      deps.onSubscriptionsChanged();
    },

    /**
     * A new secret, shown once. The old one keeps signing for 24 hours next to it (Standard
     * Webhooks: several signatures in one header), so receivers can switch without losing a delivery.
     */
    async rotateSecret(principal: Principal, id: string, meta: RequestMeta): Promise<{ secret: string }> {
      ownerOnly(principal);
      await deps.stepUp.requireFresh(principal, 'webhooks.rotate_secret');
      const row = await ownEndpoint(principal, id);
      const now = clock();
      const secret = newWebhookSecret(random);
      await store.transaction(async (repos) => {
        await repos.webhooks.setSecrets(id, {
          current: sealSecret(secretBox, id, secret),
          previous: row.secret_sealed,
          previousExpiresAt: now + PREVIOUS_SECRET_MS,
        });
        await audit(
          repos,
          {
            type: 'webhook.secret_rotated',
            ...event(principal, meta),
            details: { webhookId: id, host: new URL(row.url).host },
          },
          now,
        );
      });
      return { secret };
    },

    async deliveries(principal: Principal, id: string): Promise<WebhookDeliveryView[]> {
      ownerOnly(principal);
      await ownEndpoint(principal, id);
      return (await store.repos.webhooks.listDeliveries(id, RECENT_DELIVERIES)).map(deliveryView);
    },

    /**
     * "Send again": the delivery is due now with a fresh retry schedule and the same webhook-id (a
     * receiver that saw it already can tell). A turned-off endpoint is turned on again with it.
     */
    async retry(principal: Principal, id: string, deliveryId: string, meta: RequestMeta): Promise<void> {
      ownerOnly(principal);
      const row = await ownEndpoint(principal, id);
      const delivery = deliveryId.length <= 64 ? await store.repos.webhooks.findDelivery(id, deliveryId) : undefined;
      if (!delivery) throw new AppError('webhook.not_found', (m) => m.webhooks.noSuchDelivery);
      const now = clock();
      let reenabled = false;
      await store.transaction(async (repos) => {
        reenabled = row.enabled === 0 && (await repos.webhooks.enable(row));
        await repos.webhooks.requeue(id, deliveryId, now);
        await audit(
          repos,
          {
            type: 'webhook.delivery_retried',
            ...event(principal, meta),
            details: { webhookId: id, deliveryId, eventType: delivery.event_type, reenabled },
          },
          now,
        );
      });
      if (reenabled) deps.onSubscriptionsChanged();
    },
  };
}
export type WebhooksService = ReturnType<typeof createWebhooksService>;
