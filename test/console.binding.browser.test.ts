import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Harness } from './helpers/harness.js';
import { WIDTHS, browserAvailable, browserRequired, openConsole, type ConsoleUnderTest } from './helpers/browser.js';
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';

/**
 * Issue 20's binding details in Chromium at 1280 and 390 px: on a phone the key opens in the app
 * and copies; a second "Show the QR code" says the key is new; reloading after a successful binding
 * says "Bound"; another browser signed out by the binding is told why.
 */
const PASSWORD = 'a binding password';

describe.skipIf(!browserAvailable && !browserRequired)('binding a device in the console', () => {
  let ui: ConsoleUnderTest;
  let h: Harness;
  let base: string;

  beforeAll(async () => {
    ui = await openConsole();
    ({ h, base } = ui);
  }, 60_000);

  afterAll(async () => ui?.close());

  async function signedIn(email: string, viewport: { width: number; height: number }) {
    const { tab, context } = await ui.tab(viewport);
    await tab.goto(`${base}/login`);
    await tab.fill('input[name=login]', email);
    await tab.fill('input[name=password]', PASSWORD);
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/\/overview/);
    return { tab, context };
  }

  for (const [label, viewport] of WIDTHS) {
    it(`new key, open in app, copy, reload after binding, and the other browser told why (${label})`, async () => {
      const email = `bind.${Date.now()}.${viewport.width}@example.com`;
      await call(h.app, 'POST', '/api/v1/accounts', { body: { email, password: PASSWORD } });
      const { tab, context } = await signedIn(email, viewport);
      const other = await signedIn(email, viewport);
      await tab.goto(`${base}/account/security`);
      await tab.click('form[action="/account/security/mfa/bind"] button');
      await tab.waitForSelector('[data-testid=qr] svg');
      const firstKey = await tab.textContent('[data-testid=secret-key]');
      // "Show the QR code" again: a new key, and the page says the first one is gone.
      await tab.goto(`${base}/account/security/mfa/bind`);
      await tab.click('form[action="/account/security/mfa/bind"] button');
      await tab.waitForSelector('[data-testid=qr] svg');
      expect(await tab.textContent('main .alert')).toContain('This is a new key');
      expect(await tab.textContent('[data-testid=secret-key]')).not.toBe(firstKey);
      // On a phone the key opens in the authenticator app; the Copy button copies it (script).
      const open = tab.locator('[data-testid=open-in-app]');
      expect(await open.getAttribute('href')).toMatch(/^otpauth:\/\/totp\//);
      expect(await open.isVisible()).toBe(viewport.width <= 640);
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
      await tab.click('[data-testid=copy-key]');
      const key = (await tab.textContent('[data-testid=secret-key]'))!.replace(/\s+/g, '');
      expect(await tab.evaluate(() => navigator.clipboard.readText())).toBe(key);
      // Bind, then reload the answer (it posts the form again): "Bound", not "binding not found".
      const secret = referenceBase32Decode(key);
      await tab.fill('input[name=code1]', referenceTotp(secret, Date.now(), -1));
      await tab.fill('input[name=code2]', referenceTotp(secret, Date.now()));
      await tab.click('main button:has-text("Confirm")');
      await tab.waitForSelector('[data-testid=recovery-codes-page]');
      tab.once('dialog', (dialog) => void dialog.accept());
      await tab.reload();
      await tab.waitForURL(/notice=bound/);
      expect(await tab.textContent('main')).not.toContain('not found');
      // The other browser's session ended with the binding: /login says why.
      await other.tab.goto(`${base}/account/security`);
      await other.tab.waitForURL(/\/login\?notice=ended-mfa_changed/);
      expect(await other.tab.textContent('main')).toContain('Your MFA devices changed, so you were signed out');
      if (viewport.width === 390)
        expect(await tab.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    }, 60_000);
  }
});
