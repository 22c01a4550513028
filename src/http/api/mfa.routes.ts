import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { principalOf, requestMeta } from '../plugins/auth.js';
import { oneSecondFactor } from './sessions.routes.js';
import { DeviceSchema, OpaqueId, TotpCode, errors, iso, RecoveryCode, IsoTime } from './schemas.js';
import { activated, activationAnswer } from './devices.routes.js';

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

/** "The" virtual MFA device of the caller (the singular endpoints), its recovery codes and resync. */
export function registerMfaRoutes(app: FastifyInstance, services: Services) {
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
          200: activationAnswer(DeviceSchema),
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
