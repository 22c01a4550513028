import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { requestMeta } from '../plugins/auth.js';
import type { ConsoleKit } from './kit.js';
import { ResetPasswordPage, ResetRequestPage } from './login.pages.js';
import type { Message } from './layout.js';
import { textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';
import { PASSWORD_RESET_TTL_MS } from '../../domain/accounts/password-reset.service.js';

/** "Forgot password?": a single-use link by e-mail, then a new password (every session ends). */
export function registerPasswordResetPages(app: FastifyInstance, kit: ConsoleKit) {
  const { services } = kit;
  const publicPage = { page: 'public' as const };

  app.get('/password-reset', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    return kit.sendPage(
      reply,
      <ResetRequestPage
        frame={await kit.frame(request, reply, t.reset.title)}
        message={kit.notice(request, t.reset.notices)}
        sent={false}
      />,
    );
  });

  app.post('/password-reset', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const form = kit.checkForm(request);
    const show = async (message: Message, sent: boolean, status = 200) =>
      kit.sendPage(
        reply,
        <ResetRequestPage frame={await kit.frame(request, reply, t.reset.title)} message={message} sent={sent} />,
        status,
      );
    try {
      const login = (form.login ?? '').trim();
      if (login && login.length <= 320) await services.passwordResets.request(login, requestMeta(request));
      // The same page for every login: it tells nobody which logins exist.
      return await show(null, true);
    } catch (error) {
      return kit.failure(request, reply, error, {
        next: '/password-reset',
        purpose: '',
        render: (message, status) => show(message, false, status),
      });
    }
  });

  /**
   * The page the e-mailed link opens. The link's token leaves the address at once (a cookie on this
   * path for the link's 30 minutes, then a reload without it): no Referer or history keeps it.
   */
  const RESET_PATH = '/password-reset/new';
  const resetPage = async (request: FastifyRequest, reply: FastifyReply, message: Message, status = 200) => {
    const t = textsIn(consoleLocaleOf(request));
    return kit.sendPage(
      reply,
      <ResetPasswordPage frame={await kit.frame(request, reply, t.reset.title)} message={message} />,
      status,
    );
  };

  app.get(RESET_PATH, { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const token = (request.query as Record<string, string | undefined>).token;
    if (token !== undefined) {
      if (!token || token.length > 200) return reply.redirect('/password-reset');
      return kit.linkSecrets.stash(reply, RESET_PATH, token, PASSWORD_RESET_TTL_MS / 1000);
    }
    const kept = kit.linkSecrets.read(request);
    if (!kept) return reply.redirect('/password-reset?notice=link-missing', 303);
    // A used or expired link says so before anyone types a new password into its form.
    if (!(await services.passwordResets.isLive(kept))) return reply.redirect('/password-reset?notice=link-used', 303);
    return resetPage(request, reply, null);
  });

  app.post(RESET_PATH, { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const form = kit.checkForm(request);
    const token = kit.linkSecrets.read(request) ?? '';
    try {
      const password = form.password ?? '';
      if (password.length < 8 || password.length > 256) throw new AppError('validation.failed', t.form.passwordLength);
      await services.passwordResets.complete(token, password, requestMeta(request));
      kit.linkSecrets.drop(reply, RESET_PATH);
      kit.endSession(reply);
      return reply.redirect('/login?notice=password-reset', 303);
    } catch (error) {
      // A link that stopped working meanwhile: the page to ask for a new one, saying why.
      if (error instanceof AppError && error.code === 'password_reset.expired')
        return reply.redirect('/password-reset?notice=link-used', 303);
      return kit.failure(request, reply, error, {
        next: '/password-reset',
        purpose: '',
        render: (message, status) => resetPage(request, reply, message, status),
      });
    }
  });
}
