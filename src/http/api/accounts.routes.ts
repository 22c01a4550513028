import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { requestMeta, principalOf } from '../plugins/auth.js';
import { Email, Password, PublicUserSchema, DeviceSchema, errors } from './schemas.js';

const SignupBody = Type.Object(
  {
    email: Email,
    password: Password,
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    phone: Type.Optional(Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: 'E.164' })),
  },
  { additionalProperties: false },
);

export function registerAccountRoutes(app: FastifyInstance, services: Services) {
  app.post<{ Body: Static<typeof SignupBody> }>('/accounts', {
    config: { auth: 'none' },
    schema: {
      tags: ['accounts'],
      summary: 'Sign up: create a primary account and its root user',
      body: SignupBody,
      response: { 201: Type.Object({ account: Type.Object({ id: Type.String(), alias: Type.String() }), user: PublicUserSchema }), ...errors(400, 403, 409, 413, 415) },
    },
  }, async (request, reply) => reply.status(201).send(await services.accounts.signup(request.body, requestMeta(request))));

  app.get('/me', {
    config: { auth: 'restricted-ok' },
    schema: {
      tags: ['accounts'],
      summary: 'The caller: user, account and MFA state',
      response: {
        200: Type.Object({
          user: PublicUserSchema,
          account: Type.Object({ id: Type.String(), alias: Type.String() }),
          mfa: Type.Object({ bound: Type.Boolean(), device: Type.Optional(DeviceSchema) }),
          session: Type.Object({ restricted: Type.Boolean(), stepUpUntil: Type.Union([Type.String(), Type.Null()]) }),
        }),
        ...errors(401),
      },
    },
  }, async (request) => {
    const principal = principalOf(request);
    const profile = await services.profile(principal.userId);
    return {
      ...profile,
      session: { restricted: principal.restricted, stepUpUntil: principal.stepUpUntil > Date.now() ? new Date(principal.stepUpUntil).toISOString() : null },
    };
  });
}
