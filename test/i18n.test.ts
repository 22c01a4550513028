import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, call, createHarness, databaseKinds, primaryAccount, type Harness } from './helpers/harness.js';
import { formClient } from './helpers/console-forms.js';
import { negotiateLocale } from '../src/i18n/locale.js';
import { formatDate, formatDateTime } from '../src/i18n/format.js';

describe('choosing a language from Accept-Language (RFC 9110 §12.5.4)', () => {
  it.each([
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['zh-SG', 'zh-CN'],
    // Traditional Chinese readers get Simplified Chinese, not English (documented fallback).
    ['zh-TW,zh;q=0.9', 'zh-CN'],
    ['zh-Hant-HK', 'zh-CN'],
    ['en-US,en;q=0.9', 'en'],
    ['fr-FR,zh;q=0.5,en;q=0.7', 'en'],
    ['fr-FR,zh;q=0.8,en;q=0.7', 'zh-CN'],
    ['zh;q=0,en', 'en'],
    ['EN-gb', 'en'],
  ])('%s → %s', (header, locale) => {
    expect(negotiateLocale(header)).toBe(locale);
  });

  it.each([[undefined], [''], ['fr-FR'], ['*'], ['de;q=1, ja;q=0.9'], [';;;,,,q=']])('%s → none of ours', (header) => {
    expect(negotiateLocale(header)).toBeNull();
  });

  it('formats dates in the reader’s language and the configured zone, the zone always named', () => {
    const at = Date.UTC(2026, 11, 7, 4, 28);
    expect(formatDateTime('en', 'UTC', at)).toBe('7 Dec 2026, 04:28 UTC');
    expect(formatDateTime('zh-CN', 'UTC', at)).toBe('2026年12月7日 04:28 UTC');
    expect(formatDateTime('zh-CN', 'Asia/Shanghai', at)).toBe('2026年12月7日 12:28 GMT+8');
    expect(formatDate('zh-CN', 'UTC', at)).toBe('2026年12月7日');
  });
});

/** A console client that sends a fixed Accept-Language. */
const client = (h: Harness, acceptLanguage?: string) =>
  formClient(h, acceptLanguage ? { 'accept-language': acceptLanguage } : {});

const htmlLang = (body: string) => /<html lang="([^"]+)"/.exec(body)?.[1];

describe.each(databaseKinds())('the console and the API in two languages on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  it('answers the login page in the browser’s language, English otherwise, and says it varies', async () => {
    for (const [header, lang] of [
      ['zh-CN,zh;q=0.9', 'zh-CN'],
      ['zh-Hans-CN', 'zh-CN'],
      ['zh-TW', 'zh-CN'],
      ['fr-FR', 'en'],
      [undefined, 'en'],
    ] as const) {
      const page = await client(h, header).get('/login');
      expect(page.statusCode).toBe(200);
      expect(htmlLang(page.body), String(header)).toBe(lang);
      expect(page.headers.vary).toMatch(/accept-language/i);
    }
    const zh = await client(h, 'zh-CN').get('/login');
    const en = await client(h).get('/login');
    expect(zh.body).not.toContain('>Log in<');
    expect(en.body).toContain('Log in');
    // The footer offers the other language, named in itself.
    expect(zh.body).toContain('href="/lang/en"');
    expect(en.body).toContain('href="/lang/zh-CN"');
    expect(en.body).toContain('中文');
  });

  it('the footer switch remembers the choice in this browser, over Accept-Language, and goes back', async () => {
    const tab = client(h, 'zh-CN,zh;q=0.9');
    const switched = await tab.get('/lang/en', { referer: 'http://twofold.test/login/forgot?x=1' });
    expect(switched.statusCode).toBe(303);
    expect(switched.headers.location).toBe('/login/forgot?x=1');
    expect(tab.cookie('twofold_lang')).toBe('en');
    expect(htmlLang((await tab.get('/login')).body)).toBe('en');
    // Another site as the referer, or none: back to the login page, never elsewhere.
    expect((await tab.get('/lang/zh-CN', { referer: 'https://evil.example/x' })).headers.location).toBe('/login');
    expect(htmlLang((await tab.get('/login')).body)).toBe('zh-CN');
    // Not one of ours: nothing remembered.
    const unknown = await tab.get('/lang/fr');
    expect(unknown.statusCode).toBe(303);
    expect(tab.cookie('twofold_lang')).toBe('zh-CN');
  });

  it('a signed-in person’s own setting wins over the browser, and is saved by the footer switch', async () => {
    const primary = await primaryAccount(h);
    const tab = client(h, 'en-US');
    tab.signIn(primary.token);
    const overview = await tab.get('/overview');
    expect(overview.statusCode).toBe(200);
    expect(htmlLang(overview.body)).toBe('en');
    expect(overview.body).toContain('action="/account/language"');
    const saved = await tab.post(
      '/account/language',
      { locale: 'zh-CN' },
      { headers: { referer: 'http://twofold.test/overview' } },
    );
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/overview');
    // Another browser, asking for English, without the cookie: the setting decides.
    const elsewhere = client(h, 'en-US');
    elsewhere.signIn(primary.token);
    expect(htmlLang((await elsewhere.get('/overview')).body)).toBe('zh-CN');
    // The API keeps it, and API callers may still ask for another language per request.
    expect((await call(h.app, 'GET', '/api/v1/me', { token: primary.token })).body.locale).toBe('zh-CN');
    const me = await call(h.app, 'PATCH', '/api/v1/me', { token: primary.token, body: { locale: null } });
    expect(me.status).toBe(200);
    expect((await call(h.app, 'GET', '/api/v1/me', { token: primary.token })).body.locale).toBeNull();
    expect(htmlLang((await elsewhere.get('/overview')).body)).toBe('en');
    const bad = await call(h.app, 'PATCH', '/api/v1/me', { token: primary.token, body: { locale: 'fr' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation.failed');
  });

  it('signing up in Chinese keeps the language for the e-mails; in English, no choice is stored', async () => {
    const zh = await call(h.app, 'POST', '/api/v1/accounts', {
      body: { email: 'zh.signup@example.com', password: PASSWORD },
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(zh.status).toBe(201);
    const en = await call(h.app, 'POST', '/api/v1/accounts', {
      body: { email: 'en.signup@example.com', password: PASSWORD },
    });
    expect(en.status).toBe(201);
    const login = async (email: string) =>
      (await call(h.app, 'POST', '/api/v1/sessions', { body: { login: email, password: PASSWORD } })).body.session
        .token as string;
    expect((await call(h.app, 'GET', '/api/v1/me', { token: await login('zh.signup@example.com') })).body.locale).toBe(
      'zh-CN',
    );
    expect(
      (await call(h.app, 'GET', '/api/v1/me', { token: await login('en.signup@example.com') })).body.locale,
    ).toBeNull();
  });

  it('an API error keeps its code in every language; its message follows Accept-Language', async () => {
    const body = { login: 'nobody@example.com', password: PASSWORD };
    const en = await call(h.app, 'POST', '/api/v1/sessions', { body });
    const zh = await call(h.app, 'POST', '/api/v1/sessions', { body, headers: { 'accept-language': 'zh-CN' } });
    expect(en.status).toBe(401);
    expect(zh.status).toBe(401);
    expect(zh.body.error.code).toBe(en.body.error.code);
    expect(zh.body.error.message).not.toBe(en.body.error.message);
    expect(zh.body.error.message).toMatch(/[\u4e00-\u9fff]/);
    expect(zh.headers.vary).toMatch(/accept-language/i);
    // Schema refusals too.
    const invalid = await call(h.app, 'POST', '/api/v1/sessions', {
      body: { login: 'x' },
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(invalid.body.error.code).toBe('validation.failed');
    expect(invalid.body.error.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('100 concurrent pages, alternating languages, each answer entirely in its own', async () => {
    const pages = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        client(h, i % 2 === 0 ? 'zh-CN' : 'en').get(i % 4 < 2 ? '/login' : '/signup'),
      ),
    );
    pages.forEach((page, i) => {
      const zh = i % 2 === 0;
      expect(htmlLang(page.body)).toBe(zh ? 'zh-CN' : 'en');
      const text = page.body.replace(/<[^>]+>/g, ' ');
      if (zh) expect(text).not.toMatch(/\b(Log in|Sign up|Password|Create your account)\b/);
      // The footer's switch names Chinese in Chinese: that is the one Chinese word on an English page.
      else expect(text.replace('中文', '')).not.toMatch(/[\u4e00-\u9fff]{2,}/);
    });
  });
});
