import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestMeta } from '../plugins/auth.js';
import { sendEvidence } from '../api/support.routes.js';
import type { Services } from '../services.js';
import type { ConsoleKit } from './kit.js';
import type { Message } from './layout.js';
import { textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';
import { SupportPage, SupportTicketPage } from './support.pages.js';

const states = ['submitted', 'awaiting_second_approval', 'cooling_off', 'completed', 'rejected', 'cancelled'] as const;

/** /support: the operators' desk (the domain refuses anyone else with 403). */
export function registerSupportPages(app: FastifyInstance, kit: ConsoleKit) {
  const { services } = kit;

  app.get<{ Querystring: { status?: string; records?: string; notice?: string } }>(
    '/support',
    { schema: { hide: true } },
    async (request, reply) => {
      const t = textsIn(consoleLocaleOf(request));
      const purpose = t.stepUp.purposes.support;
      const principal = request.principal!;
      const status = (states as readonly string[]).includes(request.query.status ?? '')
        ? (request.query.status as (typeof states)[number])
        : null;
      const records = (['pending', 'verified', 'rejected'] as const).find((r) => r === request.query.records) ?? null;
      try {
        const [tickets, realNames] = await Promise.all([
          services.support.list(principal, status),
          services.realNames.list(principal, records),
        ]);
        return kit.sendPage(
          reply,
          <SupportPage
            frame={await kit.frame(request, reply, t.support.title)}
            message={kit.notice(request, t.support.notices)}
            status={status}
            records={records}
            tickets={tickets}
            realNames={realNames
              .filter((r) => r.status === 'pending')
              .concat(realNames.filter((r) => r.status !== 'pending'))}
          />,
        );
      } catch (error) {
        return kit.failure(request, reply, error, { next: '/support', purpose });
      }
    },
  );

  async function ticketPage(request: FastifyRequest, reply: FastifyReply, id: string, message: Message, status = 200) {
    const t = textsIn(consoleLocaleOf(request));
    const ticket = await services.support.view(request.principal!, id, requestMeta(request));
    return kit.sendPage(
      reply,
      <SupportTicketPage
        frame={await kit.frame(request, reply, t.support.ticketHeading)}
        message={message}
        ticket={ticket}
      />,
      status,
    );
  }

  app.get<{ Params: { id: string }; Querystring: { notice?: string } }>(
    '/support/tickets/:id',
    { schema: { hide: true } },
    async (request, reply) => {
      const t = textsIn(consoleLocaleOf(request));
      const purpose = t.stepUp.purposes.support;
      try {
        return await ticketPage(request, reply, request.params.id, kit.notice(request, t.support.notices));
      } catch (error) {
        return kit.failure(request, reply, error, { next: '/support', purpose });
      }
    },
  );

  /**
   * A file as a download, or (`/view`) an image shown on the ticket page itself, so an operator
   * compares a photo with the stated facts without saving anything to a workstation. Both are
   * audited, served with the detected type, `nosniff` and `CSP: sandbox`; only images are shown.
   */
  for (const view of [false, true]) {
    app.get<{ Params: { id: string; fileId: string } }>(
      `/support/tickets/:id/files/:fileId${view ? '/view' : ''}`,
      { schema: { hide: true } },
      async (request, reply) => {
        const t = textsIn(consoleLocaleOf(request));
        const purpose = t.stepUp.purposes.support;
        try {
          const file = await services.support.file(
            request.principal!,
            request.params.id,
            request.params.fileId,
            requestMeta(request),
            view ? 'inline' : 'download',
          );
          return sendEvidence(reply, file, view ? 'inline' : 'attachment');
        } catch (error) {
          return kit.failure(request, reply, error, { next: `/support/tickets/${request.params.id}`, purpose });
        }
      },
    );
  }

  const decide = (
    verb: 'approve' | 'reject',
    act: (services: Services, request: FastifyRequest, id: string, text: string) => Promise<unknown>,
  ) =>
    app.post<{ Params: { id: string } }>(
      `/support/tickets/:id/${verb}`,
      { schema: { hide: true } },
      async (request, reply) => {
        const t = textsIn(consoleLocaleOf(request));
        const purpose = t.stepUp.purposes.support;
        const next = `/support/tickets/${request.params.id}`;
        const form = kit.checkForm(request);
        try {
          await act(services, request, request.params.id, (verb === 'approve' ? form.note : form.reason) ?? '');
          return reply.redirect(`${next}?notice=${verb === 'approve' ? 'approved' : 'rejected'}`, 303);
        } catch (error) {
          return kit.failure(request, reply, error, {
            next,
            purpose,
            render: async (message, status) => ticketPage(request, reply, request.params.id, message, status),
          });
        }
      },
    );
  decide('approve', (s, request, id, note) =>
    s.support.approve(request.principal!, id, note.trim() || null, requestMeta(request)),
  );
  decide('reject', (s, request, id, reason) =>
    s.support.reject(request.principal!, id, reason.trim() || 'Rejected by support.', requestMeta(request)),
  );

  for (const verdict of ['verify', 'reject'] as const) {
    app.post<{ Params: { accountId: string } }>(
      `/support/real-names/:accountId/${verdict}`,
      { schema: { hide: true } },
      async (request, reply) => {
        const t = textsIn(consoleLocaleOf(request));
        const purpose = t.stepUp.purposes.support;
        return kit.formAction(request, reply, { next: '/support', purpose }, async (principal) => {
          await services.realNames[verdict](principal, request.params.accountId, null, requestMeta(request));
          return '/support?notice=reviewed';
        });
      },
    );
  }
}
