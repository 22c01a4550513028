import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../services.js';
import { AppError } from '../../errors/app-error.js';
import { principalOf, requestMeta } from '../plugins/auth.js';
import { readParts, registerMultipart } from '../plugins/multipart.js';
import { OpaqueId, errors, iso } from './schemas.js';
import type { IdentityFacts } from '../../domain/recovery/evidence.js';
import type { TicketPass } from '../../domain/recovery/tickets.service.js';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Phone = Type.String({ minLength: 4, maxLength: 32 });

export const PersonalFacts = Type.Object(
  { type: Type.Literal('personal'), name: Text(100), idNumber: Text(64), phone: Phone },
  { additionalProperties: false },
);
export const EnterpriseFacts = Type.Object(
  {
    type: Type.Literal('enterprise'),
    companyName: Text(200),
    licenseNumber: Text(64),
    name: Text(100),
    idNumber: Text(64),
    phone: Phone,
  },
  { additionalProperties: false },
);
const Facts = Type.Union([PersonalFacts, EnterpriseFacts]);

export const RealNameSchema = Type.Object({
  type: Type.Union([Type.Literal('personal'), Type.Literal('enterprise'), Type.Null()]),
  status: Type.Union([
    Type.Literal('none'),
    Type.Literal('pending'),
    Type.Literal('verified'),
    Type.Literal('rejected'),
  ]),
  name: Type.Optional(Type.String()),
  idNumberLast4: Type.Optional(Type.String()),
  companyName: Type.Optional(Type.String()),
  licenseNumberLast4: Type.Optional(Type.String()),
  submittedAt: Type.Optional(Type.String()),
  reviewedAt: Type.Optional(Type.String()),
  reviewNote: Type.Optional(Type.String()),
});

export const TicketBody = Type.Object(
  {
    login: Type.String({ minLength: 1, maxLength: 320 }),
    verificationId: OpaqueId,
    code: Type.String({ pattern: '^[0-9]{6}$' }),
    title: Text(200),
    description: Text(4000),
    evidence: Facts,
  },
  { additionalProperties: false },
);
export type TicketBody = Static<typeof TicketBody>;
const ticketBodyCheck = TypeCompiler.Compile(TicketBody);

const TicketSchema = Type.Object({
  id: Type.String(),
  status: Type.String(),
  updatedAt: Type.Optional(Type.String()),
  effectiveAt: Type.Optional(Type.String()),
});

/** `evidence[name]` → evidence.name: the bracket names API.md gives multipart's nested facts. */
export function ticketFromFields(fields: Record<string, string>): unknown {
  const evidence: Record<string, string> = {};
  const top: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    const nested = /^evidence\[(\w+)\]$/.exec(key);
    if (nested) {
      // Empty optional fields of a browser form mean "not given".
      if (value !== '') evidence[nested[1]!] = value;
    } else top[key] = value;
  }
  return { ...top, evidence };
}

export function checkTicketBody(body: unknown): TicketBody {
  if (ticketBodyCheck.Check(body)) return body;
  const fields = [...ticketBodyCheck.Errors(body)]
    .slice(0, 5)
    .map((e) => ({ path: e.path || '/', message: e.message }));
  throw new AppError(
    'validation.failed',
    (m) => m.http.invalidRequestFields(fields.map((f) => `${f.path} ${f.message}`).join('; ')),
    {
      details: { fields },
    },
  );
}

/**
 * A ticket from JSON or from multipart/form-data with evidence files (API.md), and the pass of its
 * precheck. The caller has admitted the submission first, so nothing of a refused one is read; when
 * the text fields come before the files (as a browser sends them), a wrong code or an account that
 * cannot apply is refused before the files are read.
 */
export async function readTicket(
  request: FastifyRequest,
  services: Services,
  fields: Record<string, string> = {},
  adjust: (fields: Record<string, string>) => Record<string, string> = (f) => f,
) {
  if (!request.isMultipart()) return { body: checkTicketBody(request.body), files: [], pass: undefined };
  let pass: TicketPass | undefined;
  const { files } = await readParts(request, services.recoveryTickets.receiveEvidence, fields, async (sofar) => {
    const early = ticketFromFields(adjust(sofar));
    if (ticketBodyCheck.Check(early)) pass = await services.recoveryTickets.precheck(early, requestMeta(request));
  });
  return { body: checkTicketBody(ticketFromFields(adjust(fields))), files, pass };
}

function statusToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !/^Bearer\s+\S/i.test(header))
    throw new AppError('auth.unauthenticated', (m) => m.http.statusTokenMissing);
  return header.replace(/^Bearer\s+/i, '').trim();
}

/** API.md "Recovery (lost device) and support": the owner's record and the applicant's ticket (operators: support.routes.ts). */
export function registerRecoveryRoutes(app: FastifyInstance, services: Services) {
  app.get(
    '/me/real-name',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['recovery'],
        summary: "The account's real-name record: status and the last 4 digits only",
        response: { 200: Type.Object({ realName: RealNameSchema }), ...errors(401, 403) },
      },
    },
    async (request) => ({ realName: await services.realNames.get(principalOf(request)) }),
  );

  app.put<{ Body: IdentityFacts }>(
    '/me/real-name',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['recovery'],
        summary:
          'Submit or replace the real-name record of the primary account (fresh step-up); it waits for an operator',
        body: Facts,
        response: { 200: Type.Object({ realName: RealNameSchema }), ...errors(400, 401, 403, 413, 415) },
      },
    },
    async (request) => ({
      realName: await services.realNames.put(principalOf(request), request.body, requestMeta(request)),
    }),
  );

  app.post<{ Body: { login: string } }>(
    '/recovery/verifications',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['recovery'],
        summary:
          "Lost device: e-mail a code to the account's address on record; the same answer for every login (sub-users are told to ask their primary account)",
        body: Type.Object({ login: Type.String({ minLength: 1, maxLength: 320 }) }, { additionalProperties: false }),
        response: {
          202: Type.Object({ verification: Type.Object({ id: Type.String(), expiresAt: Type.String() }) }),
          ...errors(400, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const verification = await services.recoveryTickets.requestCode(request.body.login, requestMeta(request));
      return reply.status(202).send({ verification: { id: verification.id, expiresAt: iso(verification.expiresAt) } });
    },
  );

  app.register(async (scope) => {
    await registerMultipart(scope);
    scope.post(
      '/recovery-tickets',
      {
        config: { auth: 'none', multipart: true },
        schema: {
          tags: ['recovery'],
          summary:
            'Open a lost-device ticket with the e-mail code: JSON, or multipart/form-data with up to 3 evidence files (JPEG, PNG or PDF, ≤ 15 MB each)',
          response: {
            201: Type.Object({ ticket: TicketSchema, statusToken: Type.String() }),
            ...errors(400, 401, 409, 413, 415, 422, 429),
          },
        },
      },
      async (request, reply) => {
        await services.recoveryTickets.admitSubmission(requestMeta(request));
        const { body, files, pass } = await readTicket(request, services);
        const result = await services.recoveryTickets.submit(body, files, requestMeta(request), pass);
        reply.header('cache-control', 'no-store');
        return reply.status(201).send(result);
      },
    );
  });

  app.get<{ Params: { id: string } }>(
    '/recovery-tickets/:id',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['recovery'],
        summary: "A ticket's status, with its status token as Authorization: Bearer",
        params: Type.Object({ id: OpaqueId }),
        response: { 200: Type.Object({ ticket: TicketSchema }), ...errors(401, 404) },
      },
    },
    async (request) => ({ ticket: await services.recoveryTickets.status(request.params.id, statusToken(request)) }),
  );

  app.post<{ Params: { id: string }; Body: { token: string } }>(
    '/recovery-tickets/:id/cancel',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['recovery'],
        summary: 'Cancel a ticket with the token from the e-mail sent to every address on record; no session needed',
        params: Type.Object({ id: OpaqueId }),
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ ticket: TicketSchema }), ...errors(400, 404, 409, 413, 415) },
      },
    },
    async (request) => ({
      ticket: await services.recoveryTickets.cancel(request.params.id, request.body.token, requestMeta(request)),
    }),
  );
}
