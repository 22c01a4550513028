import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { originAllowed, requestMeta } from '../plugins/auth.js';
import { registerMultipart } from '../plugins/multipart.js';
import { readTicket } from '../api/recovery.routes.js';
import { EVIDENCE_MAX_MEGABYTES } from '../../domain/recovery/evidence.js';
import { VERIFICATION_TTL_MS } from '../../domain/verification/verification.service.js';
import type { Form, ConsoleKit } from './kit.js';
import { textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';
import {
  RecoveryCancelPage,
  RecoveryStartPage,
  RecoveryStatusPage,
  RecoverySubmittedPage,
  RecoveryTicketPage,
} from './recovery.pages.js';
import type { Message } from './layout.js';

/**
 * Lost-device recovery in the console: the public "Unbind MFA" flow from the login page
 * (docs/design.md F8) — e-mail code, ticket with evidence, status, cancel link. The owner's
 * real-name record it relies on is in real-name.routes.tsx.
 */
export function registerRecoveryPages(app: FastifyInstance, kit: ConsoleKit) {
  const { services } = kit;

  const publicPage = { page: 'public' as const };

  const startPage = async (request: FastifyRequest, reply: FastifyReply, message: Message, status = 200) => {
    const t = textsIn(consoleLocaleOf(request));
    return kit.sendPage(
      reply,
      <RecoveryStartPage
        frame={await kit.frame(request, reply, t.recovery.title)}
        message={message}
        supportContact={kit.config.supportContact}
      />,
      status,
    );
  };

  /**
   * The form's login and the code's verification id live in a cookie on /recovery/ticket for the
   * code's 10 minutes (decision 024: hidden fields came back empty after a refused file, and every later
   * submission failed). A new code replaces it; a refusal never touches it.
   */
  const FORM_PATH = '/recovery/ticket';
  const formCookie = { httpOnly: true, sameSite: 'lax' as const, secure: kit.config.secureCookies, path: FORM_PATH };
  const keepForm = (reply: FastifyReply, login: string, verificationId: string) =>
    reply.setCookie(kit.cookies.recoveryForm, `${verificationId}.${login}`, {
      ...formCookie,
      maxAge: VERIFICATION_TTL_MS / 1000,
    });
  const formOf = (request: FastifyRequest) => {
    const value = request.cookies[kit.cookies.recoveryForm] ?? '';
    const dot = value.indexOf('.');
    return dot > 0 && value.length <= 400 ? { verificationId: value.slice(0, dot), login: value.slice(dot + 1) } : null;
  };
  const maxFileMegabytes = EVIDENCE_MAX_MEGABYTES;
  const ticketPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    login: string,
    message: Message,
    values?: Form,
    status = 200,
  ) => {
    const t = textsIn(consoleLocaleOf(request));
    return kit.sendPage(
      reply,
      <RecoveryTicketPage
        frame={await kit.frame(request, reply, t.recovery.title)}
        message={message}
        login={login}
        values={values}
        maxFileMegabytes={maxFileMegabytes}
      />,
      status,
    );
  };

  app.get('/recovery', { config: publicPage, schema: { hide: true } }, async (request, reply) =>
    startPage(request, reply, null),
  );

  app.post('/recovery', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const form = kit.checkForm(request);
    const login = (form.login ?? '').trim();
    try {
      if (!login || login.length > 320) throw new AppError('validation.failed', t.recovery.loginRequired);
      const verification = await services.recoveryTickets.requestCode(login, requestMeta(request));
      keepForm(reply, login, verification.id);
      return reply.redirect(FORM_PATH, 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.details.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(error.details.retryAfterSeconds));
      return startPage(
        request,
        reply,
        { kind: 'error', text: error.messageIn(consoleLocaleOf(request)) },
        error.status,
      );
    }
  });

  app.get(FORM_PATH, { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const kept = formOf(request);
    if (!kept) return startPage(request, reply, { kind: 'info', text: t.recovery.expired });
    return ticketPage(
      request,
      reply,
      kept.login,
      kit.notice(request, { 'new-code': { kind: 'success', text: t.recovery.newCodeSent } }),
    );
  });

  /** "Send a new code": a refusal (too soon) keeps the form and the code already sent (decision 024). */
  app.post(`${FORM_PATH}/new-code`, { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    kit.checkForm(request);
    const kept = formOf(request);
    if (!kept) return startPage(request, reply, { kind: 'info', text: t.recovery.expired });
    try {
      const verification = await services.recoveryTickets.requestCode(kept.login, requestMeta(request));
      keepForm(reply, kept.login, verification.id);
      return reply.redirect(`${FORM_PATH}?notice=new-code`, 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.details.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(error.details.retryAfterSeconds));
      return ticketPage(
        request,
        reply,
        kept.login,
        // Within the minute the code already sent still works; an hourly cap says what it says.
        {
          kind: 'error',
          text:
            (error.details.retryAfterSeconds ?? Infinity) <= 60
              ? t.recovery.newCodeTooSoon
              : error.messageIn(consoleLocaleOf(request)),
        },
        undefined,
        error.status,
      );
    }
  });

  app.register(async (scope) => {
    await registerMultipart(scope);
    scope.post(FORM_PATH, { config: publicPage, schema: { hide: true } }, async (request, reply) => {
      const t = textsIn(consoleLocaleOf(request));
      const kept = formOf(request);
      if (!kept) return startPage(request, reply, { kind: 'info', text: t.recovery.expired }, 410);
      const fields: Form = {};
      const adjust = (sent: Form): Form => {
        const { _csrf: _c, consent: _consent, ...rest } = sent;
        return { ...rest, ...kept, code: (rest.code ?? '').replace(/[\s-]/g, '') };
      };
      try {
        // Only our own pages post here, and each address has its tries: both before any part is read.
        if (!originAllowed(request, kit.config.publicUrl))
          throw new AppError('auth.origin_mismatch', t.errors.otherSite);
        await services.recoveryTickets.admitSubmission(requestMeta(request));
        const { body, files, pass } = await readTicket(request, services, fields, (sent) => {
          kit.checkCsrf(request, sent);
          if (sent.consent !== '1') throw new AppError('validation.failed', t.recovery.consent);
          return adjust(sent);
        });
        const result = await services.recoveryTickets.submit(body, files, requestMeta(request), pass);
        reply.clearCookie(kit.cookies.recoveryForm, formCookie);
        const statusUrl = `/recovery/status?ticket=${encodeURIComponent(result.ticket.id)}&token=${encodeURIComponent(result.statusToken)}`;
        return kit.sendPage(
          reply,
          <RecoverySubmittedPage frame={await kit.frame(request, reply, t.recovery.title)} statusUrl={statusUrl} />,
          201,
        );
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        if (error.code === 'auth.csrf_failed' || error.code === 'auth.origin_mismatch') throw error;
        if (error.details.retryAfterSeconds !== undefined)
          reply.header('retry-after', String(error.details.retryAfterSeconds));
        // What was typed comes back (never the code); the login and verification stay in the cookie.
        const { code: _code, _csrf: _c, ...values } = fields;
        return ticketPage(
          request,
          reply,
          kept.login,
          { kind: 'error', text: error.messageIn(consoleLocaleOf(request)) },
          values,
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
    const t = textsIn(consoleLocaleOf(request));
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
    const t = textsIn(consoleLocaleOf(request));
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
    const t = textsIn(consoleLocaleOf(request));
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
          message={{ kind: 'error', text: error.messageIn(consoleLocaleOf(request)) }}
          ticket={found}
          done={false}
        />,
        error.status,
      );
    }
  });
}
