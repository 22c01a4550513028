import type { LightMyRequestResponse } from 'fastify';
import type { Harness } from './harness.js';

const ORIGIN = 'http://twofold.test';

/**
 * A console client without a browser: keeps cookies like one (per path), sends our Origin and the
 * CSRF token on posts (`csrf: false` leaves the token out), and optional extra headers on every request.
 */
export function formClient(h: Harness, headers: Record<string, string> = {}) {
  const jar = new Map<string, { name: string; value: string; path: string }>();
  const cookieHeader = (url: string) =>
    [...jar.values()]
      .filter((c) => url.split('?')[0]!.startsWith(c.path))
      .map((c) => `${c.name}=${encodeURIComponent(c.value)}`)
      .join('; ');
  const remember = (response: LightMyRequestResponse) => {
    for (const c of response.cookies as { name: string; value: string; path?: string; maxAge?: number }[]) {
      const key = `${c.name} ${c.path ?? '/'}`;
      if (c.value === '' || c.maxAge === 0) jar.delete(key);
      else jar.set(key, { name: c.name, value: c.value, path: c.path ?? '/' });
    }
    return response;
  };
  return {
    /** The value of a cookie the server set (any path). */
    cookie: (name: string) => [...jar.values()].find((c) => c.name === name)?.value,
    signIn: (token: string) => jar.set('twofold_session /', { name: 'twofold_session', value: token, path: '/' }),
    get: async (url: string, extra: Record<string, string> = {}) =>
      remember(
        await h.app.inject({ method: 'GET', url, headers: { cookie: cookieHeader(url), ...headers, ...extra } }),
      ),
    post: async (
      url: string,
      form: Record<string, string>,
      options: { csrf?: boolean; headers?: Record<string, string> } = {},
    ) => {
      const csrf = [...jar.values()].find((c) => c.name.endsWith('twofold_csrf'))?.value ?? '';
      return remember(
        await h.app.inject({
          method: 'POST',
          url,
          headers: {
            cookie: cookieHeader(url),
            origin: ORIGIN,
            'content-type': 'application/x-www-form-urlencoded',
            ...headers,
            ...options.headers,
          },
          payload: new URLSearchParams(options.csrf === false ? form : { _csrf: csrf, ...form }).toString(),
        }),
      );
    },
  };
}

export const unescape = (html: string) =>
  html
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The hidden fields of the first form that posts to `action` (what a browser would send), without the token. */
export function hiddenFields(html: string, action: string): Record<string, string> {
  const start = html.indexOf(`action="${action}"`);
  if (start < 0) throw new Error(`no form posts to ${action}`);
  const form = html.slice(start, html.indexOf('</form>', start));
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    fields[m[1]!] = unescape(m[2]!);
  delete fields._csrf;
  return fields;
}
