import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PASSWORD, bindDevice, call, createSubUser, primaryAccount, type Harness } from './helpers/harness.js';
import { browserAvailable, browserRequired, openConsole, type ConsoleUnderTest } from './helpers/browser.js';
import { referenceTotp } from './helpers/rfc6238.js';

/**
 * Issue 23 in Chromium: the example relying party (examples/oidc-app/app.mjs, openid-client) signs
 * in through twofold on http://localhost — password, a dynamic code from an authenticator app bound
 * through the API, consent — and shows acr `urn:twofold:acr:mfa` and amr `pwd otp mfa`; its "Sign
 * out" is RP-initiated logout, which signs the browser out of the console too. Then a sub-user's
 * first sign-in on a 390 px phone: the pages passed through do not overflow.
 */
const shots = path.resolve(import.meta.dirname, '../docs/screenshots');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

interface ExampleApp {
  url: string;
  close(): Promise<void>;
}
type StartExampleApp = (options: {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  port: number;
}) => Promise<ExampleApp>;

/** A port nothing listens on now: the example's redirect URI names it before the example starts. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe.skipIf(!browserAvailable && !browserRequired)('Sign in with twofold: the example application', () => {
  let ui: ConsoleUnderTest;
  let h: Harness;
  let base: string;
  let example: ExampleApp | undefined;

  beforeAll(async () => {
    ui = await openConsole({ localhost: true });
    ({ h, base } = ui);
    mkdirSync(shots, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await example?.close();
    await ui?.close();
  });

  async function fitsPhone(tab: Page) {
    const width = await tab.evaluate(() => document.documentElement.scrollWidth);
    expect(width, tab.url()).toBeLessThanOrEqual(PHONE.width);
  }

  /** The console's login page, reached from the application (`check` looks at it first): the password. */
  async function signInOnTwofold(tab: Page, login: string, check?: (tab: Page) => Promise<void>) {
    await tab.waitForURL(`${base}/login`);
    expect(await tab.textContent('main')).toContain('Example app');
    await check?.(tab);
    await tab.fill('input[name=login]', login);
    await tab.fill('input[name=password]', PASSWORD);
    await tab.click('form[action="/login"] button[type=submit]');
    await tab.waitForURL(/\/login\/mfa/);
  }

  async function enterCode(tab: Page, secret: Buffer) {
    await tab.fill('input[name=code]', referenceTotp(secret, Date.now()));
    await tab.click('main button:has-text("Verify")');
  }

  it('signs in with MFA through the example app, signs out of both; then on a 390 px phone', async () => {
    // The owner, with an authenticator app bound through the API, and a sub-user with one too.
    const owner = await primaryAccount(h);
    const device = await bindDevice(h, owner.token);
    const named = await call(h.app, 'PATCH', '/api/v1/me', {
      token: device.token,
      body: { displayName: 'Ada Lovelace' },
    });
    expect(named.status, JSON.stringify(named.body)).toBe(200);
    const sub = await createSubUser(h, device.token, owner.alias, { username: 'grace', displayName: 'Grace Hopper' });
    const subLogin = await call(h.app, 'POST', '/api/v1/sessions', { body: { login: sub.login, password: PASSWORD } });
    const subDevice = await bindDevice(h, subLogin.body.session.token);
    const boundAt = Date.now();

    // The example's application, registered as a confidential client for its redirect URI.
    const port = await freePort();
    const registered = await call(h.app, 'POST', '/api/v1/oidc-clients', {
      token: device.token,
      body: {
        name: 'Example app',
        redirectUris: [`http://localhost:${port}/callback`],
        postLogoutRedirectUris: [`http://localhost:${port}/`],
        type: 'confidential',
      },
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const { startExampleApp } = (await import(new URL('../examples/oidc-app/app.mjs', import.meta.url).href)) as {
      startExampleApp: StartExampleApp;
    };
    example = await startExampleApp({
      issuer: `${base}/oidc`,
      clientId: registered.body.client.id,
      clientSecret: registered.body.clientSecret,
      port,
    });
    expect(example.url).toBe(`http://localhost:${port}`);
    const home = `${example.url}/`;

    // Activation used this 30-second step's code: the login needs the next one.
    if (Math.floor(Date.now() / 30_000) === Math.floor(boundAt / 30_000))
      await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 300));

    // 1280 px: the example → "Sign in with twofold" → password → code → consent → back, signed in.
    const { tab } = await ui.tab(DESKTOP);
    await tab.goto(home);
    await tab.click('[data-testid=sign-in]');
    await signInOnTwofold(tab, owner.email);
    await enterCode(tab, device.secret);
    await tab.waitForSelector('[data-testid=oidc-consent]');
    expect(await tab.textContent('[data-testid=oidc-consent] h1')).toBe('Example app wants to sign you in');
    expect(await tab.textContent('[data-testid=oidc-consent]')).toContain(owner.email);
    await tab.screenshot({ path: path.join(shots, '44-oidc-consent.png') });
    await tab.click('[data-testid=oidc-allow]');
    // The way back after a form is a page with a meta refresh (form-action 'self'): wait for the example.
    await tab.waitForURL(home);
    await tab.waitForSelector('[data-testid=signed-in]');
    expect(await tab.textContent('[data-testid=acr]')).toBe('urn:twofold:acr:mfa');
    expect(await tab.textContent('[data-testid=amr]')).toBe('pwd otp mfa');
    expect(await tab.textContent('[data-testid=name]')).toBe('Ada Lovelace');
    expect(await tab.textContent('[data-testid=preferred-username]')).toBe(owner.email);
    expect(await tab.textContent('[data-testid=email]')).toBe(owner.email);
    const authTime = Date.parse((await tab.textContent('[data-testid=auth-time]'))!);
    expect(Math.abs(Date.now() - authTime)).toBeLessThan(120_000);
    await tab.screenshot({ path: path.join(shots, '45-oidc-example-signed-in.png') });

    // The console is signed in too (the same browser): the overview opens without a login.
    await tab.goto(`${base}/overview`);
    await tab.waitForURL(`${base}/overview`);
    await tab.goto(home);

    // "Sign out" in the example: twofold asks, the person confirms, the browser is back on the example.
    await tab.click('[data-testid=sign-out]');
    await tab.waitForSelector('[data-testid=oidc-logout]');
    expect(tab.url().startsWith(`${base}/oidc/session/end`)).toBe(true);
    await tab.screenshot({ path: path.join(shots, '47-oidc-logout.png') });
    await tab.click('[data-testid=oidc-logout-yes]');
    await tab.waitForURL(home);
    await tab.waitForSelector('[data-testid=sign-in]');
    // And twofold's console is signed out: the overview sends the browser to the login page.
    await tab.goto(`${base}/overview`);
    await tab.waitForURL(/\/login/);
    expect(await tab.isVisible('input[name=password]')).toBe(true);

    // 390 px, a browser of its own: the sub-user's first sign-in to the application.
    const phone = (await ui.tab(PHONE)).tab;
    await phone.goto(home);
    await phone.click('[data-testid=sign-in]');
    await signInOnTwofold(phone, sub.login, fitsPhone);
    await phone.waitForSelector('input[name=code]');
    await fitsPhone(phone);
    await phone.screenshot({ path: path.join(shots, '46-phone-oidc-code-step.png') });
    await enterCode(phone, subDevice.secret);
    await phone.waitForSelector('[data-testid=oidc-consent]');
    expect(await phone.textContent('[data-testid=oidc-consent]')).toContain(sub.login);
    await fitsPhone(phone);
    await phone.click('[data-testid=oidc-allow]');
    await phone.waitForURL(home);
    await phone.waitForSelector('[data-testid=signed-in]');
    expect(await phone.textContent('[data-testid=acr]')).toBe('urn:twofold:acr:mfa');
    expect(await phone.textContent('[data-testid=amr]')).toBe('pwd otp mfa');
    expect(await phone.textContent('[data-testid=preferred-username]')).toBe(sub.login);
    expect(await phone.textContent('[data-testid=name]')).toBe('Grace Hopper');
  }, 180_000);
});
