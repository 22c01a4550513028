import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { requestMeta } from '../plugins/auth.js';
import { Csrf, NewPasswordInput, Layout, Notice, type Message, type PageFrame } from './layout.js';
import { emailFrom, type ConsoleKit } from './kit.js';
import { t, textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';

export function ProfilePage(props: {
  frame: PageFrame;
  message: Message;
  loginName: string;
  values: { displayName: string; email: string; phone: string };
  /** A primary account: a change of email or phone blocks lost-phone requests for 7 days. */
  primary: boolean;
  /** The language the person chose; null: the browser's. */
  locale: 'en' | 'zh-CN' | null;
}) {
  return (
    <Layout {...props.frame} active="profile">
      <h1>{t.profile.heading}</h1>
      <p class="muted">{t.profile.intro}</p>
      <Notice message={props.message} />
      <div class="grid">
        <section class="card">
          <h2>{t.profile.details}</h2>
          <p>
            {t.profile.login}: <code data-testid="login-name">{props.loginName}</code>
          </p>
          <form method="post" action="/account/profile" data-testid="profile-form">
            <Csrf value={props.frame.csrf} />
            <label>
              {t.common.displayName}
              <input name="displayName" type="text" required maxLength={100} value={props.values.displayName} />
            </label>
            <label>
              {t.common.email}
              <input name="email" type="email" maxLength={254} autoComplete="email" value={props.values.email} />
            </label>
            <label>
              {t.common.phone} <span class="muted">{t.profile.phoneHint}</span>
              <input name="phone" type="tel" maxLength={24} autoComplete="tel" value={props.values.phone} />
            </label>
            {props.primary ? (
              <p class="muted small" data-testid="contact-change-note">
                {t.profile.contactChangeBlocks}
              </p>
            ) : null}
            <button type="submit" class="primary">
              {t.profile.saveDetails}
            </button>
          </form>
        </section>
        <section class="card" id="password">
          <h2>{t.profile.passwordHeading}</h2>
          <form method="post" action="/account/profile/password" data-testid="password-form">
            <Csrf value={props.frame.csrf} />
            <label>
              {t.profile.current}
              <input name="currentPassword" type="password" autoComplete="current-password" required maxLength={256} />
            </label>
            <label>
              {t.profile.next}
              <NewPasswordInput />
            </label>
            <button type="submit">{t.profile.changePassword}</button>
          </form>
        </section>
        <section class="card" id="language">
          <h2>{t.profile.languageHeading}</h2>
          <p class="muted small">{t.profile.languageIntro}</p>
          <form method="post" action="/account/language" data-testid="language-form">
            <Csrf value={props.frame.csrf} />
            <label>
              {t.profile.languageLabel}
              <select name="locale">
                <option value="auto" selected={props.locale === null}>
                  {t.profile.languageAuto}
                </option>
                <option value="en" lang="en" selected={props.locale === 'en'}>
                  English
                </option>
                <option value="zh-CN" lang="zh-CN" selected={props.locale === 'zh-CN'}>
                  中文（简体）
                </option>
              </select>
            </label>
            <button type="submit">{t.profile.languageSave}</button>
          </form>
        </section>
      </div>
    </Layout>
  );
}

/** Account Management › Profile: one's own name, email, phone and password (PATCH /me, with its step-up). */
export function registerProfilePages(app: FastifyInstance, kit: ConsoleKit) {
  const { services } = kit;

  async function page(request: FastifyRequest, reply: FastifyReply, message: Message, status = 200) {
    const t = textsIn(consoleLocaleOf(request));
    const principal = request.principal!;
    const profile = await services.profile(principal.userId);
    const contact = await services.accounts.contact(principal.userId);
    return kit.sendPage(
      reply,
      <ProfilePage
        frame={await kit.frame(request, reply, t.profile.title)}
        message={message}
        loginName={profile.loginName}
        values={{ displayName: profile.user.displayName, email: contact.email ?? '', phone: contact.phone ?? '' }}
        primary={profile.user.kind === 'root'}
        locale={profile.locale}
      />,
      status,
    );
  }

  app.get('/account/profile', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    return page(request, reply, kit.notice(request, t.notices));
  });

  app.post('/account/profile', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.profile;
    const form = kit.checkForm(request);
    try {
      const principal = request.principal!;
      const contact = await services.accounts.contact(principal.userId);
      const current = (await services.profile(principal.userId)).user;
      // Only what changed is sent, so renaming alone needs no step-up.
      const changes: { displayName?: string; email?: string; phone?: string | null } = {};
      const displayName = (form.displayName ?? '').trim();
      if (displayName.length > 100) throw new AppError('validation.failed', t.form.displayNameLength);
      if (displayName && displayName !== current.displayName) changes.displayName = displayName;
      const email = (form.email ?? '').trim();
      if (email && email !== (contact.email ?? '')) changes.email = emailFrom(email);
      const phone = (form.phone ?? '').replace(/[\s()-]/g, '');
      if (phone !== (contact.phone ?? '')) {
        if (phone && !/^\+[1-9][0-9]{6,14}$/.test(phone)) throw new AppError('validation.failed', t.form.phone);
        changes.phone = phone || null;
      }
      if (Object.keys(changes).length === 0) return reply.redirect('/account/profile', 303);
      await services.accounts.updateSelf(principal, changes, requestMeta(request));
      return reply.redirect('/account/profile?notice=profile', 303);
    } catch (error) {
      return kit.failure(request, reply, error, {
        next: '/account/profile',
        purpose,
        render: (message, status) => page(request, reply, message, status),
      });
    }
  });

  app.post('/account/profile/password', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const purpose = t.stepUp.purposes.profile;
    const form = kit.checkForm(request);
    try {
      const password = form.password ?? '';
      if (password.length < 8 || password.length > 256) throw new AppError('validation.failed', t.form.passwordLength);
      await services.accounts.updateSelf(
        request.principal!,
        { password, currentPassword: form.currentPassword ?? '' },
        requestMeta(request),
      );
      return reply.redirect('/account/profile?notice=password', 303);
    } catch (error) {
      // Passwords are never carried through the verification in a page: the person types them again.
      return kit.failure(request, reply, error, {
        next: '/account/profile',
        purpose,
        resume: false,
        render: (message, status) => page(request, reply, message, status),
      });
    }
  });
}
