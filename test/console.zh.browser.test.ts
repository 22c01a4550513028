import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { call, createSubUser, type Harness } from './helpers/harness.js';
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';
import { WIDTHS, browserAvailable, browserRequired, openConsole, type ConsoleUnderTest } from './helpers/browser.js';

/**
 * Issue 25 in Chromium: the whole console in Simplified Chinese, at 1280 px and at 390 px, as a
 * primary account that binds a device — sign-up, the step-up, the QR code, recovery codes, the
 * login with its dynamic-code step, every page of the signed-in console, an error page, and the
 * signed-out pages (lost phone, forgotten password). Every page: `<html lang="zh-CN">`, nothing
 * wider than the phone, no button or cell whose text overflows its box, and no English sentence
 * left in what the reader sees. Problems are collected for every page and asserted at the end, so
 * one run shows all of them. Screenshots for the README's "中文控制台".
 */
const PASSWORD = 'zh console password 1';
const shots = path.resolve(import.meta.dirname, '../docs/screenshots');

/** What a page showed that it should not have, by page (`1280 px /audit: …`). */
const leftovers: Record<string, string[]> = {};
const overflows: Record<string, string[]> = {};
const wrongLang: Record<string, string> = {};
const tooWide: Record<string, number> = {};

/**
 * Names that stay as they are in a Chinese text (decision 033), and data that is not text:
 * e-mail addresses, URLs, a browser's name as its user agent says it ("HeadlessChrome on Linux").
 */
const allowed = [
  /[\w.+-]+@[\w.-]+/g,
  /\bhttps?:\/\/\S+/g,
  /\b(?:Headless)?Chrom(?:e|ium)(?: \d+)? on (?:Linux|Windows|macOS|Android|iOS)\b/g,
  /\bOpenID Connect\b/g,
  /\bStandard Webhooks\b/g,
  /\btwofold\b/g,
];
/** Three English words in a row (a word may carry an apostrophe or hyphen: "it's", "sign-in"). */
const WORD = String.raw`[A-Za-z]{2,}(?:['’-][A-Za-z]+)*`;
const englishRun = new RegExp(String.raw`\b${WORD}(?:[ \u00a0]+${WORD}){2,}\b`, 'g');

/** The English sentences in a page's visible text, line by line (table cells apart). */
function englishIn(text: string): string[] {
  const found: string[] = [];
  for (let line of text.split(/[\n\t]+/)) {
    for (const pattern of allowed) line = line.replace(pattern, ' · ');
    for (const match of line.matchAll(englishRun)) found.push(match[0]);
  }
  return [...new Set(found)];
}

/** Every check on the page `tab` shows now, recorded under `label` (asserted at the end). */
async function inspect(tab: Page, width: string, label: string) {
  const key = `${width} ${label}`;
  const seen = await tab.evaluate(() => {
    const visible = (el: Element) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const describe = (el: Element) =>
      `<${el.tagName.toLowerCase()}${el.className ? ` class="${String(el.className)}"` : ''}> "${(
        (el as HTMLElement).innerText || ''
      )
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 60)}"`;
    const overflowing = Array.from(document.querySelectorAll('button, .button, a.button, nav a, th, td, label'))
      .filter((el) => visible(el) && el.scrollWidth > el.clientWidth + 1)
      .map((el) => `${describe(el)} ${el.scrollWidth}px in ${el.clientWidth}px`);
    // What the reader sees, without code, keys, tokens and what is marked as another language.
    // (Through the CSSOM: the console's Content-Security-Policy refuses a <style> element.)
    const hidden = Array.from(
      document.querySelectorAll<HTMLElement>(
        'code, pre, kbd, samp, textarea, [data-testid=secret-key], [lang]:not(html):not([lang^="zh"])',
      ),
    ).map((el) => {
      const before = [el.style.getPropertyValue('display'), el.style.getPropertyPriority('display')] as const;
      el.style.setProperty('display', 'none', 'important');
      return () => el.style.setProperty('display', ...before);
    });
    // The tab's title and the hints inside empty fields are read too.
    const placeholders = Array.from(document.querySelectorAll('[placeholder]')).map((el) =>
      el.getAttribute('placeholder'),
    );
    const text = [document.title, document.body.innerText, ...placeholders].join('\n');
    for (const restore of hidden) restore();
    return {
      lang: document.documentElement.lang,
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      overflowing,
      text,
    };
  });
  if (seen.lang !== 'zh-CN') wrongLang[key] = seen.lang;
  if (seen.scrollWidth > seen.innerWidth) tooWide[key] = seen.scrollWidth;
  if (seen.overflowing.length > 0) overflows[key] = seen.overflowing;
  const english = englishIn(seen.text);
  if (english.length > 0) leftovers[key] = english;
}

/** "218604" as an authenticator app shows it: "218 604". */
const spaced = (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`;
const step = (ms: number) => Math.floor(ms / 30_000);

describe.skipIf(!browserAvailable && !browserRequired)('the console in Simplified Chinese', () => {
  let ui: ConsoleUnderTest;
  let h: Harness;
  let base: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // Step-ups last 2 seconds, so a sensitive operation a moment later asks for one (the step-up
    // page); on localhost, where passkeys work, so the pages show everything they offer.
    ui = await openConsole({ localhost: true, config: { stepUpMaxAgeSeconds: 2, webhooksAllowPrivate: true } });
    ({ h, base } = ui);
    mkdirSync(shots, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await ui?.close();
  });

  /** A tab whose browser speaks Chinese (as a reader in China: zh-CN first). */
  async function chineseTab(viewport: { width: number; height: number }, on = ui) {
    const context = await on.browser.newContext({
      viewport,
      locale: 'zh-CN',
      extraHTTPHeaders: { 'accept-language': 'zh-CN,zh;q=0.9' },
    });
    contexts.push(context);
    return context.newPage();
  }

  /** The newest e-mailed code for `email`. */
  async function mailedCode(email: string): Promise<string> {
    for (let i = 0; i < 40; i++) {
      const mail = (await h.services.outbox(email)).find((m) => m.kind === 'verification.code');
      const code = mail && /(\d{6})/.exec(mail.text)?.[1];
      if (code) return code;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no code mailed to ${email}`);
  }

  /** The step-up page with the password (no device yet), or a recovery code (a device), then on. */
  const onStepUp = (tab: Page) => tab.locator('form[action="/account/security/step-up"]').count();

  /** Some of everything, through the API as the account itself (a fresh password step-up before each sensitive call). */
  async function content(email: string) {
    const token = (await call(h.app, 'POST', '/api/v1/sessions', { body: { login: email, password: PASSWORD } })).body
      .session.token as string;
    const stepUp = async () => {
      const res = await call(h.app, 'POST', '/api/v1/me/step-up', {
        token,
        body: { method: 'password', password: PASSWORD },
      });
      expect(res.status).toBe(200);
    };
    const alias = (await call(h.app, 'GET', '/api/v1/me', { token })).body.account.alias as string;
    const user = await createSubUser(h, token, alias, {
      username: 'lihua',
      displayName: '李华',
      email: `lihua.${alias}@example.com`,
    });
    const workspace = (await call(h.app, 'POST', '/api/v1/workspaces', { token, body: { name: '研发部' } })).body
      .workspace.id as string;
    expect(
      (
        await call(h.app, 'POST', `/api/v1/workspaces/${workspace}/members`, {
          token,
          body: { userId: user.id, role: 'member' },
        })
      ).status,
    ).toBe(201);
    await stepUp();
    const client = await call(h.app, 'POST', '/api/v1/oidc-clients', {
      token,
      body: { name: '工单系统', redirectUris: ['https://tickets.example.com/callback'], type: 'confidential' },
    });
    expect(client.status, JSON.stringify(client.body)).toBe(201);
    await stepUp();
    const apiToken = await call(h.app, 'POST', '/api/v1/api-tokens', {
      token,
      body: { name: '人事系统同步', scopes: ['users:read', 'audit:read'], expiresInDays: 90 },
    });
    expect(apiToken.status, JSON.stringify(apiToken.body)).toBe(201);
    await stepUp();
    const webhook = await call(h.app, 'POST', '/api/v1/webhooks', {
      token,
      body: { url: 'http://127.0.0.1:9/twofold-events', events: ['login.succeeded', 'mfa.bound'] },
    });
    expect(webhook.status, JSON.stringify(webhook.body)).toBe(201);
    return {
      user: user.id,
      workspace,
      application: client.body.client.id as string,
      webhook: webhook.body.webhook.id as string,
    };
  }

  for (const [width, viewport] of WIDTHS) {
    const desktop = viewport.width === 1280;
    const shot = (tab: Page, name: string, fullPage = true) =>
      tab.screenshot({ path: path.join(shots, name), fullPage });

    it(`every page in zh-CN at ${width}: no overflow, no English left`, async () => {
      const tab = await chineseTab(viewport);
      const email = `zh.${viewport.width}.${Date.now()}@example.com`;
      const go = async (url: string, label = url) => {
        await tab.goto(url.startsWith('http') ? url : `${base}${url}`);
        await inspect(tab, width, label);
      };

      // Sign-up.
      await go('/signup');
      await tab.fill('input[name=email]', email);
      await tab.fill('input[name=displayName]', '王小明');
      await tab.fill('input[name=password]', PASSWORD);
      await tab.click('main button[type=submit]');
      await tab.waitForURL(/\/overview/);
      const signedUpAt = Date.now();
      await inspect(tab, width, '/overview (just signed up, no device)');
      const ids = await content(email);

      // Binding, after the sign-up's step-up went stale: the step-up page first (an e-mailed code).
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, signedUpAt + 2_500 - Date.now())));
      await go('/account/security/mfa/bind', 'step-up page (no device; before binding)');
      expect(await onStepUp(tab)).toBeGreaterThan(0);
      await tab.click('[data-testid=send-email]');
      await tab.waitForSelector('input[name=code]');
      await inspect(tab, width, 'step-up page (e-mail code sent)');
      await tab.fill('input[name=code]', await mailedCode(email));
      await tab.click('form:has(input[name=code]) button[type=submit]');
      await tab.waitForSelector('form[action="/account/security/mfa/bind"]');
      await inspect(tab, width, '/account/security/mfa/bind (start)');
      await tab.click('form[action="/account/security/mfa/bind"] button');
      if ((await onStepUp(tab)) > 0) {
        // The 2-second step-up ran out between the two pages: the password this time.
        await tab.click('details.alt summary');
        await tab.fill('details input[name=password]', PASSWORD);
        await tab.click('details button[type=submit]');
        await tab.click('[data-testid=continue]');
      }
      await tab.waitForSelector('[data-testid=qr] svg');
      await inspect(tab, width, '/account/security/mfa/bind (QR code and key)');
      await shot(tab, desktop ? 'zh-04-bind.png' : 'zh-08-phone-bind.png');
      const secret = referenceBase32Decode((await tab.textContent('[data-testid=secret-key]'))!.replace(/\s/g, ''));
      const boundAt = Date.now();
      await tab.fill('input[name=code1]', spaced(referenceTotp(secret, boundAt, -1)));
      await tab.fill('input[name=code2]', spaced(referenceTotp(secret, boundAt)));
      await tab.click('form[action="/account/security/mfa/bind/activate"] button[type=submit]');
      await tab.waitForSelector('[data-testid=recovery-codes-page]');
      await inspect(tab, width, 'recovery codes (shown once, after binding)');
      const codes = (await tab.locator('[data-testid=recovery-codes] code').allTextContents()).map((c) => c.trim());
      expect(codes).toHaveLength(10);
      await tab.check('[data-testid=codes-saved]');
      await tab.click('[data-testid=codes-continue]');
      await tab.waitForURL(/\/account\/security\?notice=bound/);
      await inspect(tab, width, '/account/security?notice=bound');

      // A new set of recovery codes, after the step-up went stale: the step-up with a device.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      await tab.click('form[action="/account/security/recovery-codes"] button[type=submit]');
      await tab.waitForSelector('[data-testid=step-up-recovery-code]', { state: 'attached' });
      await inspect(tab, width, 'step-up page (a device bound; new recovery codes)');
      await tab.click('details.alt summary');
      await tab.fill('input[name=recoveryCode]', codes[0]!);
      await tab.click('[data-testid=step-up-recovery-code]');
      await tab.waitForSelector('[data-testid=continue]');
      await inspect(tab, width, 'step-up verified (continue)');
      await tab.click('[data-testid=continue]');
      await tab.waitForSelector('[data-testid=recovery-codes-page]');
      await inspect(tab, width, '/account/security/recovery-codes (a new set)');
      await tab.check('[data-testid=codes-saved]');
      await tab.click('[data-testid=codes-continue]');
      await tab.waitForURL(/\/account\/security/);

      // Signed out, then the login with its dynamic-code step.
      await tab.click('[data-testid=sign-out]');
      await tab.waitForURL(/\/login/);
      await inspect(tab, width, 'signed out');
      await go('/login');
      if (desktop) await shot(tab, 'zh-01-login.png', false);
      await tab.fill('input[name=login]', email);
      await tab.fill('input[name=password]', PASSWORD);
      await tab.click('main button[type=submit]');
      await tab.waitForURL(/\/login\/mfa/);
      await inspect(tab, width, '/login/mfa (the dynamic-code step)');
      const near = new Set(Array.from({ length: 41 }, (_, i) => referenceTotp(secret, Date.now(), i - 20)));
      await tab.fill(
        'input[name=code]',
        ['135 792', '246 801', '975 310'].find((c) => !near.has(c.replace(' ', '')))!,
      );
      await tab.click('form[action="/login/mfa"] button[type=submit]');
      await tab.waitForSelector('[data-testid=tries-left]');
      await inspect(tab, width, '/login/mfa (a wrong code)');
      if (desktop) await shot(tab, 'zh-02-code-step.png', false);
      // The binding used this step's code: the app's next one.
      while (step(Date.now()) <= step(boundAt)) await new Promise((resolve) => setTimeout(resolve, 500));
      await tab.fill('input[name=code]', spaced(referenceTotp(secret, Date.now())));
      await tab.click('form[action="/login/mfa"] button[type=submit]');
      await tab.waitForURL(/\/overview/);
      await inspect(tab, width, '/overview');
      if (desktop) await shot(tab, 'zh-03-overview.png');

      // Every page of the signed-in console.
      await go('/account/security');
      if (desktop) await shot(tab, 'zh-05-security.png');
      await go('/account/security/devices');
      await go('/account/profile');
      await go('/account/sessions');
      await go('/account/real-name');
      await go('/audit');
      if (desktop) await shot(tab, 'zh-07-audit.png');
      await go('/users');
      if (desktop) await shot(tab, 'zh-06-users.png');
      await go(`/users/${ids.user}`, '/users/:id');
      await go('/users/new');
      await go('/workspaces');
      await go(`/workspaces/${ids.workspace}`, '/workspaces/:id');
      await go('/applications');
      await go(`/applications/${ids.application}`, '/applications/:id');
      await go('/api-tokens');
      await go('/webhooks');
      await go(`/webhooks/${ids.webhook}`, '/webhooks/:id');
      await go('/account/security/mfa/unbind');
      await go('/users/nonexistent', '/users/nonexistent (an error page)');
      await go('/no-such-page', '/no-such-page (not found)');
      await go('/overview', '/overview (again)');
      if (!desktop) {
        await tab.click('[data-testid=menu]');
        await inspect(tab, width, '/overview (menu open)');
        await shot(tab, 'zh-09-phone-menu.png', false);
      }

      // Signed out: the lost phone, the forgotten password.
      await tab.click('[data-testid=sign-out]');
      await tab.waitForURL(/\/login/);
      await go('/recovery');
      await tab.fill('[data-testid=recovery-start] input[name=login]', email);
      await tab.click('[data-testid=recovery-start] button[type=submit]');
      await tab.waitForURL(/\/recovery\/ticket/);
      await inspect(tab, width, '/recovery/ticket (the lost-phone ticket)');
      if (!desktop) await shot(tab, 'zh-10-phone-recovery.png');
      await go('/password-reset');
      await tab.fill('input[name=login]', email);
      await tab.click('main button[type=submit]');
      await tab.waitForSelector('[data-testid=reset-sent]');
      await inspect(tab, width, '/password-reset (link sent)');
      let link: string | undefined;
      for (let i = 0; i < 40 && !link; i++) {
        const mail = (await h.services.outbox(email)).find((m) => /password-reset\/new\?token=/.test(m.text));
        link = mail && /(https?:\/\/\S+password-reset\/new\?token=[A-Za-z0-9_%-]+)/.exec(mail.text)?.[1];
        if (!link) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const reset = new URL(link!);
      await go(`${reset.pathname}${reset.search}`, '/password-reset/new (a new password)');
      await go('/signup', '/signup (signed out)');
    }, 120_000);
  }

  it('where passkeys cannot work (plain http, not localhost), the pages that would offer one say why, in Chinese', async () => {
    const plain = await openConsole();
    try {
      const [width, viewport] = WIDTHS[1];
      const tab = await chineseTab(viewport, plain);
      const label = `${width} (plain http)`;
      await tab.goto(`${plain.base}/signup`);
      await tab.fill('input[name=email]', `zh.http.${Date.now()}@example.com`);
      await tab.fill('input[name=password]', PASSWORD);
      await tab.click('main button[type=submit]');
      await tab.waitForURL(/\/overview/);
      for (const page of ['/account/security', '/account/security/devices']) {
        await tab.goto(`${plain.base}${page}`);
        await inspect(tab, label, page);
      }
      await tab.click('[data-testid=sign-out]');
      await tab.waitForURL(/\/login/);
      await inspect(tab, label, '/login');
    } finally {
      await plain.close();
    }
  }, 60_000);

  it('shows every page in Chinese: lang="zh-CN", nothing too wide or overflowing, no English sentence', () => {
    expect(wrongLang, 'pages whose <html lang> is not zh-CN').toEqual({});
    expect(tooWide, 'pages wider than the window (document scrollWidth)').toEqual({});
    expect(overflows, 'buttons, links, cells and labels whose text overflows its box').toEqual({});
    expect(leftovers, 'English left on the page').toEqual({});
  });
});
