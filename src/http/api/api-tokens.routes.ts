import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { principalOf, requestMeta } from '../plugins/auth.js';
import { OpaqueId, errors } from './schemas.js';
import { apiScopeNames } from '../../domain/api-tokens/scopes.js';
import { MAX_TOKEN_DAYS, type ApiTokenView } from '../../domain/api-tokens/api-tokens.service.js';

const Scope = Type.Union(apiScopeNames.map((scope) => Type.Literal(scope)));
const ApiToken = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    scopes: Type.Array(Scope),
    createdAt: Type.String(),
    expiresAt: Type.String(),
    lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'ApiToken' },
);
const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(Scope, { minItems: 1, maxItems: apiScopeNames.length, uniqueItems: true }),
    expiresInDays: Type.Integer({ minimum: 1, maximum: MAX_TOKEN_DAYS }),
  },
  { additionalProperties: false },
);
const Params = Type.Object({ id: OpaqueId });

const iso = (ms: number) => new Date(ms).toISOString();
function view(token: ApiTokenView) {
  return {
    id: token.id,
    name: token.name,
    scopes: token.scopes,
    createdAt: iso(token.createdAt),
    expiresAt: iso(token.expiresAt),
    lastUsedAt: token.lastUsedAt === null ? null : iso(token.lastUsedAt),
  };
}

/**
 * API tokens (API.md "API tokens, webhooks, metrics"; decision 031): made and revoked by a signed-in
 * person, never by a token — these routes name no scope, so every token is refused here.
 */
export function registerApiTokenRoutes(app: FastifyInstance, services: Services) {
  app.addSchema(ApiToken);
  const ref = Type.Ref('ApiToken');

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/api-tokens',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['api-tokens'],
        summary:
          'Create an API token (primary account or user administrator, fresh step-up); its secret is in this answer only',
        body: CreateBody,
        response: {
          201: Type.Object({
            token: Type.Object({
              id: Type.String(),
              name: Type.String(),
              scopes: Type.Array(Scope),
              expiresAt: Type.String(),
            }),
            secret: Type.String(),
          }),
          ...errors(400, 401, 403, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const { token, secret } = await services.apiTokens.create(
        principalOf(request),
        request.body,
        requestMeta(request),
      );
      return reply.status(201).send({
        token: { id: token.id, name: token.name, scopes: token.scopes, expiresAt: iso(token.expiresAt) },
        secret,
      });
    },
  );

  app.get(
    '/api-tokens',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['api-tokens'],
        summary: "The caller's API tokens that still work (never their secrets)",
        response: { 200: Type.Object({ tokens: Type.Array(ref) }), ...errors(401, 403) },
      },
    },
    async (request) => ({ tokens: (await services.apiTokens.list(principalOf(request))).map(view) }),
  );

  app.delete<{ Params: Static<typeof Params> }>(
    '/api-tokens/:id',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['api-tokens'],
        summary: 'Revoke an API token: every instance refuses it from the next call',
        params: Params,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await services.apiTokens.revoke(principalOf(request), request.params.id, requestMeta(request));
      return reply.status(204).send();
    },
  );
}
