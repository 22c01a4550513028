import { Value } from '@sinclair/typebox/value';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { principalOf, requestMeta } from '../plugins/auth.js';
import { DeviceSchema, DeviceView, OpaqueId, Password, TotpCode, errors, iso } from './schemas.js';

const Username = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
  description: '1-64 letters, digits, dot, dash, underscore; stored in lower case',
});
const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' });
const Phone = Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: 'E.164' });
const DisplayName = Type.String({ minLength: 1, maxLength: 100 });

const SubUser = Type.Object({
  id: Type.String(),
  kind: Type.Literal('sub'),
  username: Type.String(),
  displayName: Type.String(),
  email: Type.Optional(Type.String()),
  phone: Type.Optional(Type.String()),
  roles: Type.Array(Type.String()),
  mfaRequired: Type.Boolean(),
  disabled: Type.Boolean(),
  createdAt: Type.String(),
});
const MfaState = Type.Object({ bound: Type.Boolean(), device: Type.Optional(DeviceSchema) });

const CreateBody = Type.Object(
  {
    username: Username,
    password: Password,
    displayName: Type.Optional(DisplayName),
    email: Type.Optional(Email),
    phone: Type.Optional(Phone),
    mfaRequired: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const PatchBody = Type.Object(
  {
    displayName: Type.Optional(DisplayName),
    email: Type.Optional(Type.Union([Email, Type.Null()])),
    phone: Type.Optional(Type.Union([Phone, Type.Null()])),
    mfaRequired: Type.Optional(Type.Boolean()),
    password: Type.Optional(Password),
    roles: Type.Optional(Type.Array(Type.Literal('user-admin'), { maxItems: 1 })),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
const Params = Type.Object({ id: OpaqueId });
const DeviceParams = Type.Object({ id: OpaqueId, deviceId: OpaqueId });
const ListQuery = Type.Object(
  { mfa: Type.Optional(Type.Union([Type.Literal('bound'), Type.Literal('unbound')])) },
  { additionalProperties: false },
);
const ActivateBody = Type.Object(
  { enrollmentId: OpaqueId, codes: Type.Array(TotpCode, { minItems: 1, maxItems: 2 }) },
  { additionalProperties: false },
);
const ResetBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export function registerUserRoutes(app: FastifyInstance, services: Services) {
  app.post<{ Body: Static<typeof CreateBody> }>(
    '/users',
    {
      config: { auth: 'session', scope: 'users:write' },
      schema: {
        tags: ['users'],
        summary: 'Create a sub-user (primary account or user-admin)',
        body: CreateBody,
        response: { 201: Type.Object({ user: SubUser }), ...errors(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await services.users.create(principalOf(request), request.body, requestMeta(request))),
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/users',
    {
      config: { auth: 'session', scope: 'users:read' },
      schema: {
        tags: ['users'],
        summary: "The account's sub-users; ?mfa=unbound lists those without a device",
        querystring: ListQuery,
        response: {
          200: Type.Object({ users: Type.Array(Type.Intersect([SubUser, Type.Object({ mfa: MfaState })])) }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => ({ users: await services.users.list(principalOf(request), request.query) }),
  );

  app.get<{ Params: Static<typeof Params> }>(
    '/users/:id',
    {
      config: { auth: 'session', scope: 'users:read' },
      schema: {
        tags: ['users'],
        summary: 'One sub-user and its MFA state',
        params: Params,
        response: { 200: Type.Object({ user: SubUser, mfa: MfaState }), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const { user, mfa } = await services.users.get(principalOf(request), request.params.id);
      return { user, mfa };
    },
  );

  app.patch<{ Params: Static<typeof Params>; Body: Static<typeof PatchBody> }>(
    '/users/:id',
    {
      config: { auth: 'session', scope: 'users:write' },
      schema: {
        tags: ['users'],
        summary: 'Change a sub-user; everything but displayName needs a fresh step-up',
        params: Params,
        body: PatchBody,
        response: { 200: Type.Object({ user: SubUser }), ...errors(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) =>
      services.users.update(principalOf(request), request.params.id, request.body, requestMeta(request)),
  );

  app.delete<{ Params: Static<typeof Params> }>(
    '/users/:id',
    {
      config: { auth: 'session', scope: 'users:write' },
      schema: {
        tags: ['users'],
        summary: 'Delete a sub-user (step-up); its sessions end at once',
        params: Params,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await services.users.remove(principalOf(request), request.params.id, requestMeta(request));
      return reply.status(204).send();
    },
  );

  app.post<{ Params: Static<typeof Params> }>(
    '/users/:id/mfa-device',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['users'],
        summary: 'Start binding a virtual MFA device for a sub-user (step-up); the device will belong to the sub-user',
        params: Params,
        response: {
          201: Type.Object({
            enrollment: Type.Object({
              id: Type.String(),
              secret: Type.String(),
              otpauthUri: Type.String(),
              qrSvg: Type.String(),
              expiresAt: Type.String(),
            }),
            codesRequired: Type.Integer(),
          }),
          ...errors(401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const result = await services.users.startEnrollment(
        principalOf(request),
        request.params.id,
        requestMeta(request),
      );
      reply.header('cache-control', 'no-store');
      return reply.status(201).send({
        enrollment: { ...result.enrollment, expiresAt: iso(result.enrollment.expiresAt) },
        codesRequired: result.codesRequired,
      });
    },
  );

  app.post<{ Params: Static<typeof Params>; Body: Static<typeof ActivateBody> }>(
    '/users/:id/mfa-device/activate',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['users'],
        summary: "Confirm a sub-user's new device with consecutive codes (step-up)",
        params: Params,
        body: ActivateBody,
        response: {
          200: Type.Object({ device: DeviceSchema }),
          ...errors(400, 401, 403, 404, 409, 410, 413, 415, 422, 429),
        },
      },
    },
    async (request) =>
      services.users.activate(principalOf(request), request.params.id, request.body, requestMeta(request)),
  );

  app.delete<{ Params: Static<typeof Params>; Body: Static<typeof ResetBody> | undefined }>(
    '/users/:id/mfa-device',
    {
      config: { auth: 'session', scope: 'mfa:reset' },
      schema: {
        tags: ['users'],
        summary: "Reset (unbind) a sub-user's device, e.g. after a lost phone (step-up); ends its sessions",
        params: Params,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 413, 415) },
      },
      // The body is optional ({reason}), which a body schema cannot say; it is checked here instead.
      preValidation: async (request) => {
        const body = request.body;
        if (body === undefined || body === null) return;
        if (!Value.Check(ResetBody, body))
          throw Object.assign(new Error('body'), {
            validation: [
              {
                instancePath: '/reason',
                message: 'must be a string of at most 500 characters, and the only field',
                keyword: 'type',
                params: {},
              },
            ],
            validationContext: 'body',
          });
      },
    },
    async (request, reply) => {
      await services.users.resetMfa(
        principalOf(request),
        request.params.id,
        request.body?.reason ?? null,
        requestMeta(request),
      );
      return reply.status(204).send();
    },
  );

  app.get<{ Params: Static<typeof Params> }>(
    '/users/:id/mfa-devices',
    {
      config: { auth: 'session', scope: 'users:read' },
      schema: {
        tags: ['users'],
        summary: "A sub-user's MFA devices (primary account or user administrator)",
        params: Params,
        response: { 200: Type.Object({ devices: Type.Array(DeviceView) }), ...errors(401, 403, 404) },
      },
    },
    async (request) => ({ devices: await services.users.devices(principalOf(request), request.params.id) }),
  );

  app.delete<{ Params: Static<typeof DeviceParams>; Body: Static<typeof ResetBody> }>(
    '/users/:id/mfa-devices/:deviceId',
    {
      config: { auth: 'session', scope: 'mfa:reset' },
      schema: {
        tags: ['users'],
        summary: "Remove one of a sub-user's MFA devices, with a reason (step-up)",
        params: DeviceParams,
        body: ResetBody,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      await services.users.removeDevice(
        principalOf(request),
        request.params.id,
        request.params.deviceId,
        request.body.reason ?? null,
        requestMeta(request),
      );
      return reply.status(204).send();
    },
  );

  app.post<{ Params: Static<typeof Params> }>(
    '/users/:id/password-reset',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['users'],
        summary: 'E-mail a sub-user a single-use link to choose a new password (at most one a minute)',
        params: Params,
        response: { 202: Type.Null(), ...errors(401, 403, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await services.users.sendPasswordReset(principalOf(request), request.params.id, requestMeta(request));
      return reply.status(202).send();
    },
  );
}
