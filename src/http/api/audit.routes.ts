import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { principalOf } from '../plugins/auth.js';
import { errors } from './schemas.js';

const AuditQuery = Type.Object(
  {
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    limit: Type.Optional(Type.String({ pattern: '^(?:[1-9][0-9]{0,2}|1000)$', description: '1 to 1000, default 50' })),
    before: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'an event id: page to older events' }),
    ),
  },
  { additionalProperties: false },
);

export function registerAuditRoutes(app: FastifyInstance, services: Services) {
  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/audit-events',
    {
      config: { auth: 'session', scope: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: "The account's security events, newest first",
        querystring: AuditQuery,
        response: {
          200: Type.Object({
            events: Type.Array(
              Type.Object({
                id: Type.String(),
                type: Type.String(),
                userId: Type.Union([Type.String(), Type.Null()]),
                actorId: Type.Union([Type.String(), Type.Null()]),
                actor: Type.Union(
                  [Type.Literal('self'), Type.Literal('account'), Type.Literal('support'), Type.Literal('api_token')],
                  {
                    description:
                      'self: the user; account: someone of this account (its primary account); support: a support operator; api_token: a call made with an API token of actorId (details.apiTokenId, details.apiTokenName)',
                  },
                ),
                ip: Type.Union([Type.String(), Type.Null()]),
                at: Type.String(),
                details: Type.Record(Type.String(), Type.Unknown()),
              }),
            ),
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { limit, ...rest } = request.query;
      return {
        events: await services.auditQuery(principalOf(request), { ...rest, limit: limit ? Number(limit) : 50 }),
      };
    },
  );
}
