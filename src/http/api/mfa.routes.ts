import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import type { Services } from '../services.js';
import { principalOf, requestMeta } from '../plugins/auth.js';
import { oneSecondFactor } from './sessions.routes.js';
import {
  DeviceSchema,
  OpaqueId,
  Password,
  SessionSchema,
  TotpCode,
  errors,
  iso,
  RecoveryCode,
  IsoTime,
  DeviceView,
  DeviceName,
  WebauthnCredential,
  WebauthnOptions,
} from './schemas.js';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

const AddDeviceBody = Type.Object(
  {
    type: Type.Union([Type.Literal('totp'), Type.Literal('webauthn')]),
    name: Type.Optional(DeviceName),
  },
  { additionalProperties: false },
);
const ActivateAnyBody = Type.Object(
  {
    enrollmentId: OpaqueId,
    codes: Type.Optional(Type.Array(TotpCode, { minItems: 1, maxItems: 2 })),
    credential: Type.Optional(WebauthnCredential),
  },
  { additionalProperties: false },
);
const RenameBody = Type.Object({ name: DeviceName }, { additionalProperties: false });
const DeviceParams = Type.Object({ id: OpaqueId });

const ActivateBody = Type.Object(
  { enrollmentId: OpaqueId, codes: Type.Array(TotpCode, { minItems: 1, maxItems: 2 }) },
  { additionalProperties: false },
);
// A current code, or a recovery code for a lost phone: exactly one of the two.
const UnbindBody = Type.Object(
  { code: Type.Optional(TotpCode), recoveryCode: Type.Optional(RecoveryCode) },
  { additionalProperties: false },
);
const ResyncBody = Type.Object(
  { codes: Type.Array(TotpCode, { minItems: 2, maxItems: 2 }) },
  { additionalProperties: false },
);
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

/** An activation's answer: the device, the rotated session, and recovery codes shown this once (never cached). */
function activated<Device>(
  reply: FastifyReply,
  result: { device: Device; recoveryCodes?: string[]; session?: { token: string; expiresAt: number } },
) {
  reply.header('cache-control', 'no-store');
  return {
    device: result.device,
    ...(result.recoveryCodes ? { recoveryCodes: result.recoveryCodes } : {}),
    ...(result.session
      ? { session: { token: result.session.token, expiresAt: iso(result.session.expiresAt), restricted: false } }
      : {}),
  };
}

export function registerMfaRoutes(app: FastifyInstance, services: Services) {
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

  app.get(
    '/me/mfa-devices',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['mfa'],
        summary: 'Your MFA devices: authenticator apps and passkeys',
        response: { 200: Type.Object({ devices: Type.Array(DeviceView) }), ...errors(401, 403) },
      },
    },
    async (request) => ({ devices: await services.devices.list(principalOf(request).userId) }),
  );

  app.post<{ Body: Static<typeof AddDeviceBody> }>(
    '/me/mfa-devices',
    {
      config: { auth: 'restricted-ok' },
      schema: {
        tags: ['mfa'],
        summary:
          'Add an MFA device (up to 8): an authenticator app (a secret, shown once) or a passkey (creation options); a fresh step-up unless the session is restricted',
        body: AddDeviceBody,
        response: {
          201: Type.Object({
            enrollment: Type.Object({
              id: Type.String(),
              expiresAt: Type.String(),
              secret: Type.Optional(Type.String()),
              otpauthUri: Type.Optional(Type.String()),
              qrSvg: Type.Optional(Type.String()),
              options: Type.Optional(WebauthnOptions),
            }),
            codesRequired: Type.Optional(Type.Integer()),
          }),
          ...errors(400, 401, 403, 409, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const result = await services.enrollment.add(principalOf(request), request.body, requestMeta(request));
      reply.header('cache-control', 'no-store');
      return reply.status(201).send({
        enrollment: { ...result.enrollment, expiresAt: iso(result.enrollment.expiresAt) },
        ...('codesRequired' in result ? { codesRequired: result.codesRequired } : {}),
      });
    },
  );

  app.post<{ Body: Static<typeof ActivateAnyBody> }>(
    '/me/mfa-devices/activate',
    {
      config: { auth: 'restricted-ok' },
      schema: {
        tags: ['mfa'],
        summary: "Confirm a new device: consecutive codes (authenticator app) or the passkey's registration response",
        body: ActivateAnyBody,
        response: {
          200: Type.Object({
            device: DeviceView,
            session: Type.Optional(SessionSchema),
            recoveryCodes: Type.Optional(Type.Array(Type.String(), { description: 'Shown this once' })),
          }),
          ...errors(400, 401, 403, 404, 409, 410, 413, 415, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const { enrollmentId, codes, credential } = request.body;
      if ((codes === undefined) === (credential === undefined))
        throw new AppError('validation.failed', 'Send either codes (an authenticator app) or credential (a passkey).', {
          details: { fields: [{ path: '/codes', message: 'exactly one of codes and credential is required' }] },
        });
      const result = await services.enrollment.activateAny(
        principalOf(request),
        codes
          ? { enrollmentId, codes }
          : { enrollmentId, credential: credential as unknown as RegistrationResponseJSON },
        requestMeta(request),
      );
      return activated(reply, result);
    },
  );

  app.patch<{ Params: Static<typeof DeviceParams>; Body: Static<typeof RenameBody> }>(
    '/me/mfa-devices/:id',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['mfa'],
        summary: 'Rename one of your MFA devices',
        params: DeviceParams,
        body: RenameBody,
        response: { 200: Type.Object({ device: DeviceView }), ...errors(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => ({
      device: await services.devices.rename(
        principalOf(request),
        request.params.id,
        request.body.name.trim(),
        requestMeta(request),
      ),
    }),
  );

  app.delete<{ Params: Static<typeof DeviceParams> }>(
    '/me/mfa-devices/:id',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['mfa'],
        summary: 'Remove one of your MFA devices (a fresh step-up); the last one takes the recovery codes with it',
        params: DeviceParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await services.devices.remove(principalOf(request), request.params.id, requestMeta(request));
      return reply.status(204).send();
    },
  );

  app.post(
    '/me/mfa-device',
    {
      config: { auth: 'restricted-ok' },
      schema: {
        tags: ['mfa'],
        summary:
          'Start binding a virtual MFA device: a new secret, shown once (needs a fresh step-up unless the session is restricted)',
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
          ...errors(401, 403, 409),
        },
      },
    },
    async (request, reply) => {
      const result = await services.enrollment.start(principalOf(request), requestMeta(request));
      // The secret is in this body only; no cache may keep it (ASVS 5.0 14.3.2).
      reply.header('cache-control', 'no-store');
      return reply.status(201).send({
        enrollment: { ...result.enrollment, expiresAt: iso(result.enrollment.expiresAt) },
        codesRequired: result.codesRequired,
      });
    },
  );

  app.post<{ Body: Static<typeof ActivateBody> }>(
    '/me/mfa-device/activate',
    {
      config: { auth: 'restricted-ok' },
      schema: {
        tags: ['mfa'],
        summary: 'Confirm binding with consecutive codes from the new device',
        body: ActivateBody,
        response: {
          200: Type.Object({
            device: DeviceSchema,
            session: Type.Optional(SessionSchema),
            recoveryCodes: Type.Optional(Type.Array(Type.String(), { description: 'Shown this once' })),
          }),
          ...errors(400, 401, 403, 404, 409, 410, 413, 415, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const result = await services.enrollment.activate(principalOf(request), request.body, requestMeta(request));
      return activated(reply, result);
    },
  );

  app.delete<{ Body: Static<typeof UnbindBody> }>(
    '/me/mfa-device',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['mfa'],
        summary: 'Unbind the device: a current code and a fresh step-up',
        body: UnbindBody,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const { code, recoveryCode } = request.body;
      await services.devices.unbind(
        principalOf(request),
        code !== undefined && recoveryCode === undefined
          ? { code }
          : { recoveryCode: oneSecondFactor(code, recoveryCode) },
        requestMeta(request),
      );
      return reply.status(204).send();
    },
  );

  app.get(
    '/me/recovery-codes',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['mfa'],
        summary: 'How many recovery codes are left (never the codes)',
        response: {
          200: Type.Object({ remaining: Type.Integer(), createdAt: Type.Union([IsoTime, Type.Null()]) }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const status = await services.recoveryCodes.status(principalOf(request));
      return { remaining: status.remaining, createdAt: status.createdAt === null ? null : iso(status.createdAt) };
    },
  );

  app.post(
    '/me/recovery-codes',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['mfa'],
        summary: 'A new set of 10 recovery codes, shown once; the old set stops working (fresh step-up)',
        response: {
          201: Type.Object({ codes: Type.Array(Type.String()), createdAt: IsoTime }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const result = await services.recoveryCodes.regenerate(principalOf(request), requestMeta(request));
      reply.header('cache-control', 'no-store');
      return reply.status(201).send({ codes: result.codes, createdAt: iso(result.createdAt) });
    },
  );

  app.post<{ Body: Static<typeof ResyncBody> }>(
    '/me/mfa-device/resync',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['mfa'],
        summary: "Re-learn the phone clock's drift from two consecutive codes (up to 5 minutes off)",
        body: ResyncBody,
        response: {
          200: Type.Object({ device: Type.Object({ id: Type.String(), driftSeconds: Type.Integer() }) }),
          ...errors(400, 401, 403, 404, 413, 415, 422, 429),
        },
      },
    },
    async (request) => services.devices.resync(principalOf(request), request.body, requestMeta(request)),
  );
}
