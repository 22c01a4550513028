import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { principalOf, requestMeta } from '../plugins/auth.js';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import {
  OpaqueId,
  Password,
  RecoveryCode,
  SessionSchema,
  TotpCode,
  WebauthnCredential,
  WebauthnOptions,
  errors,
  iso,
} from './schemas.js';

const OobCode = Type.String({ pattern: '^[0-9]{6}$', description: 'the 6-digit code from the email or SMS' });
const StepUpBody = Type.Union([
  Type.Object({ method: Type.Literal('totp'), code: TotpCode }, { additionalProperties: false }),
  Type.Object({ method: Type.Literal('password'), password: Password }, { additionalProperties: false }),
  Type.Object({ method: Type.Literal('recovery_code'), code: RecoveryCode }, { additionalProperties: false }),
  Type.Object({ method: Type.Literal('webauthn'), credential: WebauthnCredential }, { additionalProperties: false }),
  Type.Object(
    { method: Type.Union([Type.Literal('email'), Type.Literal('sms')]), verificationId: OpaqueId, code: OobCode },
    { additionalProperties: false },
  ),
]);
const VerificationBody = Type.Object(
  { channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]) },
  { additionalProperties: false },
);

/** Verifying again for sensitive operations: e-mailed/SMS codes, POST /me/step-up and its passkey options. */
export function registerStepUpRoutes(app: FastifyInstance, services: Services) {
  app.post<{ Body: Static<typeof VerificationBody> }>(
    '/me/verifications',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['mfa'],
        summary: 'Send a 6-digit code by email or SMS for a step-up (10 minutes, single use, 5 tries)',
        body: VerificationBody,
        response: {
          202: Type.Object({
            verification: Type.Object({
              id: Type.String(),
              channel: Type.String(),
              destination: Type.String(),
              expiresAt: Type.String(),
            }),
          }),
          ...errors(400, 401, 403, 413, 415, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const verification = await services.verification.send(
        principalOf(request),
        request.body.channel,
        requestMeta(request),
      );
      return reply.status(202).send({ verification: { ...verification, expiresAt: iso(verification.expiresAt) } });
    },
  );

  app.post<{ Body: Static<typeof StepUpBody> }>(
    '/me/step-up',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['mfa'],
        summary: 'Verify again for sensitive operations (TOTP, or the password while no device is bound)',
        body: StepUpBody,
        response: {
          200: Type.Object({ stepUpUntil: Type.String(), session: Type.Optional(SessionSchema) }),
          ...errors(400, 401, 403, 404, 413, 415, 429),
        },
      },
    },
    async (request) => {
      const body = request.body;
      const result = await services.stepUp.stepUp(
        principalOf(request),
        body.method === 'webauthn'
          ? { method: 'webauthn', credential: body.credential as unknown as AuthenticationResponseJSON }
          : body,
        requestMeta(request),
      );
      // A TOTP step-up that first proves the device in this session rotates it: the old token ends.
      return {
        stepUpUntil: iso(result.stepUpUntil),
        ...('session' in result && result.session
          ? { session: { token: result.session.token, expiresAt: iso(result.session.expiresAt), restricted: false } }
          : {}),
      };
    },
  );

  app.post(
    '/me/step-up/options',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['mfa'],
        summary: "Request options for a step-up with one of the caller's passkeys",
        response: { 200: Type.Object({ options: WebauthnOptions }), ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => services.stepUp.passkeyOptions(principalOf(request)),
  );
}
