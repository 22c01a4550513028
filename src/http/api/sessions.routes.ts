import { Type, type Static } from '@sinclair/typebox';
import { AppError } from '../../errors/app-error.js';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { principalOf, requestMeta } from '../plugins/auth.js';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import {
  OpaqueId,
  PublicUserSchema,
  SessionSchema,
  TotpCode,
  errors,
  iso,
  RecoveryCode,
  IsoTime,
  WebauthnCredential,
  WebauthnOptions,
} from './schemas.js';

const LoginBody = Type.Object(
  {
    login: Type.String({
      minLength: 1,
      maxLength: 320,
      description: 'Email of a primary account, or username@alias of a sub-user',
    }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
// The dynamic code, a recovery code in its place (a lost phone), or a passkey's assertion: exactly one.
const MfaBody = Type.Object(
  {
    challengeId: OpaqueId,
    code: Type.Optional(TotpCode),
    recoveryCode: Type.Optional(RecoveryCode),
    credential: Type.Optional(WebauthnCredential),
  },
  { additionalProperties: false },
);
const SecondStepOptionsBody = Type.Object({ challengeId: OpaqueId }, { additionalProperties: false });
const PasskeyLoginBody = Type.Object(
  { challengeId: OpaqueId, credential: WebauthnCredential },
  { additionalProperties: false },
);

/** Exactly one of `code` and `recoveryCode`; anything else is 400 validation.failed. */
export function oneSecondFactor(code: string | undefined, recoveryCode: string | undefined): string {
  if ((code === undefined) === (recoveryCode === undefined) || recoveryCode === undefined) {
    throw new AppError('validation.failed', (m) => m.http.codeOrRecoveryCode, {
      details: { fields: [{ path: '/code', message: 'exactly one of code and recoveryCode is required' }] },
    });
  }
  return recoveryCode;
}

export function registerSessionRoutes(app: FastifyInstance, services: Services) {
  app.post<{ Body: Static<typeof LoginBody> }>(
    '/sessions',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['sessions'],
        summary: 'Log in with a password; answers mfa_required with a challenge when a device is bound',
        body: LoginBody,
        response: {
          200: Type.Object({
            status: Type.Literal('mfa_required'),
            challenge: Type.Object({
              id: Type.String(),
              expiresAt: Type.String(),
              methods: Type.Array(Type.String(), { description: 'totp, webauthn, recovery_code: what the user has' }),
              webauthn: Type.Optional(Type.Object({ options: WebauthnOptions })),
            }),
          }),
          201: Type.Object({ status: Type.String(), session: SessionSchema, user: PublicUserSchema }),
          ...errors(400, 401, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const result = await services.logins.login(request.body, requestMeta(request));
      if (result.status === 'mfa_required') {
        return reply.status(200).send({
          status: result.status,
          challenge: { ...result.challenge, expiresAt: iso(result.challenge.expiresAt) },
        });
      }
      return reply.status(201).send({
        status: result.status,
        session: {
          token: result.session.token,
          expiresAt: iso(result.session.expiresAt),
          ...(result.session.restricted ? { restricted: true } : {}),
        },
        user: result.user,
      });
    },
  );

  app.post<{ Body: Static<typeof MfaBody> }>(
    '/sessions/mfa',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['sessions'],
        summary: "Complete a login with the dynamic code, a recovery code, or a passkey's assertion",
        body: MfaBody,
        response: {
          201: Type.Object({
            status: Type.Union([Type.Literal('authenticated'), Type.Literal('mfa_enrollment_required')]),
            session: SessionSchema,
            user: PublicUserSchema,
            required: Type.Optional(
              Type.Literal('webauthn', {
                description: 'A workspace requires a passkey: this session may only add one',
              }),
            ),
            recoveryCodesLeft: Type.Optional(Type.Integer({ description: 'After a login with a recovery code' })),
          }),
          ...errors(400, 401, 410, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const { challengeId, code, recoveryCode, credential } = request.body;
      const result = await services.logins.completeMfa(
        credential !== undefined && code === undefined && recoveryCode === undefined
          ? { challengeId, credential: credential as unknown as AuthenticationResponseJSON }
          : credential === undefined && code !== undefined && recoveryCode === undefined
            ? { challengeId, code }
            : { challengeId, recoveryCode: oneSecondFactor(credential === undefined ? code : '', recoveryCode) },
        requestMeta(request),
      );
      return reply.status(201).send({
        status: result.status,
        session: {
          token: result.session.token,
          expiresAt: iso(result.session.expiresAt),
          ...(result.session.restricted ? { restricted: true } : {}),
        },
        user: result.user,
        ...('required' in result ? { required: result.required } : {}),
        ...('recoveryCodesLeft' in result ? { recoveryCodesLeft: result.recoveryCodesLeft } : {}),
      });
    },
  );

  app.post<{ Body: Static<typeof SecondStepOptionsBody> }>(
    '/sessions/mfa/options',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['sessions'],
        summary: "Fresh passkey options for a pending login's second step (they replace the earlier ones)",
        body: SecondStepOptionsBody,
        response: { 200: Type.Object({ options: WebauthnOptions }), ...errors(400, 404, 410, 413, 415) },
      },
    },
    async (request) => services.logins.secondStepPasskeyOptions(request.body.challengeId),
  );

  app.post(
    '/sessions/passkey/options',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['sessions'],
        summary: 'Start a passwordless sign-in: request options for discoverable passkeys (user verification required)',
        response: {
          200: Type.Object({ challengeId: Type.String(), options: WebauthnOptions }),
          ...errors(404, 409, 429),
        },
      },
    },
    async (request) => services.logins.passkeyOptions(requestMeta(request)),
  );

  app.post<{ Body: Static<typeof PasskeyLoginBody> }>(
    '/sessions/passkey',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['sessions'],
        summary: 'Sign in with a passkey alone: a full MFA, phishing-resistant login',
        body: PasskeyLoginBody,
        response: {
          201: Type.Object({ status: Type.Literal('authenticated'), session: SessionSchema, user: PublicUserSchema }),
          ...errors(400, 401, 404, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const result = await services.logins.passkeyLogin(
        {
          challengeId: request.body.challengeId,
          credential: request.body.credential as unknown as AuthenticationResponseJSON,
        },
        requestMeta(request),
      );
      return reply.status(201).send({
        status: result.status,
        session: { token: result.session.token, expiresAt: iso(result.session.expiresAt) },
        user: result.user,
      });
    },
  );

  const SessionView = Type.Object({
    id: Type.String(),
    current: Type.Boolean(),
    createdAt: IsoTime,
    lastSeenAt: IsoTime,
    ip: Type.Union([Type.String(), Type.Null()]),
    userAgent: Type.Union([Type.String(), Type.Null()]),
    mfaVerified: Type.Boolean(),
  });

  app.get(
    '/me/sessions',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['sessions'],
        summary: 'Where you are signed in (never the tokens)',
        response: { 200: Type.Object({ sessions: Type.Array(SessionView) }), ...errors(401, 403) },
      },
    },
    async (request) => ({
      sessions: (await services.mySessions.list(principalOf(request))).map((s) => ({
        ...s,
        createdAt: iso(s.createdAt),
        lastSeenAt: iso(s.lastSeenAt),
      })),
    }),
  );

  app.delete<{ Params: { id: string } }>(
    '/me/sessions/:id',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['sessions'],
        summary: 'Sign one of your sessions out',
        params: Type.Object({ id: OpaqueId }),
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await services.mySessions.endOne(principalOf(request), request.params.id, requestMeta(request));
      return reply.status(204).send();
    },
  );

  app.delete(
    '/me/sessions',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['sessions'],
        summary: 'Sign out every session but this one (fresh step-up)',
        response: { 204: Type.Null(), ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      await services.mySessions.endOthers(principalOf(request), requestMeta(request));
      return reply.status(204).send();
    },
  );

  app.delete(
    '/sessions/current',
    {
      config: { auth: 'restricted-ok' },
      schema: { tags: ['sessions'], summary: 'Sign out', response: { 204: Type.Null(), ...errors(401, 403) } },
    },
    async (request, reply) => {
      await services.sessions.logout(principalOf(request), requestMeta(request));
      return reply.status(204).send();
    },
  );
}
