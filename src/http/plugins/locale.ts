import type { FastifyRequest } from 'fastify';
import { DEFAULT_LOCALE, isLocale, negotiateLocale, type Locale } from '../../i18n/locale.js';

/** The footer's language switch, for pages before sign-in (a year; the choice of this browser). */
export const LANG_COOKIE = 'twofold_lang';

/**
 * The console's language (issue 25), first that applies: the person's own setting (profile), the
 * browser's choice in the footer switch (`twofold_lang` cookie), `Accept-Language`, English.
 */
export function consoleLocaleOf(request: FastifyRequest): Locale {
  const chosen = request.principal?.locale;
  if (chosen) return chosen;
  const cookie = request.cookies?.[LANG_COOKIE];
  if (isLocale(cookie)) return cookie;
  return negotiateLocale(request.headers['accept-language']) ?? DEFAULT_LOCALE;
}

/**
 * An API answer's language (error `message`s; `code`s never change): what the client asks for in
 * `Accept-Language`, else the caller's own setting, else English.
 */
export function apiLocaleOf(request: FastifyRequest): Locale {
  return negotiateLocale(request.headers['accept-language']) ?? request.principal?.locale ?? DEFAULT_LOCALE;
}
