import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { principalOf, requestMeta } from '../plugins/auth.js';
import { OpaqueId, errors } from './schemas.js';
import type { OidcClientView } from '../../domain/oidc/clients.service.js';

const Uri = Type.String({ minLength: 1, maxLength: 2000 });
const Uris = Type.Array(Uri, { maxItems: 10 });
const ClientName = Type.String({ minLength: 1, maxLength: 100 });

const OidcClient = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    type: Type.Union([Type.Literal('public'), Type.Literal('confidential')]),
    redirectUris: Type.Array(Type.String()),
    postLogoutRedirectUris: Type.Array(Type.String()),
    workspaceId: Type.Optional(Type.String()),
    firstParty: Type.Boolean(),
    createdAt: Type.String(),
  },
  { $id: 'OidcClient' },
);
const CreateBody = Type.Object(
  {
    name: ClientName,
    redirectUris: Type.Array(Uri, { minItems: 1, maxItems: 10 }),
    postLogoutRedirectUris: Type.Optional(Uris),
    type: Type.Union([Type.Literal('confidential'), Type.Literal('public')]),
    workspaceId: Type.Optional(OpaqueId),
    firstParty: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  {
    name: Type.Optional(ClientName),
    redirectUris: Type.Optional(Type.Array(Uri, { minItems: 1, maxItems: 10 })),
    postLogoutRedirectUris: Type.Optional(Uris),
  },
  { additionalProperties: false },
);
const ClientParams = Type.Object({ id: OpaqueId });

function view(client: OidcClientView) {
  return {
    id: client.id,
    name: client.name,
    type: client.type,
    redirectUris: client.redirectUris,
    postLogoutRedirectUris: client.postLogoutRedirectUris,
    ...(client.workspaceId ? { workspaceId: client.workspaceId } : {}),
    firstParty: client.firstParty,
    createdAt: new Date(client.createdAt).toISOString(),
  };
}

/**
 * The applications that sign in through twofold (API.md "OpenID Connect provider"): a primary
 * account registers, lists, changes and deletes them. The protocol itself is under /oidc.
 */
export function registerOidcClientRoutes(app: FastifyInstance, services: Services) {
  const { clients } = services.oidc;
  app.addSchema(OidcClient);
  const ref = Type.Ref('OidcClient');

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/oidc-clients',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['oidc'],
        summary:
          'Register an application (primary account, fresh step-up); a confidential one gets its secret in this answer only',
        body: CreateBody,
        response: {
          201: Type.Object({ client: ref, clientSecret: Type.Optional(Type.String()) }),
          ...errors(400, 401, 403, 404, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const created = await clients.create(principalOf(request), request.body, requestMeta(request));
      return reply.status(201).send({
        client: view(created.client),
        ...(created.clientSecret ? { clientSecret: created.clientSecret } : {}),
      });
    },
  );

  app.get(
    '/oidc-clients',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['oidc'],
        summary: "Your account's applications (no secrets)",
        response: { 200: Type.Object({ clients: Type.Array(ref) }), ...errors(401, 403) },
      },
    },
    async (request) => ({ clients: (await clients.list(principalOf(request))).map(view) }),
  );

  app.get<{ Params: Static<typeof ClientParams> }>(
    '/oidc-clients/:id',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['oidc'],
        summary: 'One of your applications',
        params: ClientParams,
        response: { 200: Type.Object({ client: ref }), ...errors(401, 403, 404) },
      },
    },
    async (request) => ({ client: view(await clients.get(principalOf(request), request.params.id)) }),
  );

  app.patch<{ Params: Static<typeof ClientParams>; Body: Static<typeof UpdateBody> }>(
    '/oidc-clients/:id',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['oidc'],
        summary: "Change an application's name or redirect URIs",
        params: ClientParams,
        body: UpdateBody,
        response: { 200: Type.Object({ client: ref }), ...errors(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => ({
      client: view(await clients.update(principalOf(request), request.params.id, request.body, requestMeta(request))),
    }),
  );

  app.delete<{ Params: Static<typeof ClientParams> }>(
    '/oidc-clients/:id',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['oidc'],
        summary: 'Delete an application (fresh step-up): its grants and tokens are revoked',
        params: ClientParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await clients.remove(principalOf(request), request.params.id, requestMeta(request));
      return reply.status(204).send();
    },
  );
}
