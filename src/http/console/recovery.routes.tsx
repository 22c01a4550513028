import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { originAllowed, requestMeta } from '../plugins/auth.js';
import { readParts, registerMultipart } from '../plugins/multipart.js';
import { checkTicketBody, ticketFromFields } from '../api/recovery.routes.js';
import type { IdentityFacts } from '../../domain/recovery/evidence.js';
import type { Form, ConsoleKit } from './kit.js';
import { t } from './messages.js';
import {
  RealNamePage,
  RecoveryCancelPage,
  RecoveryStartPage,
  RecoveryStatusPage,
  RecoverySubmittedPage,
  RecoveryTicketPage,
} from './recovery.pages.js';
import type { Message } from './layout.js';

/** Form fields → the API's identity facts; empty enterprise fields are "not given". */
function factsFrom(form: Form): IdentityFacts {
  const type = form.type === 'enterprise' ? 'enterprise' : 'personal';
  return {
    type,
    name: form.name ?? '',
    idNumber: form.idNumber ?? '',
    phone: (form.phone ?? '').replace(/[\s()-]/g, ''),
    ...(type === 'enterprise' ? { companyName: form.companyName ?? '', licenseNumber: form.licenseNumber ?? '' } : {}),
  };
}

/**
 * Lost-device recovery in the console: the owner's real-name record, and the public "Unbind MFA"
 * flow from the login page (seed 004) — e-mail code, ticket with evidence, status, cancel link.
 */
export function registerRecoveryPages(app: FastifyInstance, kit: ConsoleKit) {
  const { services } = kit;

  async function realNamePage(request: FastifyRequest, reply: FastifyReply, message: Message, status = 200) {
    const principal = request.principal!;
    return kit.sendPage(
      reply,
      <RealNamePage
        frame={{ ...(await kit.frame(request, reply, t.realName.title)) }}
        message={message}
        record={await services.realNames.get(principal)}
        subUser={principal.kind !== 'root'}
      />,
      status,
    );
  }

  app.get('/account/real-name', { schema: { hide: true } }, async (request, reply) =>
    realNamePage(request, reply, kit.notice(request, t.realName.notices)),
  );

  app.post('/account/real-name', { schema: { hide: true } }, async (request, reply) => {
    const form = kit.checkForm(request);
    try {
      await services.realNames.put(request.principal!, factsFrom(form), requestMeta(request));
      return reply.redirect('/account/real-name?notice=submitted', 303);
    } catch (error) {
      // The ID number is not carried through the verification page: the person types it again.
      return kit.failure(request, reply, error, {
        next: '/account/real-name',
        purpose: t.stepUp.purposes.realName,
        resume: false,
        render: (message, status) => realNamePage(request, reply, message, status),
      });
    }
  });

  const publicPage = { page: 'public' as const };

  app.get('/recovery', { config: publicPage, schema: { hide: true } }, async (request, reply) =>
    kit.sendPage(reply, <RecoveryStartPage frame={await kit.frame(request, reply, t.recovery.title)} message={null} />),
  );

  app.post('/recovery', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const form = kit.checkForm(request);
    const frame = await kit.frame(request, reply, t.recovery.title);
    const login = (form.login ?? '').trim();
    try {
      if (!login) throw new AppError('validation.failed', t.recovery.loginRequired);
      const verification = await services.recoveryTickets.requestCode(login, requestMeta(request));
      return kit.sendPage(
        reply,
        <RecoveryTicketPage frame={frame} message={null} login={login} verificationId={verification.id} />,
      );
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.details.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(error.details.retryAfterSeconds));
      return kit.sendPage(
        reply,
        <RecoveryStartPage frame={frame} message={{ kind: 'error', text: error.message }} />,
        error.status,
      );
    }
  });

  app.register(async (scope) => {
    await registerMultipart(scope);
    scope.post('/recovery/ticket', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
      const frame = await kit.frame(request, reply, t.recovery.title);
      const fields: Form = {};
      try {
        // Only our own pages post here, and each address has its tries: both before any part is read.
        if (!originAllowed(request, kit.config.publicUrl))
          throw new AppError('auth.origin_mismatch', t.errors.otherSite);
        await services.recoveryTickets.admitSubmission(requestMeta(request));
        const parts = await readParts(request, services.recoveryTickets.receiveEvidence, fields);
        kit.checkCsrf(request, fields);
        const { _csrf: _c, consent, ...rest } = fields;
        if (consent !== '1') throw new AppError('validation.failed', t.recovery.consent);
        const body = checkTicketBody(ticketFromFields({ ...rest, code: (rest.code ?? '').replace(/[\s-]/g, '') }));
        const files = parts.files;
        const result = await services.recoveryTickets.submit(body, files, requestMeta(request));
        const statusUrl = `/recovery/status?ticket=${encodeURIComponent(result.ticket.id)}&token=${encodeURIComponent(result.statusToken)}`;
        return kit.sendPage(reply, <RecoverySubmittedPage frame={frame} statusUrl={statusUrl} />, 201);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        if (error.code === 'auth.csrf_failed' || error.code === 'auth.origin_mismatch') throw error;
        if (error.details.retryAfterSeconds !== undefined)
          reply.header('retry-after', String(error.details.retryAfterSeconds));
        return kit.sendPage(
          reply,
          <RecoveryTicketPage
            frame={frame}
            message={{ kind: 'error', text: error.message }}
            login={fields.login ?? ''}
            verificationId={fields.verificationId ?? ''}
          />,
          error.status,
        );
      }
    });
  });

  /**
   * A status or cancel link's ticket and token leave the address at once: they move into a cookie on
   * that page's path for an hour (`kit.linkSecrets`), and the page reloads without them.
   */
  const LINK_COOKIE_SECONDS = 3600;
  const linkPair = (request: FastifyRequest) => {
    const value = kit.linkSecrets.read(request) ?? '';
    const dot = value.indexOf('.');
    return dot > 0 ? { ticket: value.slice(0, dot), token: value.slice(dot + 1) } : { ticket: '', token: '' };
  };
  const stashPair = (request: FastifyRequest, reply: FastifyReply, path: string) => {
    const { ticket = '', token = '' } = request.query as { ticket?: string; token?: string };
    if (ticket.length > 200 || token.length > 200 || ticket.includes('.')) return null;
    return kit.linkSecrets.stash(reply, path, `${ticket}.${token}`, LINK_COOKIE_SECONDS);
  };
  const hasLinkQuery = (request: FastifyRequest) => {
    const query = request.query as Record<string, unknown>;
    return query.ticket !== undefined || query.token !== undefined;
  };

  app.get('/recovery/status', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    if (hasLinkQuery(request)) {
      const moved = stashPair(request, reply, '/recovery/status');
      if (moved) return moved;
    }
    const { ticket, token } = linkPair(request);
    const found = await services.recoveryTickets.status(ticket, token).catch((error: unknown) => {
      if (error instanceof AppError && error.status < 500) return null;
      throw error;
    });
    return kit.sendPage(
      reply,
      <RecoveryStatusPage frame={await kit.frame(request, reply, t.recovery.statusHeading)} ticket={found} />,
      found ? 200 : 404,
    );
  });

  app.get('/recovery/cancel', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    if (hasLinkQuery(request)) {
      const moved = stashPair(request, reply, '/recovery/cancel');
      if (moved) return moved;
    }
    const { ticket, token } = linkPair(request);
    const found = ticket && token ? await services.recoveryTickets.fromCancelLink(ticket, token) : null;
    return kit.sendPage(
      reply,
      <RecoveryCancelPage
        frame={await kit.frame(request, reply, t.recovery.cancelHeading)}
        message={null}
        ticket={found}
        done={false}
      />,
      found ? 200 : 404,
    );
  });

  app.post('/recovery/cancel', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    kit.checkForm(request);
    const frame = await kit.frame(request, reply, t.recovery.cancelHeading);
    const { ticket: ticketId, token } = linkPair(request);
    try {
      const ticket = await services.recoveryTickets.cancel(ticketId, token, requestMeta(request));
      kit.linkSecrets.drop(reply, '/recovery/cancel');
      return kit.sendPage(reply, <RecoveryCancelPage frame={frame} message={null} ticket={ticket} done />);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const found = await services.recoveryTickets.fromCancelLink(ticketId, token).catch(() => null);
      return kit.sendPage(
        reply,
        <RecoveryCancelPage
          frame={frame}
          message={{ kind: 'error', text: error.message }}
          ticket={found}
          done={false}
        />,
        error.status,
      );
    }
  });
}
