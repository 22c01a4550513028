import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PASSWORD, bindDevice, call, createSubUser, primaryAccount, type Harness } from './helpers/harness.js';
import {
  browserAvailable,
  browserRequired,
  openConsole,
  virtualAuthenticator,
  type ConsoleUnderTest,
} from './helpers/browser.js';
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';

/**
 * Issue 22 in Chromium, with the DevTools virtual authenticator as the person's passkey, on
 * http://localhost (a secure context and a valid RP ID): add a passkey → sign out → passwordless
 * sign-in → sign out → password + a refused passkey, then the passkey again on the same pending
 * login → add a second authenticator app → remove the first device (a step-up with the passkey,
 * then a confirmation) → the owner requires phishing-resistant MFA (after verifying with a passkey)
 * → a member who signed in with a code only is refused with the reason, and at the next login is
 * taken through adding a passkey → the owner removes one of the member's devices with a reason.
 * Then the new pages at 390 px: nothing overflows.
 */
const shots = path.resolve(import.meta.dirname, '../docs/screenshots');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

describe.skipIf(!browserAvailable && !browserRequired)('passkeys and several MFA devices in the console', () => {
  let ui: ConsoleUnderTest;
  let h: Harness;
  let base: string;

  beforeAll(async () => {
    ui = await openConsole({ localhost: true });
    ({ h, base } = ui);
    mkdirSync(shots, { recursive: true });
  }, 60_000);

  afterAll(async () => ui?.close());

  async function signIn(tab: Page, login: string) {
    await tab.goto(`${base}/login`);
    await tab.fill('input[name=login]', login);
    await tab.fill('input[name=password]', PASSWORD);
    await tab.click('form[action="/login"] button[type=submit]');
  }

  async function signOut(tab: Page) {
    await tab.click('[data-testid=sign-out]:visible');
    await tab.waitForURL(/notice=signed-out/);
  }

  /** The session's step-up is over (as after five minutes): the next sensitive operation asks again. */
  async function staleStepUp(userId: string) {
    await h.database.db.updateTable('sessions').set({ step_up_until: 0 }).where('user_id', '=', userId).execute();
  }

  /**
   * The virtual authenticator answers a conditional (autofill) request at once, so the login page
   * would sign in as it loads: the tests turn the browser's autofill support off, except where they
   * test it.
   */
  async function withoutAutofill(tab: Page) {
    await tab.addInitScript(() => {
      if (localStorage.getItem('autofill') !== 'on' && window.PublicKeyCredential)
        PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });
  }
  async function autofill(tab: Page, on: boolean) {
    await tab.evaluate((value) => localStorage.setItem('autofill', value), on ? 'on' : 'off');
  }

  async function fitsPhone(tab: Page) {
    const width = await tab.evaluate(() => document.documentElement.scrollWidth);
    expect(width, tab.url()).toBeLessThanOrEqual(PHONE.width);
  }

  /** The page as it is fits a 390 px phone (the tab goes back to its own width after). */
  async function fitsPhoneToo(tab: Page) {
    const own = tab.viewportSize()!;
    await tab.setViewportSize(PHONE);
    await fitsPhone(tab);
    await tab.setViewportSize(own);
  }

  async function keepRecoveryCodes(tab: Page) {
    await tab.waitForSelector('[data-testid=recovery-codes-page]');
    const codes = (await tab.locator('[data-testid=recovery-codes] code').allTextContents()).map((c) => c.trim());
    await tab.check('[data-testid=codes-saved]');
    await tab.click('[data-testid=codes-continue]');
    return codes;
  }

  /** Binds an authenticator app on the binding page shown (two consecutive codes); returns its secret. */
  async function confirmApp(tab: Page) {
    await tab.waitForSelector('[data-testid=qr] svg');
    const secret = referenceBase32Decode((await tab.textContent('[data-testid=secret-key]'))!.replace(/\s+/g, ''));
    await tab.fill('input[name=code1]', referenceTotp(secret, Date.now(), -1));
    await tab.fill('input[name=code2]', referenceTotp(secret, Date.now()));
    await tab.click('main button:has-text("Confirm")');
    return secret;
  }

  async function addPasskey(tab: Page, name: string) {
    await tab.goto(`${base}/account/security/devices`);
    if (name) await tab.fill('form[action="/account/security/devices/passkey"] input[name=name]', name);
    await tab.click('[data-testid=add-passkey]');
    await tab.click('[data-testid=create-passkey]');
  }

  it('a passkey from adding it to a phishing-resistant workspace (1280 px)', async () => {
    const owner = await primaryAccount(h);
    // A member of the owner's account with an authenticator app only (bound through the API).
    const member = await createSubUser(h, owner.token, owner.alias, { username: 'mia' });
    const memberLogin = await call(h.app, 'POST', '/api/v1/sessions', {
      body: { login: member.login, password: PASSWORD },
    });
    const memberDevice = await bindDevice(h, memberLogin.body.session.token);
    const memberBoundAt = Date.now();

    const { tab } = await ui.tab(DESKTOP);
    const authenticator = await virtualAuthenticator(tab);
    await withoutAutofill(tab);
    await signIn(tab, owner.email);
    await tab.waitForURL(/\/overview/);

    // The first device, as before: an authenticator app on the binding page, with recovery codes.
    await tab.goto(`${base}/account/security`);
    await tab.click('form[action="/account/security/mfa/bind"] button');
    await confirmApp(tab);
    await keepRecoveryCodes(tab);
    await tab.waitForURL(/notice=bound/);

    // Security Settings › MFA devices › Add passkey: a name, then the browser's ceremony.
    await tab.click('[data-testid=devices-link]');
    await tab.waitForURL(/\/account\/security\/devices$/);
    await addPasskey(tab, 'Laptop passkey');
    await tab.waitForURL(/notice=passkey-added/);
    expect(await authenticator.credentials()).toHaveLength(1);
    const names = await tab.locator('[data-testid=device-name]').allTextContents();
    expect(names).toEqual(['Authenticator app', 'Laptop passkey']);
    expect(await tab.locator('[data-device="Laptop passkey"] [data-testid=device-type]').textContent()).toBe('Passkey');
    await tab.screenshot({ path: path.join(shots, '34-devices.png'), fullPage: true });

    // Passwordless: "Sign in with a passkey" on the login page.
    await signOut(tab);
    await tab.waitForSelector('[data-testid=passkey-sign-in]');
    expect(await tab.getAttribute('input[name=login]', 'autocomplete')).toBe('username webauthn');
    await tab.screenshot({ path: path.join(shots, '35-passkey-login.png') });
    await tab.click('[data-testid=passkey-sign-in]');
    await tab.waitForURL(/\/overview/);

    // Conditional UI: the passkey is offered in the login field's autofill as the page loads (the
    // virtual authenticator picks it at once, as a person choosing it would).
    await signOut(tab);
    await autofill(tab, true);
    await tab.goto(`${base}/login`);
    await tab.waitForURL(/\/overview/);
    await autofill(tab, false);

    // Password, then "Use your passkey" next to the code field.
    await signOut(tab);
    await signIn(tab, owner.email);
    await tab.waitForURL(/\/login\/mfa/);
    await tab.waitForSelector('[data-testid=use-passkey]');
    expect(await tab.isVisible('input[name=code]')).toBe(true);
    await tab.screenshot({ path: path.join(shots, '36-passkey-second-step.png') });
    // A refused passkey: the authenticator is replaced by one holding the passkey's id with another
    // private key, whose signature the server refuses (one try spent).
    const [passkey] = await authenticator.credentials();
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await authenticator.replace([
      { ...passkey!, privateKey: otherKey.export({ type: 'pkcs8', format: 'der' }).toString('base64') },
    ]);
    await tab.click('[data-testid=use-passkey]');
    await tab.waitForSelector('[data-testid=tries-left]');
    expect(await tab.textContent('main')).toContain('could not be verified');
    expect(await tab.textContent('[data-testid=tries-left]')).toContain('4 tries left');
    // The right passkey again: a second try on the same pending login asks for fresh options and signs in.
    await authenticator.replace([passkey!]);
    await tab.click('[data-testid=use-passkey]');
    await tab.waitForURL(/\/overview/);

    // A second authenticator app: the binding page again, no new recovery codes (the person has them).
    await tab.goto(`${base}/account/security/devices`);
    await tab.fill('form[action="/account/security/devices/app"] input[name=name]', 'Pixel 8');
    await tab.click('[data-testid=add-app]');
    expect(await tab.textContent('main h1')).toBe('Add an authenticator app');
    await confirmApp(tab);
    await tab.waitForURL(/notice=app-added/);
    expect(await tab.locator('[data-testid=device-name]').allTextContents()).toEqual([
      'Authenticator app',
      'Laptop passkey',
      'Pixel 8',
    ]);
    // The singular "Unbind" does not dead-end with several devices: the devices page says why.
    await tab.goto(`${base}/account/security/mfa/unbind`);
    await tab.waitForURL(/notice=several-devices/);

    // Rename, then remove the first device: a step-up (the passkey is offered), then "are you sure?".
    await tab.click('[data-device="Authenticator app"] [data-testid=rename-device]');
    await tab.fill('[data-device="Authenticator app"] input[name=name]', 'Old phone');
    await tab.click('[data-device="Authenticator app"] button:has-text("Save the name")');
    await tab.waitForURL(/notice=renamed/);
    await staleStepUp(owner.userId);
    await tab.click('[data-device="Old phone"] [data-testid=remove-device]');
    await tab.waitForSelector('[data-testid=step-up-passkey]');
    expect(await tab.textContent('main')).toContain('Removing an MFA device is a sensitive operation');
    expect(await tab.isVisible('input[name=code]')).toBe(true);
    await tab.screenshot({ path: path.join(shots, '37-step-up-passkey.png') });
    await tab.click('[data-testid=step-up-passkey]');
    await tab.click('[data-testid=continue]');
    await tab.waitForSelector('[data-testid=confirm]');
    expect(await tab.textContent('[data-testid=confirm] h1')).toBe('Remove Old phone?');
    await tab.click('[data-testid=confirm] button.danger');
    await tab.waitForURL(/notice=removed/);
    expect(await tab.locator('[data-testid=device-name]').allTextContents()).toEqual(['Laptop passkey', 'Pixel 8']);

    // A workspace with the member; the owner requires phishing-resistant MFA, verifying with the passkey.
    await tab.goto(`${base}/workspaces`);
    await tab.fill('input[name=name]', 'Research');
    await tab.click('main button:has-text("Create workspace")');
    await tab.waitForURL(/notice=created/);
    const workspaceUrl = tab.url().split('?')[0]!;
    await tab.selectOption('select[name=userId]', member.id);
    await tab.click('main button:has-text("Add member")');
    await tab.waitForURL(/notice=member/);

    // The member signs in with a code (before the policy), in a browser of its own.
    const memberTab = (await ui.tab(DESKTOP)).tab;
    await withoutAutofill(memberTab);
    const memberAuthenticator = await virtualAuthenticator(memberTab);
    if (Math.floor(Date.now() / 30_000) === Math.floor(memberBoundAt / 30_000))
      await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 300));
    await signIn(memberTab, member.login);
    await memberTab.waitForURL(/\/login\/mfa/);
    // No passkey: no passkey button, the code as before.
    expect(await memberTab.locator('[data-testid=use-passkey]').count()).toBe(0);
    await memberTab.fill('input[name=code]', referenceTotp(memberDevice.secret, Date.now()));
    await memberTab.click('main button:has-text("Verify")');
    await memberTab.waitForURL(/\/overview/);

    await staleStepUp(owner.userId);
    await tab.check('[data-testid=phishing-resistant]');
    await tab.click('main button:has-text("Save policy")');
    // The member has no passkey: asked first, saying what happens.
    await tab.waitForSelector('[data-testid=confirm]');
    expect(await tab.textContent('[data-testid=confirm]')).toContain('1 member has no passkey');
    await tab.click('[data-testid=confirm] button.danger');
    await tab.waitForSelector('[data-testid=step-up-passkey]');
    await tab.click('[data-testid=step-up-passkey]');
    await tab.click('[data-testid=continue]');
    await tab.waitForURL(/notice=policy/);
    expect(await tab.isChecked('[data-testid=phishing-resistant]')).toBe(true);
    expect(await tab.textContent('[data-member="mia"] [data-testid=member-mfa]')).toContain('No passkey');
    expect(await tab.textContent('[data-member="mia"] [data-testid=member-device-types]')).toBe('Authenticator app');
    expect(await tab.locator('[data-testid=member-device-types]').first().textContent()).toBe(
      'Authenticator app · Passkey',
    );
    await tab.screenshot({ path: path.join(shots, '38-workspace-passkeys.png'), fullPage: true });
    await fitsPhoneToo(tab);

    // The member's session proved a code only: refused, with the reason.
    await memberTab.goto(workspaceUrl);
    await memberTab.waitForSelector('[data-testid=workspace-passkey-required]');
    expect(await memberTab.textContent('main')).toContain('requires a passkey');
    expect(await memberTab.textContent('main')).toContain('you have no passkey yet');
    await memberTab.screenshot({ path: path.join(shots, '39-workspace-passkey-required.png') });
    await fitsPhoneToo(memberTab);

    // At its next login (a recovery code this time) the member is taken through adding a passkey.
    await signOut(memberTab);
    await signIn(memberTab, member.login);
    await memberTab.waitForURL(/\/login\/mfa/);
    await memberTab.click('[data-testid=use-recovery-code]');
    await memberTab.fill('input[name=recoveryCode]', memberDevice.recoveryCodes[0]!);
    await memberTab.click('main button:has-text("Sign in with the recovery code")');
    await memberTab.waitForURL(/\/account\/security\/passkey-required/);
    expect(await memberTab.textContent('main')).toContain('The workspace Research requires phishing-resistant MFA');
    // A restricted session: any other page sends it back here.
    await memberTab.goto(`${base}/workspaces`);
    await memberTab.waitForURL(/\/account\/security\/passkey-required/);
    await memberTab.screenshot({ path: path.join(shots, '40-passkey-required.png') });
    await fitsPhoneToo(memberTab);
    await memberTab.fill('input[name=name]', 'Mia laptop');
    await memberTab.click('[data-testid=add-passkey]');
    await memberTab.click('[data-testid=create-passkey]');
    await memberTab.waitForURL(/\/overview\?notice=passkey-added/);
    expect(await memberAuthenticator.credentials()).toHaveLength(1);
    await memberTab.goto(workspaceUrl);
    expect(await memberTab.textContent('main')).toContain('Welcome to Research');

    // User Details › Security Credential: the member's devices; the owner removes one, with a reason.
    await tab.goto(`${base}/users/${member.id}`);
    const memberDevices = tab.locator('[data-testid=user-devices] .device');
    expect(await memberDevices.count()).toBe(2);
    await tab.screenshot({ path: path.join(shots, '41-user-devices.png'), fullPage: true });
    await fitsPhoneToo(tab);
    await tab.click('[data-device="Authenticator app"] [data-testid=remove-user-device]');
    await tab.waitForSelector('[data-testid=confirm]');
    expect(await tab.textContent('[data-testid=confirm] h1')).toBe('Remove Authenticator app of mia?');
    await fitsPhoneToo(tab);
    await tab.fill('input[name=reason]', 'phone replaced by the passkey');
    await tab.click('[data-testid=confirm] button.danger');
    await tab.waitForURL(/notice=device-removed/);
    expect(await tab.locator('[data-testid=user-devices] .device').count()).toBe(1);
    expect(await tab.textContent('[data-testid=user-devices]')).toContain('Mia laptop');
  }, 180_000);

  let phoneOwner: { email: string; recoveryCodes: string[] } | undefined;

  it('the new pages on a 390 px phone: nothing overflows, and a passkey registered twice is refused', async () => {
    const owner = await primaryAccount(h);
    const { tab } = await ui.tab(PHONE);
    await virtualAuthenticator(tab);
    await withoutAutofill(tab);
    await signIn(tab, owner.email);
    await tab.waitForURL(/\/overview/);
    await tab.goto(`${base}/account/security/devices`);
    await fitsPhone(tab);

    // A passkey as the first device: the recovery codes are handed out with it.
    await addPasskey(tab, '');
    await tab.waitForSelector('[data-testid=recovery-codes-page]');
    phoneOwner = { email: owner.email, recoveryCodes: await keepRecoveryCodes(tab) };
    await tab.waitForURL(/notice=passkey-added/);
    expect(await tab.locator('[data-testid=device-name]').allTextContents()).toEqual(['Passkey']);

    // The same authenticator again: the browser refuses (it holds a passkey of this account), and says so.
    await tab.click('[data-testid=add-passkey]');
    await fitsPhone(tab);
    await tab.click('[data-testid=create-passkey]');
    await tab.waitForSelector('[data-webauthn-error]:visible');
    expect(await tab.textContent('[data-webauthn-error]')).toContain('registered already');
    await fitsPhone(tab);

    // An authenticator app too; the binding page fits as before.
    await tab.goto(`${base}/account/security/devices`);
    await tab.click('[data-testid=add-app]');
    await fitsPhone(tab);
    await confirmApp(tab);
    await tab.waitForURL(/notice=app-added/);
    await tab.click('[data-device="Authenticator app"] [data-testid=rename-device]');
    await fitsPhone(tab);
    await tab.screenshot({ path: path.join(shots, '42-phone-devices.png'), fullPage: true });
    await tab.goto(`${base}/account/security`);
    expect(await tab.textContent('[data-testid=device-count]')).toBe('2 devices');
    expect(await tab.locator('a[href="/account/security/mfa/unbind"]').count()).toBe(0);
    await fitsPhone(tab);

    // Sign out: the login page and the second step, with the passkey.
    await signOut(tab);
    await tab.waitForSelector('[data-testid=passkey-sign-in]');
    await fitsPhone(tab);
    await signIn(tab, owner.email);
    await tab.waitForURL(/\/login\/mfa/);
    await tab.waitForSelector('[data-testid=use-passkey]');
    await fitsPhone(tab);
    await tab.screenshot({ path: path.join(shots, '43-phone-passkey-second-step.png') });
    await tab.click('[data-testid=use-passkey]');
    await tab.waitForURL(/\/overview/);

    // Removing a device: the step-up with the passkey, the confirmation.
    await staleStepUp(owner.userId);
    await tab.goto(`${base}/account/security/devices`);
    await tab.click('[data-device="Authenticator app"] [data-testid=remove-device]');
    await tab.waitForSelector('[data-testid=step-up-passkey]');
    await fitsPhone(tab);
    await tab.click('[data-testid=step-up-passkey]');
    await tab.click('[data-testid=continue]');
    await tab.waitForSelector('[data-testid=confirm]');
    await fitsPhone(tab);
    await tab.click('[data-testid=confirm] button.danger');
    await tab.waitForURL(/notice=removed/);
    // The last device: the confirmation says the recovery codes go with it.
    await tab.click('[data-testid=remove-device]');
    await tab.waitForSelector('[data-testid=confirm]');
    expect(await tab.textContent('[data-testid=confirm]')).toContain('your recovery codes are removed with it');
    await tab.click('[data-testid=confirm] a:has-text("Cancel")');
    await tab.waitForURL(/\/account\/security\/devices$/);
  }, 120_000);

  it('without JavaScript no passkey is offered, a note says why, and codes work as before', async () => {
    expect(phoneOwner).toBeDefined();
    const context = await ui.browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
    try {
      const tab = await context.newPage();
      await tab.goto(`${base}/login`);
      expect(await tab.isVisible('[data-testid=passkey-sign-in]')).toBe(false);
      await signIn(tab, phoneOwner!.email);
      await tab.waitForURL(/\/login\/mfa/);
      // The owner has only a passkey now: no code field, a note, and the recovery code.
      expect(await tab.isVisible('[data-testid=use-passkey]')).toBe(false);
      expect(await tab.locator('input[name=code]').count()).toBe(0);
      expect(await tab.textContent('[data-webauthn-note]')).toContain('Passkeys need JavaScript');
      await fitsPhone(tab);
      await tab.click('[data-testid=use-recovery-code]');
      await tab.fill('input[name=recoveryCode]', phoneOwner!.recoveryCodes[0]!);
      await tab.click('main button:has-text("Sign in with the recovery code")');
      await tab.waitForURL(/\/account\/security/);
      await tab.goto(`${base}/account/security/devices`);
      expect(await tab.locator('[data-testid=device-name]').allTextContents()).toEqual(['Passkey']);
      // Renaming is a plain form.
      await tab.click('[data-testid=rename-device]');
      await tab.fill('[data-device="Passkey"] input[name=name]', 'Work laptop');
      await tab.click('button:has-text("Save the name")');
      await tab.waitForURL(/notice=renamed/);
      expect(await tab.locator('[data-testid=device-name]').allTextContents()).toEqual(['Work laptop']);
    } finally {
      await context.close();
    }
  }, 60_000);
});
