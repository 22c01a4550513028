import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { AppError } from '../../errors/app-error.js';
import type { Services } from '../services.js';
import { principalOf, requestMeta } from '../plugins/auth.js';
import {
  DeviceName,
  DeviceView,
  OpaqueId,
  SessionSchema,
  TotpCode,
  WebauthnCredential,
  WebauthnOptions,
  errors,
  iso,
} from './schemas.js';

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

/** What an activation answers (the singular and the plural endpoints alike). */
export function activationAnswer(device: TSchema) {
  return Type.Object({
    device,
    session: Type.Optional(SessionSchema),
    recoveryCodes: Type.Optional(Type.Array(Type.String(), { description: 'Shown this once' })),
  });
}

/** An activation's answer: the device, the rotated session, and recovery codes shown this once (never cached). */
export function activated<Device>(
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

/** Several MFA devices per user (API.md "MFA devices and passkeys"): list, add, activate, rename, remove. */
export function registerDeviceRoutes(app: FastifyInstance, services: Services) {
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
          200: activationAnswer(DeviceView),
          ...errors(400, 401, 403, 404, 409, 410, 413, 415, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const { enrollmentId, codes, credential } = request.body;
      if ((codes === undefined) === (credential === undefined))
        throw new AppError('validation.failed', (m) => m.http.codesOrCredential, {
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
}
