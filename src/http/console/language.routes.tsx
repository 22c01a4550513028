import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestMeta } from '../plugins/auth.js';
import { LANG_COOKIE, consoleLocaleOf } from '../plugins/locale.js';
import { isLocale, type Locale } from '../../i18n/locale.js';
import type { ConsoleKit } from './kit.js';
import { textsIn } from './messages.js';

/** Back to the page the switch was on: only a path of ours (never another site), else `fallback`. */
function backTo(request: FastifyRequest, publicUrl: string, fallback: string): string {
  const referer = request.headers.referer;
  if (typeof referer !== 'string') return fallback;
  try {
    const url = new URL(referer);
    const ours = url.origin === publicUrl || url.host === request.host;
    // The switch itself, or a page that only answers a POST, would send the browser in a loop.
    if (!ours || url.pathname.startsWith('/lang/')) return fallback;
    return `${url.pathname}${url.search}`;
  } catch {
    return fallback;
  }
}

/**
 * The language switch in every page's footer (issue 25). Before sign-in a link remembers the choice
 * in this browser; signed in, a form saves it as the person's setting, which e-mails follow too.
 */
export function registerLanguagePages(app: FastifyInstance, kit: ConsoleKit) {
  const { services, config } = kit;
  const remember = (reply: FastifyReply, locale: Locale) =>
    reply.setCookie(LANG_COOKIE, locale, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: config.secureCookies,
      maxAge: 365 * 24 * 3600,
    });

  app.get('/lang/:locale', { schema: { hide: true }, config: { page: 'public' } }, async (request, reply) => {
    const { locale } = request.params as { locale: string };
    if (!isLocale(locale)) return reply.redirect(backTo(request, config.publicUrl, '/login'), 303);
    remember(reply, locale);
    return reply.redirect(backTo(request, config.publicUrl, request.principal ? '/overview' : '/login'), 303);
  });

  app.post('/account/language', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    return kit.formAction(
      request,
      reply,
      { next: '/account/profile', purpose: t.profile.title },
      async (principal, form) => {
        // `auto`: no choice of one's own; the browser's language decides again (its cookie goes too).
        const locale = form.locale === 'auto' ? null : form.locale;
        if (locale !== null && !isLocale(locale)) return backTo(request, config.publicUrl, '/account/profile');
        await services.accounts.updateSelf(principal, { locale }, requestMeta(request));
        if (locale) remember(reply, locale);
        else reply.clearCookie(LANG_COOKIE, { path: '/' });
        return backTo(request, config.publicUrl, '/account/profile');
      },
    );
  });
}
