import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createHarness,
  createSubUser,
  databaseKinds,
  loginAs,
  loginFull,
  primaryAccount,
  userWithDevice,
  wrongCode,
  type Harness,
} from './helpers/harness.js';
import { formClient, hiddenFields } from './helpers/console-forms.js';
import { referenceTotp } from './helpers/rfc6238.js';

/**
 * The API tokens page (issue 24) through the console's forms, without a browser: the empty state,
 * creating a token (checked first, then a fresh step-up that carries the typed form through, then
 * the secret once in a no-store answer that a reload does not repeat), the list, revoking one after
 * a confirmation (the API then refuses it), and who is refused: a plain sub-user, a form without
 * its CSRF token.
 */
const DAY = 24 * 3600_000;

const browser = formClient;
type Client = ReturnType<typeof browser>;

/** The secret on the "shown once" page. */
const secretOf = (html: string) => /data-testid="api-token-secret">(tfk_[0-9A-Za-z]{46})</.exec(html)?.[1];

/** One token's entry in the list, up to its Revoke form. */
function rowOf(html: string, name: string): string {
  const start = html.indexOf(`data-api-token="${name}"`);
  if (start < 0) throw new Error(`no token ${name} listed`);
  return html.slice(start, html.indexOf('</form>', start));
}

/** The subjects of the mail `to` got, without the issuer's prefix. */
async function mail(h: Harness, to: string) {
  return (await h.services.outbox(to)).map((m) => m.subject.replace(/^twofold test: /, ''));
}

describe.each(databaseKinds())('console › API tokens on %s (issue 24)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  /** The create form as a browser sends it: its own hidden fields (the form's id) and what was typed. */
  async function createForm(tab: Client, typed: Record<string, string>) {
    const page = await tab.get('/api-tokens');
    expect(page.statusCode).toBe(200);
    return { ...hiddenFields(page.body, '/api-tokens'), ...typed };
  }

  it('explains tokens when there are none; creates one after a fresh step-up, shows its secret once, lists it', async () => {
    const owner = await userWithDevice(h);
    const { token } = await loginFull(h, owner);
    const tab = browser(h);
    tab.signIn(token);

    const empty = await tab.get('/api-tokens');
    expect(empty.statusCode).toBe(200);
    expect(empty.headers['cache-control']).toBe('no-store');
    expect(empty.body).toContain('<a class="active" href="/api-tokens">API tokens</a>');
    expect(empty.body).toContain('data-testid="no-api-tokens"');
    expect(empty.body).toContain('HR system');
    expect(empty.body).toContain('narrowed to the scopes');
    expect(empty.body).toContain('never changes a password, an e-mail address, a phone number or a device');
    // Every scope of the catalogue, with its description; 90 days unless chosen otherwise; the maximum said.
    expect(empty.body).toContain('name="scope:users:read" type="checkbox" value="1"');
    expect(empty.body).toContain('Read sub-users and their MFA state');
    expect(empty.body).toContain('name="scope:workspaces:write"');
    expect(empty.body).toMatch(/<option value="90" selected>90 days<\/option>/);
    for (const days of [7, 30, 180, 365]) expect(empty.body).toContain(`<option value="${days}">${days} days</option>`);
    expect(empty.body).toContain('At most 365 days');

    // The login's verification goes stale: creating asks for a fresh one, after the form is checked.
    h.clock.advance(301_000);
    const typed = { name: 'HR sync', 'scope:users:read': '1', 'scope:users:write': '1', expiresInDays: '30' };
    const asked = await tab.post('/api-tokens', await createForm(tab, typed));
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Creating an API token');
    expect(asked.body).toContain('name="operation" value="api_tokens.create"');
    expect(await mail(h, owner.email)).not.toContain('An API token was created: HR sync');

    // A wrong code: the verification page says so and still carries the form.
    h.clock.nextStep();
    const refused = await tab.post('/account/security/step-up', {
      ...hiddenFields(asked.body, '/account/security/step-up'),
      method: 'totp',
      code: wrongCode(owner.secret, h.clock.now()),
    });
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    expect(refused.statusCode).toBeLessThan(500);
    expect(refused.headers['content-type']).toContain('text/html');
    expect(refused.body).toContain('class="alert alert-error"');
    expect(refused.body).toContain('Creating an API token');

    // The right one: "Continue" sends the typed form again, and the answer is the secret, this once.
    h.clock.nextStep();
    const verified = await tab.post('/account/security/step-up', {
      ...hiddenFields(refused.body, '/account/security/step-up'),
      method: 'totp',
      code: referenceTotp(owner.secret, h.clock.now()),
    });
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.body).toContain('data-testid="continue"');
    const resent = hiddenFields(verified.body, '/api-tokens');
    expect(resent).toMatchObject(typed);
    const created = await tab.post('/api-tokens', resent);
    expect(created.statusCode).toBe(200);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.headers['content-type']).toContain('text/html');
    expect(created.body).toContain('data-testid="api-token-created"');
    expect(created.body).toContain('it is not shown again');
    const secret = secretOf(created.body)!;
    expect(secret).toBeDefined();
    expect(created.body).toContain(
      `data-testid="curl-example">curl -H &quot;Authorization: Bearer ${secret}&quot; http://twofold.test/api/v1/users<`,
    );
    expect(created.body).toContain('Read users');
    expect(await mail(h, owner.email)).toContain('An API token was created: HR sync');

    // The secret works, and is never shown again: not on the list, not when the answer is sent again.
    const api = await call(h.app, 'GET', '/api/v1/users', { token: secret });
    expect(api.status).toBe(200);
    const list = await tab.get('/api-tokens');
    expect(list.body).not.toContain(secret);
    expect(list.body).not.toContain('data-testid="api-token-secret"');
    expect(list.body).not.toContain('data-testid="no-api-tokens"');
    const row = rowOf(list.body, 'HR sync');
    expect(row).toContain('Read users');
    expect(row).toContain('Manage users (<code>users:write</code>)');
    expect(row).toContain(`<time datetime="${new Date(h.clock.now() + 30 * DAY).toISOString()}`);
    expect(row).not.toContain('Never');
    expect(row).not.toContain('data-testid="expires-soon"');
    // A reload of the answer (the browser offers to send the form again) makes no second token.
    const again = await tab.post('/api-tokens', resent);
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/api-tokens?notice=already-created');
    expect(again.body).not.toContain('tfk_');
    expect((await tab.get('/api-tokens?notice=already-created')).body).toContain('That form was sent already');
    expect((await call(h.app, 'GET', '/api/v1/api-tokens', { token })).body.tokens).toHaveLength(1);
    expect((await mail(h, owner.email)).filter((s) => s === 'An API token was created: HR sync')).toHaveLength(1);

    // A second token from a fresh form, still within the verification; one ending within 7 days is marked.
    const soon = await tab.post(
      '/api-tokens',
      await createForm(tab, { name: 'Weekly report', 'scope:audit:read': '1', expiresInDays: '7' }),
    );
    expect(soon.statusCode).toBe(200);
    expect(soon.body).toContain('/api/v1/audit-events<');
    const rows = (await tab.get('/api-tokens')).body;
    const weekly = rowOf(rows, 'Weekly report');
    expect(weekly).toContain('data-testid="expires-soon"');
    expect(weekly).toContain('ends in 7 days');
    expect(weekly).toContain('Never');
  });

  it('shows what is refused on the page, keeping what was typed, before asking for any verification', async () => {
    const owner = await userWithDevice(h);
    const { token } = await loginFull(h, owner);
    const tab = browser(h);
    tab.signIn(token);
    h.clock.advance(301_000);

    const noScope = await tab.post('/api-tokens', await createForm(tab, { name: 'Nightly', expiresInDays: '180' }));
    expect(noScope.statusCode).toBe(303);
    expect(noScope.headers.location).toBe('/api-tokens');
    const shown = await tab.get('/api-tokens');
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('class="alert alert-error"');
    expect(shown.body).toContain('Choose at least one scope.');
    expect(shown.body).toContain('value="Nightly"');
    expect(shown.body).toMatch(/<option value="180" selected>/);
    // Shown once.
    expect((await tab.get('/api-tokens')).body).not.toContain('Choose at least one scope.');

    const noName = await tab.post(
      '/api-tokens',
      await createForm(tab, { name: '   ', 'scope:audit:read': '1', expiresInDays: '30' }),
    );
    expect(noName.statusCode).toBe(303);
    const named = (await tab.get('/api-tokens')).body;
    expect(named).toContain('Give the token a name of 1 to 100 characters.');
    expect(named).toMatch(/name="scope:audit:read" type="checkbox" value="1" checked/);
    expect(named).not.toMatch(/name="scope:users:read" type="checkbox" value="1" checked/);

    const tooLong = await tab.post(
      '/api-tokens',
      await createForm(tab, { name: 'Forever', 'scope:users:read': '1', expiresInDays: '400' }),
    );
    expect(tooLong.statusCode).toBe(303);
    expect((await tab.get('/api-tokens')).body).toContain('A token lives 1 to 365 days.');
    expect((await call(h.app, 'GET', '/api/v1/api-tokens', { token })).body.tokens).toEqual([]);
  });

  it('revokes a token after a confirmation that says scripts stop at once; the API then refuses it', async () => {
    const owner = await primaryAccount(h);
    const tab = browser(h);
    tab.signIn(owner.token);
    const created = await tab.post(
      '/api-tokens',
      await createForm(tab, { name: 'HR sync', 'scope:users:read': '1', expiresInDays: '90' }),
    );
    expect(created.statusCode).toBe(200);
    const secret = secretOf(created.body)!;
    expect((await call(h.app, 'GET', '/api/v1/users', { token: secret })).status).toBe(200);
    const listed = (await tab.get('/api-tokens')).body;
    expect(listed).not.toContain('Never');
    const id = /action="\/api-tokens\/([0-9a-f]+)\/revoke"/.exec(listed)![1]!;

    const asked = await tab.post(`/api-tokens/${id}/revoke`, {});
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('data-testid="confirm"');
    expect(asked.body).toContain('Revoke the API token HR sync?');
    expect(asked.body).toContain('stop working at once');
    expect((await call(h.app, 'GET', '/api/v1/users', { token: secret })).status).toBe(200);

    const revoked = await tab.post(`/api-tokens/${id}/revoke`, { confirmed: '1' });
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe('/api-tokens?notice=revoked');
    const after = await tab.get('/api-tokens?notice=revoked');
    expect(after.body).toContain('Token revoked.');
    expect(after.body).toContain('data-testid="no-api-tokens"');
    expect((await call(h.app, 'GET', '/api/v1/users', { token: secret })).status).toBe(401);

    // Sent again (Back, a second tab): the list says it is gone; a made-up id likewise.
    const twice = await tab.post(`/api-tokens/${id}/revoke`, { confirmed: '1' });
    expect(twice.headers.location).toBe('/api-tokens');
    expect((await tab.get('/api-tokens')).body).toContain('No such working API token of yours');
    const madeUp = await tab.post('/api-tokens/no.such.token/revoke', { confirmed: '1' });
    expect(madeUp.headers.location).toBe('/api-tokens');
  });

  it('refuses a form without its CSRF token, and a plain sub-user; a user administrator gets the page', async () => {
    const owner = await primaryAccount(h);
    const tab = browser(h);
    tab.signIn(owner.token);
    const form = await createForm(tab, { name: 'Sneaky', 'scope:users:read': '1', expiresInDays: '30' });
    const forged = await tab.post('/api-tokens', form, { csrf: false });
    expect(forged.statusCode).toBe(403);
    expect(forged.headers['content-type']).toContain('text/html');
    expect(forged.body).toContain('This form is out of date');
    expect(forged.body).not.toContain('tfk_');
    expect((await call(h.app, 'GET', '/api/v1/api-tokens', { token: owner.token })).body.tokens).toEqual([]);

    const plain = await createSubUser(h, owner.token, owner.alias);
    const login = await loginAs(h, plain.login);
    expect(login.status).toBe(201);
    const subTab = browser(h);
    subTab.signIn(login.body.session.token as string);
    const overview = await subTab.get('/overview');
    expect(overview.statusCode).toBe(200);
    expect(overview.body).not.toContain('href="/api-tokens"');
    const page = await subTab.get('/api-tokens');
    expect(page.statusCode).toBe(403);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Only the primary account and user administrators create API tokens.');
    const posted = await subTab.post('/api-tokens', { name: 'Sneaky', 'scope:users:read': '1', expiresInDays: '30' });
    expect(posted.statusCode).toBe(403);
    expect(posted.body).toContain('Only the primary account and user administrators create API tokens.');

    const admin = await createSubUser(h, owner.token, owner.alias);
    const promoted = await call(h.app, 'PATCH', `/api/v1/users/${admin.id}`, {
      token: owner.token,
      body: { roles: ['user-admin'] },
    });
    expect(promoted.status).toBe(200);
    const adminLogin = await loginAs(h, admin.login);
    expect(adminLogin.status).toBe(201);
    const adminTab = browser(h);
    adminTab.signIn(adminLogin.body.session.token as string);
    const adminPage = await adminTab.get('/api-tokens');
    expect(adminPage.statusCode).toBe(200);
    expect(adminPage.body).toContain('<a class="active" href="/api-tokens">API tokens</a>');
    expect(adminPage.body).toContain('data-testid="no-api-tokens"');
    const adminCreated = await adminTab.post(
      '/api-tokens',
      await createForm(adminTab, { name: 'HR sync', 'scope:users:read': '1', expiresInDays: '30' }),
    );
    expect(adminCreated.statusCode).toBe(200);
    expect(secretOf(adminCreated.body)).toBeDefined();
    expect((await adminTab.get('/api-tokens')).body).toContain('data-api-token="HR sync"');
  });
});
