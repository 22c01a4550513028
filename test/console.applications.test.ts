import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createHarness,
  createSubUser,
  databaseKinds,
  loginAs,
  loginFull,
  userWithDevice,
  type Harness,
} from './helpers/harness.js';
import type { LightMyRequestResponse } from 'fastify';
import { formClient, hiddenFields, unescape } from './helpers/console-forms.js';
import { referenceTotp } from './helpers/rfc6238.js';

/**
 * Applications (issue 23) through the console's forms, without a browser: registering a confidential
 * and a public application (a fresh step-up, then the form continues), the secret shown once,
 * a refused redirect URI that keeps what was typed, changing one, deleting one after a confirmation
 * (its grants and tokens go), and a sub-user refused.
 */

const browser = formClient;
type Client = ReturnType<typeof browser>;

/** The text of a textarea on the page. */
function textarea(html: string, name: string): string {
  const m = new RegExp(`<textarea name="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  if (!m) throw new Error(`no textarea ${name}`);
  return unescape(m[1]!);
}

describe.each(databaseKinds())('console › Applications on %s (issue 23)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  /** The step-up the page asked for, with a code from the owner's app; then "Continue" posts the form again. */
  async function verifyAndContinue(tab: Client, asked: LightMyRequestResponse, secret: Uint8Array, operation: string) {
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain(`name="operation" value="${operation}"`);
    h.clock.nextStep();
    const verified = await tab.post('/account/security/step-up', {
      ...hiddenFields(asked.body, '/account/security/step-up'),
      method: 'totp',
      code: referenceTotp(secret, h.clock.now()),
    });
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.body).toContain('data-testid="continue"');
    const action = /<form method="post" action="([^"]+)"><input type="hidden" name="_csrf"/.exec(
      verified.body.slice(verified.body.indexOf('<main>')),
    )![1]!;
    return tab.post(action, hiddenFields(verified.body, action));
  }

  it('registers a confidential and a public application, shows the secret once, changes and deletes one', async () => {
    const owner = await userWithDevice(h);
    const { token } = await loginFull(h, owner);
    const workspace = await call(h.app, 'POST', '/api/v1/workspaces', { token, body: { name: 'Engineering' } });
    expect(workspace.status).toBe(201);
    const workspaceId = workspace.body.workspace.id as string;
    const tab = browser(h);
    tab.signIn(token);

    const empty = await tab.get('/applications');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('<a class="active" href="/applications">Applications</a>');
    expect(empty.body).toContain('data-testid="no-applications"');
    expect(empty.body).toContain(`<option value="${workspaceId}">Engineering</option>`);

    // The login's verification goes stale: registering will ask for a fresh one.
    h.clock.advance(301_000);

    // An http address off localhost: refused before any verification, what was typed stays.
    const typed = {
      name: 'Wiki',
      redirectUris: 'https://wiki.example/cb\r\nhttp://wiki.example/cb',
      postLogoutRedirectUris: 'https://wiki.example/bye',
      type: 'confidential',
      firstParty: '1',
    };
    const refused = await tab.post('/applications', typed);
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toBe('/applications');
    const again = await tab.get('/applications');
    expect(again.body).toContain('class="alert alert-error"');
    expect(again.body).toContain(
      'Redirect URIs: http://wiki.example/cb must use https (http only on localhost, 127.0.0.1 or [::1]).',
    );
    expect(again.body).toContain('value="Wiki"');
    expect(textarea(again.body, 'redirectUris')).toBe(typed.redirectUris);
    expect(textarea(again.body, 'postLogoutRedirectUris')).toBe(typed.postLogoutRedirectUris);
    expect(again.body).toMatch(/name="firstParty" type="checkbox" value="1" checked/);
    // Shown once: a reload is the empty form again.
    expect((await tab.get('/applications')).body).not.toContain('must use https');

    // The fixed form: a fresh verification first, then "Continue" registers it and shows the secret.
    const asked = await tab.post('/applications', { ...typed, redirectUris: 'https://wiki.example/cb' });
    expect(asked.body).toContain('Registering an application');
    const created = await verifyAndContinue(tab, asked, owner.secret, 'oidc.create_client');
    expect(created.statusCode).toBe(200);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body).toContain('data-testid="application-created"');
    expect(created.body).toContain('it is not shown again');
    const secret = /data-testid="client-secret">(tfc_[A-Za-z0-9_-]{43})</.exec(created.body)![1]!;
    const wikiId = /data-testid="client-id">([A-Za-z0-9_-]+)</.exec(created.body)![1]!;
    expect(created.body).toContain('data-testid="issuer">http://twofold.test/oidc<');
    expect(created.body).toContain(
      'data-testid="discovery">http://twofold.test/oidc/.well-known/openid-configuration<',
    );

    // Never again: not on the list, not on the application's page.
    const list = await tab.get('/applications');
    expect(list.body).toContain('data-application="Wiki"');
    expect(list.body).toContain(wikiId);
    expect(list.body).toContain('Confidential');
    expect(list.body).not.toContain(secret);
    const page = await tab.get(`/applications/${wikiId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(secret);
    expect(page.body).not.toContain('data-testid="client-secret"');
    expect(page.body).toContain('shown once');
    expect(page.body).toContain('data-testid="issuer">http://twofold.test/oidc<');

    // A public application for the workspace, still within the verification: no secret, its page.
    const spa = await tab.post('/applications', {
      name: 'Dashboard',
      redirectUris: 'http://localhost:5173/callback',
      postLogoutRedirectUris: '',
      type: 'public',
      workspaceId,
    });
    expect(spa.statusCode).toBe(303);
    const spaPath = spa.headers.location as string;
    expect(spaPath).toMatch(/^\/applications\/[A-Za-z0-9_-]+\?notice=created$/);
    const spaPage = await tab.get(spaPath);
    expect(spaPage.body).toContain('Application registered');
    expect(spaPage.body).toContain('PKCE');
    expect(spaPage.body).not.toContain('tfc_');
    const rows = (await tab.get('/applications')).body;
    expect(rows).toContain('data-application="Dashboard"');
    expect(rows).toMatch(/data-application="Dashboard">[\s\S]*?Public[\s\S]*?Engineering/);

    // Change the name and the addresses (no verification needed); a refused address keeps what was typed.
    const saved = await tab.post(`/applications/${wikiId}`, {
      name: 'Team wiki',
      redirectUris: 'https://wiki.example/cb\nhttps://wiki.example/cb2',
      postLogoutRedirectUris: '',
    });
    expect(saved.headers.location).toBe(`/applications/${wikiId}?notice=saved`);
    const changed = await tab.get(`/applications/${wikiId}?notice=saved`);
    expect(changed.body).toContain('Application changed.');
    expect(changed.body).toContain('<h1>Team wiki</h1>');
    expect(textarea(changed.body, 'redirectUris')).toBe('https://wiki.example/cb\nhttps://wiki.example/cb2');
    expect(textarea(changed.body, 'postLogoutRedirectUris')).toBe('');
    const badEdit = await tab.post(`/applications/${wikiId}`, {
      name: 'Team wiki 2',
      redirectUris: 'https://wiki.example/cb\nhttps://wiki.example/cb#frag',
      postLogoutRedirectUris: '',
    });
    expect(badEdit.headers.location).toBe(`/applications/${wikiId}`);
    const badPage = await tab.get(`/applications/${wikiId}`);
    expect(badPage.body).toContain('Redirect URIs: https://wiki.example/cb#frag must not have a #fragment');
    expect(badPage.body).toContain('value="Team wiki 2"');
    expect(textarea(badPage.body, 'redirectUris')).toBe('https://wiki.example/cb\nhttps://wiki.example/cb#frag');
    const api = await call(h.app, 'GET', `/api/v1/oidc-clients/${wikiId}`, { token });
    expect(api.body.client).toMatchObject({
      name: 'Team wiki',
      redirectUris: ['https://wiki.example/cb', 'https://wiki.example/cb2'],
      postLogoutRedirectUris: [],
    });

    // Delete: a fresh verification, then a question that says what goes, then it is gone with its tokens.
    await h.services.store.repos.oidc.upsertPayload({
      model: 'AccessToken',
      id_hash: 'a'.repeat(64),
      payload: '{}',
      grant_hash: null,
      uid_hash: null,
      user_id: owner.userId,
      client_id: wikiId,
      expires_at: h.clock.now() + 600_000,
      consumed_at: null,
    });
    h.clock.advance(301_000);
    const deleteAsked = await tab.post(`/applications/${wikiId}/delete`, {});
    expect(deleteAsked.body).toContain('Deleting an application');
    const confirm = await verifyAndContinue(tab, deleteAsked, owner.secret, 'oidc.delete_client');
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('data-testid="confirm"');
    expect(confirm.body).toContain('Delete Team wiki?');
    expect(confirm.body).toContain('its sign-ins, grants and tokens');
    const deleted = await tab.post(`/applications/${wikiId}/delete`, { confirmed: '1' });
    expect(deleted.headers.location).toBe('/applications?notice=deleted');
    const after = await tab.get('/applications?notice=deleted');
    expect(after.body).toContain('Application deleted.');
    expect(after.body).not.toContain('data-application="Team wiki"');
    expect(after.body).toContain('data-application="Dashboard"');
    expect(await h.services.store.repos.oidc.findPayload('AccessToken', 'a'.repeat(64))).toBeUndefined();
    expect((await call(h.app, 'GET', `/api/v1/oidc-clients/${wikiId}`, { token })).status).toBe(404);
    // Sent again (Back, a second tab): the list says it is gone.
    const twice = await tab.post(`/applications/${wikiId}/delete`, { confirmed: '1' });
    expect(twice.headers.location).toBe('/applications');
    expect((await tab.get('/applications')).body).toContain('No such application in your account.');
  });

  it('refuses a sub-user with a page that says why, and shows it no Applications link', async () => {
    const owner = await userWithDevice(h);
    const { token } = await loginFull(h, owner);
    const me = await call(h.app, 'GET', '/api/v1/me', { token });
    const sub = await createSubUser(h, token, me.body.account.alias as string);
    const login = await loginAs(h, sub.login);
    expect(login.status).toBe(201);
    const tab = browser(h);
    tab.signIn(login.body.session.token as string);
    const overview = await tab.get('/overview');
    expect(overview.statusCode).toBe(200);
    expect(overview.body).not.toContain('href="/applications"');
    const page = await tab.get('/applications');
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('Only the primary account registers and manages applications.');
    const posted = await tab.post('/applications', {
      name: 'Sneaky',
      redirectUris: 'https://sneaky.example/cb',
      type: 'confidential',
    });
    expect(posted.statusCode).toBe(403);
    expect(posted.body).toContain('Only the primary account registers and manages applications.');
    expect((await call(h.app, 'GET', '/api/v1/oidc-clients', { token })).body.clients).toEqual([]);
  });
});
