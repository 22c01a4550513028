import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { requestMeta, principalOf } from '../plugins/auth.js';
import { apiLocaleOf } from '../plugins/locale.js';
import { errorTexts } from '../../i18n/errors/index.js';
import { Email, Password, PublicUserSchema, DeviceSchema, DeviceView, errors } from './schemas.js';
import { sensitiveOperations } from '../../domain/step-up/sensitive-operations.js';

const SignupBody = Type.Object(
  {
    email: Email,
    password: Password,
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    phone: Type.Optional(Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: 'E.164' })),
  },
  { additionalProperties: false },
);

const PatchMeBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    email: Type.Optional(Email),
    phone: Type.Optional(
      Type.Union([Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: 'E.164' }), Type.Null()]),
    ),
    password: Type.Optional(Password),
    currentPassword: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    locale: Type.Optional(
      Type.Union([Type.Literal('en'), Type.Literal('zh-CN'), Type.Null()], {
        description: 'The language of the console and of e-mails; null: the browser’s (English in e-mails)',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
const ProtectionBody = Type.Object(
  {
    sensitiveOperations: Type.Union([
      Type.Literal('totp'),
      Type.Literal('email'),
      Type.Literal('sms'),
      Type.Literal('password'),
    ]),
  },
  { additionalProperties: false },
);
const ProtectionResponse = Type.Object({
  login: Type.Object({ methods: Type.Array(Type.String()), note: Type.String() }),
  sensitiveOperations: Type.Object({
    method: Type.Union([Type.String(), Type.Null()]),
    choices: Type.Array(Type.String()),
  }),
  operations: Type.Array(Type.Object({ id: Type.String(), endpoint: Type.String(), what: Type.String() })),
});

export function registerAccountRoutes(app: FastifyInstance, services: Services) {
  app.patch<{ Body: Static<typeof PatchMeBody> }>(
    '/me',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['accounts'],
        summary: 'Change your display name, email, phone or password (all but the name need a fresh step-up)',
        body: PatchMeBody,
        response: { 200: Type.Object({ user: PublicUserSchema }), ...errors(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request) => services.accounts.updateSelf(principalOf(request), request.body, requestMeta(request)),
  );

  app.get(
    '/me/protection',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['accounts'],
        summary:
          'Account protection: how login and sensitive operations are verified, and the list of sensitive operations',
        response: { 200: ProtectionResponse, ...errors(401, 403) },
      },
    },
    async (request) => ({
      ...(await services.protection.protection(principalOf(request), apiLocaleOf(request))),
      operations: [...sensitiveOperations],
    }),
  );

  app.put<{ Body: Static<typeof ProtectionBody> }>(
    '/me/protection',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['accounts'],
        summary: 'Pick the method for sensitive operations (fresh step-up)',
        body: ProtectionBody,
        response: { 200: ProtectionResponse, ...errors(400, 401, 403, 404, 413, 415, 422) },
      },
    },
    async (request) => {
      await services.protection.setProtection(
        principalOf(request),
        request.body.sensitiveOperations,
        requestMeta(request),
      );
      return {
        ...(await services.protection.protection(principalOf(request), apiLocaleOf(request))),
        operations: [...sensitiveOperations],
      };
    },
  );

  app.post<{ Body: Static<typeof SignupBody> }>(
    '/accounts',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['accounts'],
        summary: 'Sign up: create a primary account and its root user',
        body: SignupBody,
        response: {
          201: Type.Object({
            account: Type.Object({ id: Type.String(), alias: Type.String() }),
            user: PublicUserSchema,
          }),
          ...errors(400, 403, 409, 413, 415),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await services.accounts.signup(
          // Signed up asking for Chinese: e-mails come in Chinese from the first one (decision 033).
          { ...request.body, locale: apiLocaleOf(request) === 'zh-CN' ? 'zh-CN' : null },
          requestMeta(request),
        ),
      ),
  );

  app.get(
    '/me',
    {
      config: { auth: 'restricted-ok' },
      schema: {
        tags: ['accounts'],
        summary: 'The caller: user, account and MFA state',
        response: {
          200: Type.Object({
            user: PublicUserSchema,
            account: Type.Object({ id: Type.String(), alias: Type.String() }),
            mfa: Type.Object({
              bound: Type.Boolean(),
              device: Type.Optional(DeviceSchema),
              devices: Type.Array(DeviceView),
            }),
            session: Type.Object({ restricted: Type.Boolean(), stepUpUntil: Type.Union([Type.String(), Type.Null()]) }),
            locale: Type.Union([Type.Literal('en'), Type.Literal('zh-CN'), Type.Null()], {
              description: 'The language the person chose for the console and e-mails; null: not chosen',
            }),
          }),
          ...errors(401),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const profile = await services.profile(principal.userId);
      return {
        ...profile,
        session: {
          restricted: principal.restricted,
          stepUpUntil: services.stepUp.isFresh(principal) ? new Date(principal.stepUpUntil).toISOString() : null,
        },
      };
    },
  );

  app.post<{ Body: { login: string } }>(
    '/password-resets',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['accounts'],
        summary:
          'Forgot password: mail a single-use link (30 minutes) to the address on record; the same answer for every login',
        body: Type.Object({ login: Type.String({ minLength: 1, maxLength: 320 }) }, { additionalProperties: false }),
        response: { 202: Type.Object({ message: Type.String() }), ...errors(400, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      await services.passwordResets.request(request.body.login, requestMeta(request));
      return reply.status(202).send({ message: errorTexts[apiLocaleOf(request)].http.resetLinkOnItsWay });
    },
  );

  app.post<{ Body: { token: string; password: string } }>(
    '/password-resets/complete',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['accounts'],
        summary: 'Set a new password with the link; every session ends and none is issued',
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 200 }), password: Password },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errors(400, 410, 413, 415) },
      },
    },
    async (request, reply) => {
      await services.passwordResets.complete(request.body.token, request.body.password, requestMeta(request));
      return reply.status(204).send();
    },
  );
}
