import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { errors } from './schemas.js';

const OutboxQuery = Type.Object(
  { to: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })) },
  { additionalProperties: false },
);

/** Dev mode only (TWOFOLD_DEV): what the outbox transport "sent". Never registered in production mode. */
export function registerDevRoutes(app: FastifyInstance, services: Services) {
  app.get<{ Querystring: Static<typeof OutboxQuery> }>(
    '/dev/outbox',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['dev'],
        summary: 'Messages kept by the dev outbox, newest first (dev mode only)',
        querystring: OutboxQuery,
        response: {
          200: Type.Object({
            messages: Type.Array(
              Type.Object({
                id: Type.String(),
                channel: Type.String(),
                to: Type.String(),
                subject: Type.String(),
                text: Type.String(),
                at: Type.String(),
                kind: Type.String(),
                status: Type.String(),
                attempts: Type.Integer(),
                lastError: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          ...errors(400),
        },
      },
    },
    async (request) => ({ messages: await services.outbox(request.query.to) }),
  );
}
