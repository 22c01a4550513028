import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { requestMeta } from '../plugins/auth.js';
import { consoleLocaleOf } from '../plugins/locale.js';
import { emailFrom, type ConsoleKit } from './kit.js';
import { SignupPage } from './login.pages.js';
import { textsIn } from './messages.js';

/** Sign-up: a new primary account, signed in at once, in the language it signed up in. */
export function registerSignupPages(app: FastifyInstance, kit: ConsoleKit) {
  const { services } = kit;
  const publicPage = { page: 'public' as const };

  app.get('/signup', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const flash = kit.takeFlash(request, reply, '/signup');
    return kit.sendPage(
      reply,
      <SignupPage
        frame={await kit.frame(request, reply, t.signup.title)}
        message={flash?.message ?? null}
        email={flash?.values?.email ?? ''}
        displayName={flash?.values?.displayName ?? ''}
      />,
    );
  });

  app.post('/signup', { config: publicPage, schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const form = kit.checkForm(request);
    const email = (form.email ?? '').trim();
    const password = form.password ?? '';
    const displayName = (form.displayName ?? '').trim();
    try {
      emailFrom(email);
      if (password.length < 8 || password.length > 256) throw new AppError('validation.failed', t.form.passwordLength);
      if (displayName.length > 100) throw new AppError('validation.failed', t.form.displayNameLength);
      await services.accounts.signup(
        {
          email,
          password,
          displayName: displayName || undefined,
          // Signed up on the Chinese console: e-mails come in Chinese from the first one.
          locale: consoleLocaleOf(request) === 'zh-CN' ? 'zh-CN' : null,
        },
        requestMeta(request),
      );
      const login = await services.logins.login({ login: email, password }, requestMeta(request));
      if (login.status === 'authenticated') kit.setSession(reply, login.session.token);
      return reply.redirect('/overview?notice=welcome', 303);
    } catch (error) {
      // Post/redirect/get: a reload never sends the refused form again; never the password.
      return kit.refuseTo(reply, error, '/signup', { email, displayName });
    }
  });
}
