import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createHarness, type Harness } from './helpers/harness.js';
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';

/**
 * The console as people use it, on a desktop and on a 390 px phone (issue 11 §2): every page fits,
 * the navigation folds and Sign out stays in reach, code fields take what apps show, the code step
 * says whose login it is and how many tries are left, destructive actions ask first, the
 * verification honours the account's protection choice, the profile page works, console paths
 * answer HTML.
 */
const CHROMIUM = '/usr/bin/chromium';
const required = process.env.TWOFOLD_REQUIRE_BROWSER === '1';
const available = existsSync(CHROMIUM);
const shots = path.resolve(import.meta.dirname, '../docs/screenshots');

/** After binding: the recovery codes are shown once; the person downloads them and ticks "saved" to go on. */
async function keepRecoveryCodes(tab: Page): Promise<string[]> {
  await tab.waitForSelector('[data-testid=recovery-codes-page]');
  const codes = (await tab.locator('[data-testid=recovery-codes] code').allTextContents()).map((c) => c.trim());
  expect(codes).toHaveLength(10);
  await tab.check('[data-testid=codes-saved]');
  await tab.click('[data-testid=codes-continue]');
  return codes;
}
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1100, height: 760 };

/** Waits until the next 30-second step has begun, as a person waits for the app's next code. */
async function nextStep() {
  await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 300));
}

/** "218604" as an authenticator app shows it: "218 604". */
const spaced = (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`;

async function fitsWidth(tab: Page): Promise<{ fits: boolean; width: number }> {
  const width = await tab.evaluate(() => document.documentElement.scrollWidth);
  return { fits: width <= PHONE.width, width };
}

describe.skipIf(!available && !required)('console on any screen', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];

  async function tabAt(viewport: { width: number; height: number }) {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    return context.newPage();
  }

  async function signUp(tab: Page, email: string, password: string) {
    await tab.goto(`${base}/signup`);
    await tab.fill('input[name=email]', email);
    await tab.fill('input[name=password]', password);
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/\/overview/);
  }

  /** Binds through the console with codes typed as apps show them; returns the secret. */
  async function bind(tab: Page) {
    await tab.goto(`${base}/account/security`);
    await tab.click('form[action="/account/security/mfa/bind"] button');
    await tab.waitForSelector('[data-testid=qr] svg');
    const secret = referenceBase32Decode((await tab.textContent('[data-testid=secret-key]'))!.replace(/ /g, ''));
    await tab.fill('input[name=code1]', spaced(referenceTotp(secret, Date.now(), -1)));
    const current = referenceTotp(secret, Date.now());
    await tab.fill('input[name=code2]', `${current.slice(0, 3)}-${current.slice(3)}`);
    await tab.click('main button:has-text("Confirm")');
    lastCodes = await keepRecoveryCodes(tab);
    await tab.waitForURL(/notice=bound/);
    return secret;
  }
  let lastCodes: string[] = [];

  beforeAll(async () => {
    if (!available) throw new Error(`TWOFOLD_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing`);
    const { chromium } = await import('playwright-core');
    // Step-ups last 2 seconds here, so every sensitive operation really asks for one.
    h = await createHarness('sqlite', { realClock: true, startDelivery: true, config: { stepUpMaxAgeSeconds: 2 } });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as { port: number }).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    mkdirSync(shots, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
  });

  it('every page fits a 390 px phone; the navigation folds into a menu and Sign out stays in reach', async () => {
    const tab = await tabAt(PHONE);
    const email = `phone.${Date.now()}@example.com`;
    await signUp(tab, email, 'phone password 1');
    // Some content for every page: a sub-user, a workspace, the QR code.
    await tab.goto(`${base}/users/new`);
    await tab.fill('input[name=username]', 'erin');
    await tab.fill('input[name=password]', 'erin password 1');
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/notice=created/);
    const userUrl = tab.url().split('?')[0]!;
    await tab.goto(`${base}/workspaces`);
    await tab.fill('input[name=name]', 'Operations with a rather long workspace name');
    await tab.click('main button:has-text("Create workspace")');
    await tab.waitForURL(/notice=created/);
    const workspaceUrl = tab.url().split('?')[0]!;

    const pages = [
      '/account/sessions',
      '/overview',
      '/account/security',
      '/account/profile',
      '/audit',
      '/users',
      userUrl,
      '/users/new',
      '/workspaces',
      workspaceUrl,
    ];
    for (const page of pages) {
      await tab.goto(page.startsWith('http') ? page : `${base}${page}`);
      expect(await fitsWidth(tab), page).toEqual({ fits: true, width: expect.any(Number) });
      expect(await tab.isVisible('[data-testid=sign-out]'), `Sign out on ${page}`).toBe(true);
    }
    await tab.goto(`${base}/overview`);
    await tab.screenshot({ path: path.join(shots, '16-phone-overview.png') });
    // The folded navigation opens and leads on.
    await tab.click('[data-testid=menu]');
    await tab.screenshot({ path: path.join(shots, '17-phone-menu.png') });
    await tab.click('.menu-links >> text=User Management');
    await tab.waitForURL(/\/users$/);
    await tab.screenshot({ path: path.join(shots, '18-phone-users.png') });
    // The binding page with its QR code fits too.
    await tab.goto(`${base}/account/security`);
    await tab.click('form[action="/account/security/mfa/bind"] button');
    if ((await tab.textContent('main h1')) === "Verify it's you") {
      // The sign-up's step-up has gone stale: an email code first (read from the dev outbox), then on.
      expect(await fitsWidth(tab)).toEqual({ fits: true, width: expect.any(Number) });
      await tab.click('[data-testid=send-email]');
      const outbox = await (
        await tab.context().request.get(`${base}/api/v1/dev/outbox?to=${encodeURIComponent(email)}`)
      ).text();
      await tab.fill('input[name=code]', /code is (\d{6})/.exec(outbox)![1]!);
      await tab.click('main button:has-text("Verify")');
      await tab.click('[data-testid=continue]');
    }
    await tab.waitForSelector('[data-testid=qr] svg');
    expect(await fitsWidth(tab)).toEqual({ fits: true, width: expect.any(Number) });
    await tab.screenshot({ path: path.join(shots, '19-phone-bind.png'), fullPage: true });
    await tab.click('[data-testid=sign-out]');
    await tab.waitForURL(/signed-out/);
    expect(await fitsWidth(tab)).toEqual({ fits: true, width: expect.any(Number) });
  }, 90_000);

  it('the code step names the account, takes "218 604", counts tries down and sends the last failure back to the login page', async () => {
    const tab = await tabAt(PHONE);
    const email = `codes.${Date.now()}@example.com`;
    await signUp(tab, email, 'codes password 1');
    const secret = await bind(tab);
    await tab.click('[data-testid=sign-out]');

    const toCodeStep = async () => {
      await tab.goto(`${base}/login`);
      await tab.fill('input[name=login]', email);
      await tab.fill('input[name=password]', 'codes password 1');
      await tab.click('main button[type=submit]');
      await tab.waitForURL(/\/login\/mfa/);
    };
    await toCodeStep();
    expect(await tab.textContent('[data-testid=signing-in-as]')).toContain(`Signing in as ${email}`);
    const near = new Set(Array.from({ length: 41 }, (_, i) => referenceTotp(secret, Date.now(), i - 20)));
    const wrong = ['135 792', '246-801', '975 310', '864 201', '111 222'].filter(
      (c) => !near.has(c.replace(/\D/g, '')),
    );
    for (const [i, expected] of ['4 tries left', '3 tries left', '2 tries left', 'This is the last try'].entries()) {
      await tab.fill('input[name=code]', wrong[i]!);
      await tab.click('main button[type=submit]');
      expect(await tab.textContent('.alert-error')).toMatch(/not valid/);
      expect(await tab.textContent('[data-testid=tries-left]')).toContain(expected);
      if (i === 0) await tab.screenshot({ path: path.join(shots, '20-phone-code-step.png') });
    }
    await tab.fill('input[name=code]', wrong[4]!);
    await tab.click('main button[type=submit]');
    // No form that would throw the next code away: back to the password.
    await tab.waitForURL(/\/login\?notice=expired/);
    expect(await tab.textContent('main')).toContain('ran out of tries');

    // A code as the app shows it, with its space, signs in (the binding burned the current step).
    await nextStep();
    await toCodeStep();
    await tab.fill('input[name=code]', spaced(referenceTotp(secret, Date.now())));
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/\/overview/);
  }, 90_000);

  it('destructive actions ask first and say what happens; a reset needs a reason', async () => {
    const tab = await tabAt(DESKTOP);
    const email = `confirm.${Date.now()}@example.com`;
    await signUp(tab, email, 'confirm password 1');
    await tab.goto(`${base}/users/new`);
    await tab.fill('input[name=username]', 'frank');
    await tab.fill('input[name=password]', 'frank password 1');
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/notice=created/);
    const userUrl = tab.url().split('?')[0]!;
    // Bind a device for Frank (after a verification by password: the step-up is 2 s here).
    await tab.click('text=Bind virtual MFA for this user');
    if ((await tab.textContent('main h1')) === "Verify it's you") {
      await tab.click('text=Use your password instead');
      await tab.fill('details input[name=password]', 'confirm password 1');
      await tab.click('details button');
      await tab.click('[data-testid=continue]');
    }
    await tab.waitForSelector('[data-testid=qr] svg');
    const secret = referenceBase32Decode((await tab.textContent('[data-testid=secret-key]'))!.replace(/ /g, ''));
    await tab.fill('input[name=code1]', referenceTotp(secret, Date.now(), -1));
    await tab.fill('input[name=code2]', referenceTotp(secret, Date.now()));
    await tab.click('main button:has-text("Confirm")');
    await tab.waitForURL(/notice=bound-for-user/);

    await tab.click('button:has-text("Reset virtual MFA")');
    const confirm = (await tab.textContent('[data-testid=confirm]'))!;
    expect(confirm).toContain('Reset the virtual MFA device of frank?');
    expect(confirm).toContain("the user's sessions end at once");
    await tab.screenshot({ path: path.join(shots, '21-confirm-reset.png') });
    // Without a reason the browser refuses; a blank-ish one the server refuses, saying why.
    expect(await tab.getAttribute('input[name=reason]', 'required')).not.toBeNull();
    await tab.fill('input[name=reason]', '  x ');
    await tab.click('[data-testid=confirm] button.danger');
    expect(await tab.textContent('[data-testid=confirm]')).toContain('Give a reason');
    expect(await tab.textContent('[data-testid=user-mfa-status]').catch(() => null)).toBeNull();
    await tab.goto(userUrl);
    expect(await tab.textContent('[data-testid=user-mfa-status]')).toBe('Bound');

    // Delete asks first too; cancelling keeps the user.
    await tab.click('button:has-text("Delete user")');
    expect(await tab.textContent('[data-testid=confirm]')).toContain('cannot be undone');
    await tab.click('[data-testid=confirm] >> text=Cancel');
    await tab.waitForURL(userUrl);
    await tab.click('button:has-text("Delete user")');
    await tab.click('[data-testid=confirm] button.danger');
    if ((await tab.textContent('main h1')) === "Verify it's you") {
      await tab.click('text=Use your password instead');
      await tab.fill('details input[name=password]', 'confirm password 1');
      await tab.click('details button');
      await tab.click('[data-testid=continue]');
    }
    await tab.waitForURL(/notice=deleted/);
  }, 60_000);

  it('the verification offers only the chosen method and keeps a failed password open; the profile page changes name, phone and password', async () => {
    const tab = await tabAt(PHONE);
    const email = `profile.${Date.now()}@example.com`;
    await signUp(tab, email, 'profile password 1');
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    // Account protection: the password for sensitive operations (asked itself, then continued).
    await tab.goto(`${base}/account/security`);
    await tab.selectOption('[data-testid=protection-method]', 'password');
    await tab.click('form[action="/account/security/protection"] button');
    await tab.click('text=Use your password instead');
    await tab.fill('details input[name=password]', 'profile password 1');
    await tab.click('details button');
    await tab.click('[data-testid=continue]');
    await tab.waitForURL(/notice=protection/);

    // The profile: a new name needs no verification.
    await tab.goto(`${base}/account/profile`);
    expect(await tab.textContent('[data-testid=login-name]')).toBe(email);
    await tab.fill('[data-testid=profile-form] input[name=displayName]', 'Priya');
    await tab.click('[data-testid=profile-form] button');
    await tab.waitForURL(/notice=profile/);
    // A phone number does; only the chosen method is offered (no email code), the password form is open.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await tab.fill('[data-testid=profile-form] input[name=phone]', '+49 151 1234 5678');
    await tab.click('[data-testid=profile-form] button');
    expect(await tab.textContent('main h1')).toBe("Verify it's you");
    expect(await tab.locator('[data-testid=send-email]').count()).toBe(0);
    expect(await tab.getAttribute('details.alt', 'open')).not.toBeNull();
    // A wrong password keeps its field open, with the reason.
    await tab.fill('details input[name=password]', 'not my password');
    await tab.click('details button');
    expect(await tab.textContent('.alert-error')).toContain('not correct');
    expect(await tab.getAttribute('details.alt', 'open')).not.toBeNull();
    await tab.fill('details input[name=password]', 'profile password 1');
    await tab.click('details button');
    await tab.click('[data-testid=continue]');
    await tab.waitForURL(/notice=profile/);
    expect(await tab.inputValue('[data-testid=profile-form] input[name=phone]')).toBe('+4915112345678');
    await tab.screenshot({ path: path.join(shots, '22-phone-profile.png'), fullPage: true });
    // The password: the current one too, then the verification (typed again, never carried in a page).
    await tab.fill('[data-testid=password-form] input[name=currentPassword]', 'profile password 1');
    await tab.fill('[data-testid=password-form] input[name=password]', 'profile password 2');
    await tab.click('[data-testid=password-form] button');
    if ((await tab.textContent('main h1')) === "Verify it's you") {
      expect(await tab.content()).not.toContain('profile password 2');
      await tab.fill('details input[name=password]', 'profile password 1');
      await tab.click('details button');
      await tab.waitForURL(/\/account\/profile/);
      await tab.fill('[data-testid=password-form] input[name=currentPassword]', 'profile password 1');
      await tab.fill('[data-testid=password-form] input[name=password]', 'profile password 2');
      await tab.click('[data-testid=password-form] button');
    }
    await tab.waitForURL(/notice=password/);
    await tab.click('[data-testid=sign-out]');
    await tab.fill('input[name=login]', email);
    await tab.fill('input[name=password]', 'profile password 2');
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/\/overview/);
    expect(await tab.textContent('main h1')).toBe('Welcome, Priya');
  }, 60_000);

  it('a sub-user sees its own login; unbinding warns about MFA workspaces and takes one code', async () => {
    const tab = await tabAt(DESKTOP);
    const email = `unbind.${Date.now()}@example.com`;
    await signUp(tab, email, 'unbind password 1');
    const secret = await bind(tab);
    // A workspace that requires MFA (the owner proved its device when binding).
    await tab.goto(`${base}/workspaces`);
    await tab.fill('input[name=name]', 'Vault');
    await tab.click('main button:has-text("Create workspace")');
    await tab.waitForURL(/notice=created/);
    await tab.check('[data-testid=mfa-required]');
    await tab.click('main button:has-text("Save policy")');
    if ((await tab.textContent('main h1')) === "Verify it's you") {
      // The bind's step-up expired (2 s): a fresh code is needed; the one the binding burned is not.
      await nextStep();
      await tab.fill('input[name=code]', referenceTotp(secret, Date.now()));
      await tab.click('main button:has-text("Verify")');
      await tab.click('[data-testid=continue]');
    }
    await tab.waitForURL(/notice=policy/);
    // A sub-user's pages name its real login, not an email.
    await tab.goto(`${base}/users/new`);
    await tab.fill('input[name=username]', 'gwen');
    await tab.fill('input[name=email]', `gwen.${Date.now()}@example.com`);
    await tab.fill('input[name=password]', 'gwen password 1');
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/notice=created/);
    const login = (await tab.textContent('[data-testid=user-login]'))!;
    const sub = await tabAt(DESKTOP);
    await sub.goto(`${base}/login`);
    await sub.fill('input[name=login]', login);
    await sub.fill('input[name=password]', 'gwen password 1');
    await sub.click('main button[type=submit]');
    await sub.waitForURL(/\/overview/);
    await sub.goto(`${base}/account/security`);
    expect(await sub.textContent('main')).toContain(`Used with ${login}.`);
    await sub.goto(`${base}/account/profile`);
    expect(await sub.textContent('[data-testid=login-name]')).toBe(login);

    // Unbinding, with the step-up long stale: one current code does both, and the page warns.
    await nextStep();
    await tab.goto(`${base}/account/security/mfa/unbind`);
    expect(await tab.textContent('main h1')).toBe('Unbind the virtual MFA device');
    expect(await tab.textContent('[data-testid=workspace-warning]')).toContain('Vault');
    await tab.screenshot({ path: path.join(shots, '23-unbind-warning.png') });
    await tab.fill('input[name=code]', spaced(referenceTotp(secret, Date.now())));
    await tab.click('button.danger');
    await tab.waitForURL(/notice=unbound/);
  }, 120_000);

  it('a lost phone: sign in with a recovery code, unbind with another, bind the new phone', async () => {
    const tab = await tabAt(PHONE);
    const email = `lost.${Date.now()}@example.com`;
    await signUp(tab, email, 'lost password 1');
    await bind(tab);
    const codes = lastCodes;
    await tab.click('[data-testid=sign-out]');
    await tab.fill('input[name=login]', email);
    await tab.fill('input[name=password]', 'lost password 1');
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/\/login\/mfa/);
    // The phone is gone: a recovery code, typed loosely, instead of the dynamic code.
    await tab.click('[data-testid=use-recovery-code]');
    await tab.fill('input[name=recoveryCode]', codes[0]!.toLowerCase().replace('-', ' '));
    await tab.click('button:has-text("Sign in with the recovery code")');
    await tab.waitForURL(/notice=recovery-used/);
    expect(await tab.textContent('main')).toContain('You signed in with a recovery code');
    expect(await tab.textContent('[data-testid=recovery-codes-left]')).toBe('9 left');
    // Unbind the lost device with another code (the step-up is long stale: the code does both).
    await tab.goto(`${base}/account/security/mfa/unbind`);
    await tab.click('text=Lost the phone? Unbind with a recovery code');
    await tab.fill('input[name=recoveryCode]', codes[1]!);
    await tab.click('button:has-text("Unbind with the recovery code")');
    await tab.waitForURL(/notice=unbound/);
    expect(await tab.textContent('[data-testid=mfa-status]')).toBe('Not bound');
    // The new phone, with a new set of codes; the old ones are gone with the old device.
    await bind(tab);
    expect(lastCodes).not.toContain(codes[2]);
    expect(await tab.textContent('[data-testid=recovery-codes-left]')).toBe('10 left');
    await tab.screenshot({ path: path.join(shots, '25-phone-security-recovery-codes.png'), fullPage: true });
  }, 60_000);

  it('forgot password: a link by e-mail, a new password, and the login still asks for the dynamic code', async () => {
    const tab = await tabAt(PHONE);
    const email = `forgot.${Date.now()}@example.com`;
    await signUp(tab, email, 'forgot password 1');
    await bind(tab);
    await tab.click('[data-testid=sign-out]');
    await tab.click('[data-testid=forgot-password]');
    await tab.fill('input[name=login]', email);
    await tab.click('main button[type=submit]');
    expect(await tab.textContent('[data-testid=reset-sent]')).toContain('a link is on its way');
    let link: string | undefined;
    for (let i = 0; i < 40 && !link; i++) {
      const outbox = await (
        await tab.context().request.get(`${base}/api/v1/dev/outbox?to=${encodeURIComponent(email)}`)
      ).text();
      link = /(http:\/\/[^\s"\\]+password-reset\/new\?token=[A-Za-z0-9_%-]+)/.exec(outbox)?.[1];
      if (!link) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The token leaves the address at once (a cookie on the page's path), so no Referer carries it.
    await tab.goto(link!.replace('http://twofold.test', base));
    expect(tab.url()).toBe(`${base}/password-reset/new`);
    expect(await tab.content()).not.toContain(new URL(link!).searchParams.get('token')!);
    await tab.fill('input[name=password]', 'forgot password 2');
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/notice=password-reset/);
    await tab.fill('input[name=login]', email);
    await tab.fill('input[name=password]', 'forgot password 2');
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/\/login\/mfa/);
    expect(await tab.textContent('[data-testid=signing-in-as]')).toContain(email);
  }, 60_000);

  it('lists where one is signed in and signs another browser out', async () => {
    const tab = await tabAt(DESKTOP);
    const email = `sessions.${Date.now()}@example.com`;
    await signUp(tab, email, 'sessions password 1');
    const phone = await tabAt(PHONE);
    await phone.goto(`${base}/login`);
    await phone.fill('input[name=login]', email);
    await phone.fill('input[name=password]', 'sessions password 1');
    await phone.click('main button[type=submit]');
    await phone.waitForURL(/\/overview/);
    await tab.goto(`${base}/account/sessions`);
    const rows = await tab.locator('[data-testid=sessions] tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    expect(rows.filter((r) => r.includes('This session'))).toHaveLength(1);
    expect(rows.join('\n')).toContain('Chrome on Linux');
    await tab.screenshot({ path: path.join(shots, '26-sessions.png') });
    await tab.click('[data-testid=sessions] button:has-text("Sign out")');
    await tab.waitForURL(/notice=session-ended/);
    await phone.goto(`${base}/overview`);
    await phone.waitForURL(/\/login/);
  }, 30_000);

  it('API tokens: created after a verification, the secret shown once, listed; on a desktop and a 390 px phone', async () => {
    /** Fills the create form; the 2-second step-up has gone stale, so the password verifies it first. */
    async function createToken(tab: Page, password: string, name: string, scopes: string[], days: string) {
      await tab.goto(`${base}/api-tokens`);
      await tab.fill('input[name=name]', name);
      for (const scope of scopes) await tab.check(`[data-testid="scope-${scope}"]`);
      await tab.selectOption('[data-testid=api-token-expiry]', days);
      await tab.click('[data-testid=create-api-token]');
      if ((await tab.textContent('main h1')) === "Verify it's you") {
        await tab.click('text=Use your password instead');
        await tab.fill('details input[name=password]', password);
        await tab.click('details button');
        await tab.click('[data-testid=continue]');
      }
      await tab.waitForSelector('[data-testid=api-token-created]');
      return (await tab.textContent('[data-testid=api-token-secret]'))!.trim();
    }

    const tab = await tabAt(DESKTOP);
    await signUp(tab, `tokens.${Date.now()}@example.com`, 'tokens password 1');
    const secret = await createToken(tab, 'tokens password 1', 'HR sync', ['users:read', 'users:write'], '90');
    expect(secret).toMatch(/^tfk_/);
    expect(await tab.textContent('[data-testid=secret-once]')).toContain('it is not shown again');
    await tab.screenshot({ path: path.join(shots, '49-api-token-created.png'), fullPage: true });
    const used = await fetch(`${base}/api/v1/users`, { headers: { authorization: `Bearer ${secret}` } });
    expect(used.status).toBe(200);
    await createToken(tab, 'tokens password 1', 'Weekly audit report', ['audit:read'], '7');
    await tab.click('[data-testid=secret-copied]');
    await tab.waitForSelector('[data-testid=api-tokens]');
    expect(await tab.content()).not.toContain(secret);
    expect(await tab.locator('[data-testid=api-token]').count()).toBe(2);
    await tab.screenshot({ path: path.join(shots, '48-api-tokens.png'), fullPage: true });

    const phone = await tabAt(PHONE);
    await signUp(phone, `tokens.phone.${Date.now()}@example.com`, 'tokens password 2');
    await createToken(phone, 'tokens password 2', 'HR sync', ['users:read'], '30');
    expect(await fitsWidth(phone)).toEqual({ fits: true, width: expect.any(Number) });
    await phone.screenshot({ path: path.join(shots, '51-phone-api-token-created.png'), fullPage: true });
    await phone.click('[data-testid=secret-copied]');
    await phone.waitForSelector('[data-testid=api-tokens]');
    expect(await fitsWidth(phone)).toEqual({ fits: true, width: expect.any(Number) });
    expect(await phone.isVisible('[data-testid=sign-out]')).toBe(true);
    await phone.screenshot({ path: path.join(shots, '50-phone-api-tokens.png'), fullPage: true });
  }, 60_000);

  it('console paths answer HTML, also when nothing is there; the API keeps JSON', async () => {
    const tab = await tabAt(PHONE);
    const missing = await tab.goto(`${base}/no-such-page`);
    expect(missing!.status()).toBe(404);
    expect(missing!.headers()['content-type']).toContain('text/html');
    expect(await tab.textContent('main h1')).toBe('Not found');
    expect(await fitsWidth(tab)).toEqual({ fits: true, width: expect.any(Number) });
    // A failed login, reloaded, is a page again (never raw JSON).
    await tab.goto(`${base}/login`);
    await tab.fill('input[name=login]', 'nobody@example.com');
    await tab.fill('input[name=password]', 'wrong password');
    await tab.click('main button[type=submit]');
    expect(await tab.textContent('.alert-error')).toContain('not correct');
    const reloaded = await tab.reload();
    expect(reloaded!.headers()['content-type']).toContain('text/html');
    const api = await fetch(`${base}/api/v1/no-such-thing`);
    expect(api.headers.get('content-type')).toContain('application/json');
  }, 30_000);
});
