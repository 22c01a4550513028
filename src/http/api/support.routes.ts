import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../services.js';
import { principalOf, requestMeta } from '../plugins/auth.js';
import { OpaqueId, errors } from './schemas.js';
import { RealNameSchema } from './recovery.routes.js';

/** API.md "Recovery (lost device) and support", the operators' desk: queues, evidence, decisions. */
export function registerSupportRoutes(app: FastifyInstance, services: Services) {
  const RealNameStatus = Type.Union([Type.Literal('pending'), Type.Literal('verified'), Type.Literal('rejected')]);
  app.get<{ Querystring: { status?: 'pending' | 'verified' | 'rejected' } }>(
    '/support/real-names',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['support'],
        summary: 'Operators: real-name records, newest first, by status',
        querystring: Type.Object({ status: Type.Optional(RealNameStatus) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            realNames: Type.Array(
              Type.Intersect([
                Type.Object({ accountId: Type.String(), login: Type.Union([Type.String(), Type.Null()]) }),
                RealNameSchema,
              ]),
            ),
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => ({
      realNames: await services.realNames.list(principalOf(request), request.query.status ?? null),
    }),
  );

  for (const verdict of ['verify', 'reject'] as const) {
    app.post<{ Params: { accountId: string }; Body: { note?: string } }>(
      `/support/real-names/:accountId/${verdict}`,
      {
        config: { auth: 'session' },
        schema: {
          tags: ['support'],
          summary: `Operators: ${verdict} a pending real-name record (fresh step-up; never one's own account)`,
          params: Type.Object({ accountId: OpaqueId }),
          body: Type.Object({ note: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }),
          response: { 200: Type.Object({ realName: RealNameSchema }), ...errors(400, 401, 403, 404, 409, 413, 415) },
        },
      },
      async (request) => ({
        realName: await services.realNames[verdict](
          principalOf(request),
          request.params.accountId,
          request.body.note?.trim() || null,
          requestMeta(request),
        ),
      }),
    );
  }

  const TicketStatus = Type.Union(
    ['submitted', 'awaiting_second_approval', 'cooling_off', 'completed', 'rejected', 'cancelled'].map((s) =>
      Type.Literal(s),
    ),
  );
  const Matches = Type.Record(Type.String(), Type.Boolean());
  const SupportTicket = Type.Object(
    {
      id: Type.String(),
      status: Type.String(),
      accountId: Type.String(),
      login: Type.Union([Type.String(), Type.Null()]),
      title: Type.String(),
      submittedAt: Type.String(),
      updatedAt: Type.String(),
      effectiveAt: Type.Optional(Type.String()),
      closeReason: Type.Optional(Type.String()),
      evidenceMatches: Matches,
      approvals: Type.Array(
        Type.Object({
          operatorId: Type.String(),
          at: Type.String(),
          note: Type.Union([Type.String(), Type.Null()]),
          operator: Type.Optional(Type.String({ description: "The operator's e-mail (one ticket's view)" })),
        }),
      ),
    },
    { additionalProperties: true },
  );

  app.get<{ Querystring: { status?: string } }>(
    '/support/recovery-tickets',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['support'],
        summary: 'Operators: lost-device tickets, newest first, by status',
        querystring: Type.Object({ status: Type.Optional(TicketStatus) }, { additionalProperties: false }),
        response: { 200: Type.Object({ tickets: Type.Array(SupportTicket) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => ({
      tickets: await services.support.list(
        principalOf(request),
        (request.query.status ?? null) as Parameters<Services['support']['list']>[1],
      ),
    }),
  );

  app.get<{ Params: { id: string } }>(
    '/support/recovery-tickets/:id',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['support'],
        summary:
          'Operators: one ticket — match flags (never the stored values), files, recent security events; audited',
        params: Type.Object({ id: OpaqueId }),
        response: {
          200: Type.Object({
            ticket: Type.Intersect([
              SupportTicket,
              Type.Object({
                description: Type.String(),
                evidence: Type.Object(
                  { type: Type.String() },
                  { additionalProperties: Type.Union([Type.Boolean(), Type.String()]) },
                ),
                files: Type.Array(
                  Type.Object({
                    id: Type.String(),
                    name: Type.String({ description: "The applicant's file name: text to show, never a file name" }),
                    downloadName: Type.String({ description: 'The name a download gets: evidence-1.png' }),
                    type: Type.String(),
                    size: Type.Integer(),
                  }),
                ),
                realName: RealNameSchema,
                recentEvents: Type.Array(
                  Type.Object({ type: Type.String(), at: Type.String(), ip: Type.Union([Type.String(), Type.Null()]) }),
                ),
              }),
            ]),
          }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const {
        own: _own,
        approvedByMe: _mine,
        ...ticket
      } = await services.support.view(principalOf(request), request.params.id, requestMeta(request));
      return { ticket };
    },
  );

  app.get<{ Params: { id: string; fileId: string } }>(
    '/support/recovery-tickets/:id/files/:fileId',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['support'],
        summary: 'Operators: download one evidence file (attachment, no-store); audited',
        params: Type.Object({ id: OpaqueId, fileId: OpaqueId }),
        response: { ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const file = await services.support.file(
        principalOf(request),
        request.params.id,
        request.params.fileId,
        requestMeta(request),
      );
      return sendEvidence(reply, file);
    },
  );

  app.post<{ Params: { id: string }; Body: { note?: string } }>(
    '/support/recovery-tickets/:id/approve',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['support'],
        summary:
          'Operators: approve (fresh step-up). The first approval → awaiting_second_approval; a second, different operator → cooling_off',
        params: Type.Object({ id: OpaqueId }),
        body: Type.Object({ note: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ ticket: SupportTicket }), ...errors(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) => ({
      ticket: await services.support.approve(
        principalOf(request),
        request.params.id,
        request.body.note?.trim() || null,
        requestMeta(request),
      ),
    }),
  );

  app.post<{ Params: { id: string }; Body: { reason: string } }>(
    '/support/recovery-tickets/:id/reject',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['support'],
        summary: 'Operators: reject with a reason (fresh step-up); the applicant is e-mailed',
        params: Type.Object({ id: OpaqueId }),
        body: Type.Object({ reason: Type.String({ minLength: 3, maxLength: 1000 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ ticket: SupportTicket }), ...errors(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) => ({
      ticket: await services.support.reject(
        principalOf(request),
        request.params.id,
        request.body.reason.trim(),
        requestMeta(request),
      ),
    }),
  );
}

/**
 * `Content-Disposition: attachment` with an RFC 6266 §4.3 pair: an ASCII `filename` for old
 * clients, and `filename*` (RFC 8187 UTF-8 percent-encoding) for the exact name. Node refuses a
 * header with characters beyond Latin-1, so a name is never written into the header raw.
 */
export function attachmentDisposition(name: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * An evidence file as a download only: never rendered by the browser in our origin
 * (`Content-Disposition: attachment`, `nosniff`, a sandboxing CSP), never cached.
 */
export function sendEvidence(
  reply: FastifyReply,
  file: { name: string; contentType: string; bytes: Buffer },
  disposition: 'attachment' | 'inline' = 'attachment',
) {
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', attachmentDisposition(file.name, disposition))
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', 'sandbox')
    .send(file.bytes);
}
