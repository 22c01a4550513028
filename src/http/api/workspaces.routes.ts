import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { principalOf, requestMeta } from '../plugins/auth.js';
import { OpaqueId, errors } from './schemas.js';

const Workspace = Type.Object({
  id: Type.String(),
  name: Type.String(),
  mfaRequired: Type.Boolean(),
  phishingResistant: Type.Boolean(),
  graceDays: Type.Integer(),
  mfaDeadline: Type.Union([Type.String(), Type.Null()]),
  role: Type.Optional(Type.String()),
});
const Name = Type.String({ minLength: 1, maxLength: 100 });
const Params = Type.Object({ id: OpaqueId });
const CreateBody = Type.Object({ name: Name }, { additionalProperties: false });
const PatchBody = Type.Object(
  {
    name: Type.Optional(Name),
    mfaRequired: Type.Optional(Type.Boolean()),
    phishingResistant: Type.Optional(
      Type.Boolean({ description: 'With mfaRequired: only a passkey counts (NIST SP 800-63B §5.2.5)' }),
    ),
    graceDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 90 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
const MemberBody = Type.Object(
  { userId: OpaqueId, role: Type.Union([Type.Literal('admin'), Type.Literal('member')]) },
  { additionalProperties: false },
);
const Member = Type.Object({
  userId: Type.String(),
  role: Type.String(),
  name: Type.Optional(Type.String()),
  displayName: Type.Optional(Type.String()),
  mfa: Type.Object({
    bound: Type.Boolean(),
    boundAt: Type.Optional(Type.String()),
    types: Type.Array(Type.String(), { description: 'totp, webauthn: the kinds of device the member has' }),
  }),
});

export function registerWorkspaceRoutes(app: FastifyInstance, services: Services) {
  app.post<{ Body: Static<typeof CreateBody> }>(
    '/workspaces',
    {
      config: { auth: 'session', scope: 'workspaces:write' },
      schema: {
        tags: ['workspaces'],
        summary: 'Create a workspace; the caller becomes its owner',
        body: CreateBody,
        response: { 201: Type.Object({ workspace: Workspace }), ...errors(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) =>
      reply.status(201).send({
        workspace: await services.workspaces.create(principalOf(request), request.body, requestMeta(request)),
      }),
  );

  app.get(
    '/workspaces',
    {
      config: { auth: 'session', scope: 'workspaces:read' },
      schema: {
        tags: ['workspaces'],
        summary: "The caller's workspaces",
        response: { 200: Type.Object({ workspaces: Type.Array(Workspace) }), ...errors(401, 403) },
      },
    },
    async (request) => ({ workspaces: await services.workspaces.list(principalOf(request)) }),
  );

  app.get<{ Params: Static<typeof Params> }>(
    '/workspaces/:id',
    {
      config: { auth: 'session', scope: 'workspaces:read' },
      schema: {
        tags: ['workspaces'],
        summary: 'One workspace; with mandatory MFA, only from a session that proved a bound device',
        params: Params,
        response: { 200: Type.Object({ workspace: Workspace }), ...errors(401, 403, 404) },
      },
    },
    async (request) => ({ workspace: await services.workspaces.get(principalOf(request), request.params.id) }),
  );

  app.patch<{ Params: Static<typeof Params>; Body: Static<typeof PatchBody> }>(
    '/workspaces/:id',
    {
      config: { auth: 'session', scope: 'workspaces:write' },
      schema: {
        tags: ['workspaces'],
        summary: 'Rename, or change the MFA policy (owner/admin; the policy needs a fresh step-up)',
        params: Params,
        body: PatchBody,
        response: { 200: Type.Object({ workspace: Workspace }), ...errors(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => ({
      workspace: await services.workspaces.update(
        principalOf(request),
        request.params.id,
        request.body,
        requestMeta(request),
      ),
    }),
  );

  app.post<{ Params: Static<typeof Params>; Body: Static<typeof MemberBody> }>(
    '/workspaces/:id/members',
    {
      config: { auth: 'session', scope: 'workspaces:write' },
      schema: {
        tags: ['workspaces'],
        summary: 'Add a user of the same account as admin or member (owner/admin)',
        params: Params,
        body: MemberBody,
        response: { 201: Type.Object({ member: Member }), ...errors(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) =>
      reply.status(201).send({
        member: await services.workspaces.addMember(
          principalOf(request),
          request.params.id,
          request.body,
          requestMeta(request),
        ),
      }),
  );

  app.get<{ Params: Static<typeof Params> }>(
    '/workspaces/:id/members',
    {
      config: { auth: 'session', scope: 'workspaces:read' },
      schema: {
        tags: ['workspaces'],
        summary: 'Members and their MFA state: the compliance view (owner/admin)',
        params: Params,
        response: { 200: Type.Object({ members: Type.Array(Member) }), ...errors(401, 403, 404) },
      },
    },
    async (request) => ({ members: await services.workspaces.members(principalOf(request), request.params.id) }),
  );

  const MemberParams = Type.Object({ id: OpaqueId, userId: OpaqueId });
  app.patch<{ Params: Static<typeof MemberParams>; Body: { role: 'admin' | 'member' } }>(
    '/workspaces/:id/members/:userId',
    {
      config: { auth: 'session', scope: 'workspaces:write' },
      schema: {
        tags: ['workspaces'],
        summary: "Change a member's role between admin and member (the owner)",
        params: MemberParams,
        body: Type.Object(
          { role: Type.Union([Type.Literal('admin'), Type.Literal('member')]) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ member: Type.Object({ userId: Type.String(), role: Type.String() }) }),
          ...errors(400, 401, 403, 404, 413, 415),
        },
      },
    },
    async (request) => ({
      member: await services.workspaces.setRole(
        principalOf(request),
        request.params.id,
        request.params.userId,
        request.body.role,
        requestMeta(request),
      ),
    }),
  );

  app.delete<{ Params: Static<typeof MemberParams> }>(
    '/workspaces/:id/members/:userId',
    {
      config: { auth: 'session', scope: 'workspaces:write' },
      schema: {
        tags: ['workspaces'],
        summary: 'Remove a member (the owner removes admins and members, an admin removes members)',
        params: MemberParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await services.workspaces.removeMember(
        principalOf(request),
        request.params.id,
        request.params.userId,
        requestMeta(request),
      );
      return reply.status(204).send();
    },
  );

  app.delete<{ Params: Static<typeof Params> }>(
    '/workspaces/:id',
    {
      config: { auth: 'session', scope: 'workspaces:write' },
      schema: {
        tags: ['workspaces'],
        summary: 'Delete a workspace and its memberships (the owner, fresh step-up)',
        params: Params,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await services.workspaces.remove(principalOf(request), request.params.id, requestMeta(request));
      return reply.status(204).send();
    },
  );

  app.post<{ Params: Static<typeof Params> }>(
    '/workspaces/:id/reminders',
    {
      config: { auth: 'session', scope: 'workspaces:write' },
      schema: {
        tags: ['workspaces'],
        summary: 'E-mail every member who has not bound MFA a reminder (owner/admin; once an hour)',
        params: Params,
        response: { 202: Type.Object({ reminded: Type.Integer() }), ...errors(401, 403, 404, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(await services.workspaces.remind(principalOf(request), request.params.id, requestMeta(request))),
  );
}
