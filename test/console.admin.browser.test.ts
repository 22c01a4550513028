import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { call, createSubUser, type Harness } from './helpers/harness.js';
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';
import { WIDTHS, browserAvailable, browserRequired, openConsole, type ConsoleUnderTest } from './helpers/browser.js';

/**
 * Issue 20's administrator tools in Chromium, at 1280 px and at 390 px: a sub-user's password (set
 * it, or e-mail a link), and a workspace's members (role, remove), name, reminders and deletion.
 */
const PASSWORD = 'an administrator password';

describe.skipIf(!browserAvailable && !browserRequired)('administrator tools in the console', () => {
  let ui: ConsoleUnderTest;
  let h: Harness;
  let base: string;

  beforeAll(async () => {
    ui = await openConsole();
    ({ h, base } = ui);
  }, 60_000);

  afterAll(async () => ui?.close());

  /** A primary account (no device: its password login is a fresh verification), signed in on a tab. */
  async function ownerTab(viewport: { width: number; height: number }) {
    const email = `admin.${Date.now()}.${Math.random().toString(16).slice(2, 6)}@example.com`;
    await call(h.app, 'POST', '/api/v1/accounts', { body: { email, password: PASSWORD } });
    const session = (await call(h.app, 'POST', '/api/v1/sessions', { body: { login: email, password: PASSWORD } })).body
      .session.token as string;
    const alias = (await call(h.app, 'GET', '/api/v1/me', { token: session })).body.account.alias as string;
    const { tab } = await ui.tab(viewport);
    await tab.goto(`${base}/login`);
    await tab.fill('input[name=login]', email);
    await tab.fill('input[name=password]', PASSWORD);
    await tab.click('main button[type=submit]');
    await tab.waitForURL(/\/overview/);
    return { tab, session, alias };
  }

  const fits = (tab: Page) => tab.evaluate(() => document.documentElement.scrollWidth);

  for (const [label, viewport] of WIDTHS) {
    it(`a sub-user's password: e-mail a link, or set one (${label})`, async () => {
      const { tab, session, alias } = await ownerTab(viewport);
      const sub = await createSubUser(h, session, alias, { email: `pw.${alias}@example.com` });
      await tab.goto(`${base}/users/${sub.id}`);
      await tab.click('[data-testid=send-reset-link]');
      await tab.waitForURL(/notice=reset-link/);
      expect(await tab.textContent('.alert-success')).toContain('on its way to the user');
      expect((await h.services.outbox(`pw.${alias}@example.com`)).map((m) => m.kind)).toContain(
        'account.password_reset_link',
      );
      await tab.fill('[data-testid=user-password] input[name=password]', 'set by the administrator');
      await tab.click('[data-testid=set-password]');
      await tab.waitForURL(/notice=password/);
      const login = await call(h.app, 'POST', '/api/v1/sessions', {
        body: { login: sub.login, password: 'set by the administrator' },
      });
      expect(login.status).toBe(201);
      if (viewport.width === 390) expect(await fits(tab)).toBeLessThanOrEqual(390);
    }, 60_000);

    it(`a workspace's members, name, reminders and deletion (${label})`, async () => {
      const { tab, session, alias } = await ownerTab(viewport);
      const ada = await createSubUser(h, session, alias, { username: 'ada', email: `ada.${alias}@example.com` });
      const bob = await createSubUser(h, session, alias, { username: 'bob', email: `bob.${alias}@example.com` });
      const id = (await call(h.app, 'POST', '/api/v1/workspaces', { token: session, body: { name: 'Research' } })).body
        .workspace.id as string;
      // ada has a device (bound for her by the owner); bob and the owner have none.
      const enrollment = await call(h.app, 'POST', `/api/v1/users/${ada.id}/mfa-device`, { token: session });
      const secret = referenceBase32Decode(enrollment.body.enrollment.secret);
      const bound = await call(h.app, 'POST', `/api/v1/users/${ada.id}/mfa-device/activate`, {
        token: session,
        body: {
          enrollmentId: enrollment.body.enrollment.id,
          codes: [referenceTotp(secret, Date.now(), -1), referenceTotp(secret, Date.now())],
        },
      });
      expect(bound.status).toBe(200);
      await tab.goto(`${base}/workspaces/${id}`);
      // Adding names the member.
      await tab.selectOption('select[name=userId]', ada.id);
      await tab.click('form[action$="/members"] button[type=submit]');
      await tab.waitForURL(/notice=member/);
      expect(await tab.textContent('.alert-success')).toBe('ada was added to the workspace.');
      await tab.selectOption('select[name=userId]', bob.id);
      await tab.click('form[action$="/members"] button[type=submit]');
      await tab.waitForURL(/notice=member/);
      expect(await tab.textContent('[data-testid=compliance-summary]')).toContain('2 of 3 members have not bound');
      // The viewer is counted, but "Remind" reaches only the others.
      expect(await tab.textContent('[data-testid=remind]')).toBe('E-mail a reminder to the member without MFA');
      // Role.
      await tab.selectOption('tr[data-member=ada] [data-testid=member-role]', 'admin');
      await tab.click('tr[data-member=ada] form[action$="/role"] button');
      await tab.waitForURL(/notice=role/);
      expect(await tab.textContent('tr[data-member=ada]')).toContain('Admin');
      // A reminder to bob, the other member without MFA.
      await tab.click('[data-testid=remind]');
      await tab.waitForURL(/notice=reminded/);
      expect((await h.services.outbox(`bob.${alias}@example.com`)).some((m) => m.subject.includes('Reminder'))).toBe(
        true,
      );
      // Remove asks first.
      await tab.click('tr[data-member=bob] [data-testid=remove-member]');
      await tab.waitForSelector('[data-testid=confirm]');
      expect(await tab.textContent('[data-testid=confirm] h1')).toBe('Remove bob from Research?');
      await tab.click('[data-testid=confirm] button.danger');
      await tab.waitForURL(/notice=removed/);
      expect(await tab.locator('tr[data-member=bob]').count()).toBe(0);
      expect(await tab.textContent('[data-testid=compliance-summary]')).toContain('1 of 2 members has not bound');
      expect(await tab.locator('[data-testid=remind]').count()).toBe(0); // only the viewer is left without
      if (viewport.width === 390) expect(await fits(tab)).toBeLessThanOrEqual(390);
      // Rename, then delete (asks first; the login a moment ago is the fresh verification).
      await tab.fill('[data-testid=rename] input[name=name]', 'Lab');
      await tab.click('[data-testid=rename] button');
      await tab.waitForURL(/notice=renamed/);
      expect(await tab.textContent('main h1')).toBe('Lab');
      await tab.click('[data-testid=delete-workspace]');
      await tab.waitForSelector('[data-testid=confirm]');
      await tab.click('[data-testid=confirm] button.danger');
      await tab.waitForURL(/\/workspaces\?notice=deleted/);
      expect(await tab.textContent('main')).not.toContain('Lab');
    }, 60_000);
  }
});
