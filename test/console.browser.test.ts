import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createHarness, type Harness } from './helpers/harness.js';
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';

const CHROMIUM = '/usr/bin/chromium';
const required = process.env.TWOFOLD_REQUIRE_BROWSER === '1';
const available = existsSync(CHROMIUM);
if (!available && !required) {
  console.warn(
    `\n*** SKIPPING the console browser test: ${CHROMIUM} is missing. Install it (apt-get install chromium) or set TWOFOLD_REQUIRE_BROWSER=1 to make this a failure. ***\n`,
  );
}

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

/** Waits until the next 30-second step has begun, as a person waits for the app's next code. */
async function nextStep() {
  const wait = 30_000 - (Date.now() % 30_000) + 300;
  await new Promise((resolve) => setTimeout(resolve, wait));
}

describe.skipIf(!available && !required)('console in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    if (!available) throw new Error(`TWOFOLD_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing`);
    const { chromium } = await import('playwright-core');
    h = await createHarness('sqlite', { realClock: true, startDelivery: true });
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
    page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    mkdirSync(shots, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('walks sign-up → bind by key → sign out → sign in with a code → unbind', async () => {
    const email = `browser.${Date.now()}@example.com`;
    const password = 'a long browser password';

    await page.goto(`${base}/signup`);
    await page.screenshot({ path: path.join(shots, '01-signup.png') });
    await page.fill('input[name=email]', email);
    await page.fill('input[name=displayName]', 'Grace');
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/overview/);
    expect(await page.textContent('[data-testid=mfa-status]')).toBe('Not bound');
    await page.screenshot({ path: path.join(shots, '02-overview-not-bound.png') });

    // Account Management > Security Settings > Virtual MFA: Bind
    await page.goto(`${base}/account/security`);
    await page.click('form[action="/account/security/mfa/bind"] button');
    await page.waitForSelector('[data-testid=qr] svg');
    const key = (await page.textContent('[data-testid=secret-key]'))!;
    expect(key).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    await page.screenshot({ path: path.join(shots, '03-bind.png') });
    const secret = referenceBase32Decode(key.replace(/ /g, ''));
    // Two consecutive codes: the previous one and the current one, as an app shows them 30 s apart.
    await page.fill('input[name=code1]', referenceTotp(secret, Date.now(), -1));
    await page.fill('input[name=code2]', referenceTotp(secret, Date.now()));
    await page.click('form[action="/account/security/mfa/bind/activate"] button[type=submit]');
    // The shot waits for the next page: taken mid-navigation, Chromium can refuse it.
    await page.waitForSelector('[data-testid=recovery-codes-page]');
    await page.screenshot({ path: path.join(shots, '24-recovery-codes.png') });
    await keepRecoveryCodes(page);
    await page.waitForURL(/\/account\/security\?notice=bound/);
    expect(await page.textContent('[data-testid=mfa-status]')).toBe('Bound');
    await page.screenshot({ path: path.join(shots, '04-security-bound.png') });

    await page.click('text=Sign out');
    await page.waitForURL(/\/login/);

    await page.fill('input[name=login]', email);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/login\/mfa/);
    // A wrong code first: the page says so and explains the phone-clock fix (docs/design.md F12).
    await page.fill('input[name=code]', referenceTotp(secret, Date.now(), 3) === '000000' ? '111111' : '000000');
    await page.click('button[type=submit]');
    await expect(page.textContent('.alert-error')).resolves.toMatch(/not valid/);
    expect(await page.textContent('.hint')).toMatch(/clock/);
    await page.screenshot({ path: path.join(shots, '05-login-code-wrong.png') });
    await nextStep(); // the activation used the current step; the app shows a new code
    await page.fill('input[name=code]', referenceTotp(secret, Date.now()));
    await page.click('button[type=submit]');
    await page.waitForURL(/\/overview/);
    expect(await page.textContent('[data-testid=mfa-status]')).toBe('Bound');

    await page.goto(`${base}/account/security`);
    await page.click('a[href="/account/security/mfa/unbind"]');
    await page.waitForURL(/\/mfa\/unbind/);
    await page.screenshot({ path: path.join(shots, '06-unbind.png') });
    await nextStep();
    await page.fill('input[name=code]', referenceTotp(secret, Date.now()));
    await page.click('button.danger');
    await page.waitForURL(/notice=unbound/);
    expect(await page.textContent('[data-testid=mfa-status]')).toBe('Not bound');

    await page.goto(`${base}/audit`);
    await page.screenshot({ path: path.join(shots, '07-audit.png') });
    const audit = await page.textContent('table');
    for (const label of [
      'MFA device removed',
      'Logged in',
      'Wrong dynamic code',
      'MFA device added',
      'Account created',
    ])
      expect(audit).toContain(label);
  }, 150_000);

  it('primary creates a sub-user and binds its device; the sub-user logs in as username@alias; after a reset it must bind again', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    const tab = await context.newPage();
    const email = `primary.${Date.now()}@example.com`;
    const password = 'primary account password';
    await tab.goto(`${base}/signup`);
    await tab.fill('input[name=email]', email);
    await tab.fill('input[name=password]', password);
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/\/overview/);

    // User Management > Create user
    await tab.click('nav >> text=User Management');
    await tab.click('text=Create user');
    await tab.fill('input[name=username]', 'carol');
    await tab.fill('input[name=displayName]', 'Carol');
    await tab.fill('input[name=email]', `carol.${Date.now()}@example.com`);
    await tab.fill('input[name=password]', 'carol initial password');
    await tab.check('input[name=mfaRequired]');
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/\/users\/[^/]+\?notice=created/);
    const userUrl = tab.url().split('?')[0]!;
    const login = (await tab.textContent('main code'))!;
    expect(login).toMatch(/^carol@[a-z2-9]{10}$/);

    // User Details > Security Credential > Bind for this user
    await tab.click('text=Bind virtual MFA for this user');
    await tab.waitForSelector('[data-testid=qr] svg');
    const secret = referenceBase32Decode((await tab.textContent('[data-testid=secret-key]'))!.replace(/ /g, ''));
    await tab.fill('input[name=code1]', referenceTotp(secret, Date.now(), -1));
    await tab.fill('input[name=code2]', referenceTotp(secret, Date.now()));
    await tab.click('main button:has-text("Confirm")');
    await tab.waitForURL(/notice=bound-for-user/);
    expect(await tab.textContent('[data-testid=user-mfa-status]')).toBe('Bound');
    await tab.screenshot({ path: path.join(shots, '09-user-details-bound.png') });
    await tab.goto(`${base}/users`);
    await tab.screenshot({ path: path.join(shots, '08-user-management.png') });
    await tab.click('text=Sign out');

    // The sub-user logs in on the same page with username@alias and a code from its device.
    await nextStep();
    await tab.fill('input[name=login]', login);
    await tab.fill('input[name=password]', 'carol initial password');
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/\/login\/mfa/);
    await tab.fill('input[name=code]', referenceTotp(secret, Date.now()));
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/\/overview/);
    expect(await tab.textContent('[data-testid=mfa-status]')).toBe('Bound');
    expect(await tab.textContent('nav')).not.toContain('User Management');
    await tab.click('text=Sign out');

    // The primary resets the device (lost phone).
    await tab.fill('input[name=login]', email);
    await tab.fill('input[name=password]', password);
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/\/overview/);
    await tab.goto(userUrl);
    // A reset asks first, stating the consequence, and needs a reason.
    await tab.click('button:has-text("Reset virtual MFA")');
    expect(await tab.textContent('[data-testid=confirm]')).toContain('sessions end at once');
    await tab.fill('input[name=reason]', 'Phone lost');
    await tab.click('[data-testid=confirm] button:has-text("Reset virtual MFA")');
    await tab.waitForURL(/notice=reset/);
    expect(await tab.textContent('[data-testid=user-mfa-status]')).toBe('Not bound');
    await tab.goto(`${base}/users?mfa=unbound`);
    expect(await tab.textContent('[data-testid=users]')).toContain('carol');
    await tab.click('text=Sign out');

    // Next login: MFA is required and no device is bound, so binding comes first and nothing else opens.
    await tab.fill('input[name=login]', login);
    await tab.fill('input[name=password]', 'carol initial password');
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/\/account\/security\/mfa\/bind/);
    await tab.goto(`${base}/overview`);
    await tab.waitForURL(/\/account\/security\/mfa\/bind/);
    // The password was proved a moment ago: no second verification (issue 20), and the page says
    // who requires the device.
    expect(await tab.textContent('main h1')).toBe('Bind a virtual MFA device');
    expect(await tab.textContent('main .alert')).toContain('Your administrator requires virtual MFA');
    await tab.click('button:has-text("Show the QR code")');
    await tab.waitForSelector('[data-testid=qr] svg');
    await tab.screenshot({ path: path.join(shots, '10-sub-user-must-bind.png') });
    const fresh = referenceBase32Decode((await tab.textContent('[data-testid=secret-key]'))!.replace(/ /g, ''));
    await tab.fill('input[name=code1]', referenceTotp(fresh, Date.now(), -1));
    await tab.fill('input[name=code2]', referenceTotp(fresh, Date.now()));
    await tab.click('main button:has-text("Confirm")');
    await keepRecoveryCodes(tab);
    await tab.waitForURL(/\/overview\?notice=bound/);
    expect(await tab.textContent('[data-testid=mfa-status]')).toBe('Bound');

    // Dev mode: the notifications are in the outbox (device bound, reset by an administrator, bound).
    await tab.goto(`${base}/dev/outbox`);
    const outbox = await tab.textContent('main');
    expect(outbox).toContain('Your virtual MFA device was reset by an administrator');
    expect(outbox).toContain('Reason given: Phone lost');
    await tab.screenshot({ path: path.join(shots, '11-outbox.png'), fullPage: false });
    await context.close();
  }, 150_000);

  it('binding starts with a verification by an email code when the last one is stale (docs/design.md F1)', async () => {
    // A harness whose step-up lasts 1 second, so the sign-up's own verification is stale at once.
    const quick = await createHarness('sqlite', {
      realClock: true,
      startDelivery: true,
      config: { stepUpMaxAgeSeconds: 1 },
    });
    await quick.app.listen({ host: '127.0.0.1', port: 0 });
    const quickBase = `http://127.0.0.1:${(quick.app.server.address() as { port: number }).port}`;
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    const tab = await context.newPage();
    try {
      const email = `verify.${Date.now()}@example.com`;
      await tab.goto(`${quickBase}/signup`);
      await tab.fill('input[name=email]', email);
      await tab.fill('input[name=password]', 'verify me by email');
      await tab.click('main button[type=submit]');
      await tab.waitForURL(/\/overview/);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await tab.goto(`${quickBase}/account/security/mfa/bind`);
      expect(await tab.textContent('main h1')).toBe("Verify it's you");
      await tab.click('[data-testid=send-email]');
      expect(await tab.textContent('main')).toContain('We sent a 6-digit code to v***@example.com');
      await tab.screenshot({ path: path.join(shots, '12-verify-by-email.png') });
      // Read the code as the user would read the mail: here, from the dev outbox.
      const outbox = await context.newPage();
      await outbox.goto(`${quickBase}/dev/outbox`);
      const code = /code is (\d{6})/.exec((await outbox.textContent('main'))!)![1]!;
      await outbox.close();
      await tab.fill('input[name=code]', code);
      await tab.click('main button:has-text("Verify")');
      await tab.waitForURL(/\/account\/security\/mfa\/bind/);
      await tab.click('main button:has-text("Show the QR code")');
      await tab.waitForSelector('[data-testid=qr] svg');

      // Account protection: choose the password for sensitive operations. The change is itself
      // sensitive: after the verification, one click continues it.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await tab.goto(`${quickBase}/account/security`);
      await tab.selectOption('[data-testid=protection-method]', 'password');
      await tab.click('form[action="/account/security/protection"] button');
      expect(await tab.textContent('main h1')).toBe("Verify it's you");
      await tab.click('text=Use your password instead');
      await tab.fill('details input[name=password]', 'verify me by email');
      await tab.click('details button');
      await tab.click('[data-testid=continue]');
      await tab.waitForURL(/notice=protection/);
      expect(await tab.inputValue('[data-testid=protection-method]')).toBe('password');
      await tab.screenshot({ path: path.join(shots, '15-account-protection.png') });
    } finally {
      await context.close();
      await quick.close();
    }
  }, 60_000);

  it('an owner turns on mandatory MFA; an unbound member is taken through binding (the workspace named) and reaches the workspace', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    const tab = await context.newPage();
    try {
      const owner = `owner.${Date.now()}@example.com`;
      await tab.goto(`${base}/signup`);
      await tab.fill('input[name=email]', owner);
      await tab.fill('input[name=password]', 'owner password 1');
      await tab.click('main button[type=submit]');
      await tab.waitForURL(/\/overview/);
      // Whoever requires MFA must use it: the owner binds its own device first.
      await tab.click('main button:has-text("Bind")');
      const ownerSecret = referenceBase32Decode((await tab.textContent('[data-testid=secret-key]'))!.replace(/ /g, ''));
      await tab.fill('input[name=code1]', referenceTotp(ownerSecret, Date.now(), -1));
      await tab.fill('input[name=code2]', referenceTotp(ownerSecret, Date.now()));
      await tab.click('main button:has-text("Confirm")');
      await keepRecoveryCodes(tab);
      await tab.waitForURL(/notice=bound/);
      // A member (a sub-user of this account, with an email for the verification).
      await tab.goto(`${base}/users/new`);
      await tab.fill('input[name=username]', 'dave');
      await tab.fill('input[name=email]', `dave.${Date.now()}@example.com`);
      await tab.fill('input[name=password]', 'dave password 1');
      await tab.click('main button[type=submit]');
      await tab.waitForURL(/notice=created/);
      const login = (await tab.textContent('main code'))!;
      // The owner creates a workspace, adds Dave, and turns on mandatory MFA with no grace period.
      await tab.goto(`${base}/workspaces`);
      await tab.fill('input[name=name]', 'Finance');
      await tab.click('main button:has-text("Create workspace")');
      await tab.waitForURL(/\/workspaces\/[^/]+\?notice=created/);
      const workspaceUrl = tab.url().split('?')[0]!;
      await tab.selectOption('select[name=userId]', { label: `dave (dave)` });
      await tab.click('main button:has-text("Add member")');
      await tab.waitForURL(/notice=member/);
      await tab.check('[data-testid=mfa-required]');
      await tab.fill('input[name=graceDays]', '0');
      await tab.click('main button:has-text("Save policy")');
      // Turning it on locks Dave out until he binds: the console says so and asks first.
      expect(await tab.textContent('[data-testid=confirm]')).toContain('1 member has no virtual MFA device');
      await tab.click('[data-testid=confirm] button:has-text("Require MFA")');
      await tab.waitForURL(/notice=policy/);
      expect(await tab.textContent('[data-testid=compliance]')).toContain('Not bound');
      await tab.screenshot({ path: path.join(shots, '13-workspace-policy.png') });
      await tab.click('text=Sign out');

      // Dave logs in: binding comes first, naming the workspace that requires it.
      await tab.fill('input[name=login]', login);
      await tab.fill('input[name=password]', 'dave password 1');
      await tab.click('main button[type=submit]');
      await tab.waitForURL(/\/account\/security\/mfa\/bind/);
      await tab.goto(workspaceUrl);
      await tab.waitForURL(/\/account\/security\/mfa\/bind/);
      expect(await tab.textContent('main .alert')).toMatch(/The workspace .* requires every member/);
      await tab.click('main button:has-text("Show the QR code")');
      const secret = referenceBase32Decode((await tab.textContent('[data-testid=secret-key]'))!.replace(/ /g, ''));
      await tab.fill('input[name=code1]', referenceTotp(secret, Date.now(), -1));
      await tab.fill('input[name=code2]', referenceTotp(secret, Date.now()));
      await tab.click('main button:has-text("Confirm")');
      await keepRecoveryCodes(tab);
      await tab.waitForURL(/\/overview\?notice=bound/);
      // The session that bound the device proved it: the workspace opens.
      await tab.goto(workspaceUrl);
      expect(await tab.textContent('main')).toContain('Welcome to Finance');
      await tab.screenshot({ path: path.join(shots, '14-workspace-reached.png') });
    } finally {
      await context.close();
    }
  }, 90_000);

  it('refuses a console form without its CSRF token, and one posted from another origin', async () => {
    const noToken = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
      body: 'login=a%40b.co&password=x',
      redirect: 'manual',
    });
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toMatch(/out of date/);
    const foreign = await fetch(`${base}/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
        cookie: 'twofold_csrf=' + 'a'.repeat(43),
      },
      body: `_csrf=${'a'.repeat(43)}&login=a%40b.co&password=x`,
      redirect: 'manual',
    });
    expect(foreign.status).toBe(403);
  });
});
