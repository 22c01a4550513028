import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { principalOf, requestMeta } from '../plugins/auth.js';
import { OpaqueId, errors } from './schemas.js';
import type { WebhookDeliveryView, WebhookView } from '../../domain/webhooks/index.js';

const Webhook = Type.Object(
  {
    id: Type.String(),
    url: Type.String(),
    events: Type.Array(Type.String()),
    enabled: Type.Boolean(),
    createdAt: Type.String(),
    disabledAt: Type.Optional(Type.String()),
    disabledReason: Type.Optional(Type.String()),
  },
  { $id: 'Webhook' },
);
const WebhookDelivery = Type.Object(
  {
    id: Type.String(),
    eventType: Type.String(),
    status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
    attempts: Type.Integer(),
    lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
    at: Type.String(),
    lastAttemptAt: Type.Union([Type.String(), Type.Null()]),
    nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'WebhookDelivery' },
);
const CreateBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2000 }),
    events: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);
const WebhookParams = Type.Object({ id: OpaqueId });
const DeliveryParams = Type.Object({ id: OpaqueId, deliveryId: OpaqueId });

const iso = (ms: number) => new Date(ms).toISOString();

function view(webhook: WebhookView) {
  return {
    id: webhook.id,
    url: webhook.url,
    events: webhook.events,
    enabled: webhook.enabled,
    createdAt: iso(webhook.createdAt),
    ...(webhook.disabledAt !== null ? { disabledAt: iso(webhook.disabledAt) } : {}),
    ...(webhook.disabledReason !== null ? { disabledReason: webhook.disabledReason } : {}),
  };
}

function deliveryView(delivery: WebhookDeliveryView) {
  return {
    id: delivery.id,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    at: iso(delivery.at),
    lastAttemptAt: delivery.lastAttemptAt === null ? null : iso(delivery.lastAttemptAt),
    nextAttemptAt: delivery.nextAttemptAt === null ? null : iso(delivery.nextAttemptAt),
  };
}

/**
 * Webhooks (API.md "Webhooks", decision 032): the primary account's endpoints that receive its
 * audit events, signed as Standard Webhooks v1. The signing secret is in the answers to POST
 * /webhooks and POST /webhooks/{id}/secret only.
 */
export function registerWebhookRoutes(app: FastifyInstance, services: Services) {
  const { webhooks } = services;
  app.addSchema(Webhook);
  app.addSchema(WebhookDelivery);
  const ref = Type.Ref('Webhook');

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/webhooks',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['webhooks'],
        summary:
          'Register a webhook endpoint for audit events (primary account, fresh step-up); its signing secret is in this answer only',
        body: CreateBody,
        response: {
          201: Type.Object({ webhook: ref, secret: Type.String() }),
          ...errors(400, 401, 403, 409, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const created = await webhooks.create(principalOf(request), request.body, requestMeta(request));
      return reply.status(201).send({ webhook: view(created.webhook), secret: created.secret });
    },
  );

  app.get(
    '/webhooks',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['webhooks'],
        summary: "Your account's webhook endpoints (no secrets)",
        response: { 200: Type.Object({ webhooks: Type.Array(ref) }), ...errors(401, 403) },
      },
    },
    async (request) => ({ webhooks: (await webhooks.list(principalOf(request))).map(view) }),
  );

  app.get<{ Params: Static<typeof WebhookParams> }>(
    '/webhooks/:id/deliveries',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['webhooks'],
        summary: "An endpoint's recent deliveries, newest first",
        params: WebhookParams,
        response: {
          200: Type.Object({ deliveries: Type.Array(Type.Ref('WebhookDelivery')) }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => ({
      deliveries: (await webhooks.deliveries(principalOf(request), request.params.id)).map(deliveryView),
    }),
  );

  app.post<{ Params: Static<typeof DeliveryParams> }>(
    '/webhooks/:id/deliveries/:deliveryId/retry',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['webhooks'],
        summary: 'Send a delivery again now, with the same webhook-id; a turned-off endpoint is turned on again',
        params: DeliveryParams,
        response: { 202: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await webhooks.retry(principalOf(request), request.params.id, request.params.deliveryId, requestMeta(request));
      return reply.status(202).send();
    },
  );

  app.post<{ Params: Static<typeof WebhookParams> }>(
    '/webhooks/:id/secret',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['webhooks'],
        summary:
          'A new signing secret (fresh step-up), in this answer only; the old one still signs for 24 hours (two signatures)',
        params: WebhookParams,
        response: { 200: Type.Object({ secret: Type.String() }), ...errors(401, 403, 404) },
      },
    },
    async (request) => webhooks.rotateSecret(principalOf(request), request.params.id, requestMeta(request)),
  );

  app.delete<{ Params: Static<typeof WebhookParams> }>(
    '/webhooks/:id',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook endpoint and its deliveries',
        params: WebhookParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await webhooks.remove(principalOf(request), request.params.id, requestMeta(request));
      return reply.status(204).send();
    },
  );
}
