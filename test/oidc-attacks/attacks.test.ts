import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  bindDevice,
  call,
  createHarness,
  createSubUser,
  primaryAccount,
  type Harness,
} from '../helpers/harness.js';
import { referenceTotp } from '../helpers/rfc6238.js';
import { Browser, authorizationRequest, client, discover, type Page } from '../helpers/oidc-rp.js';

const REDIRECT = 'https://app.example/cb';

describe('OIDC attacks from an independent review', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(async () => h.close());

  async function ownerWithDevice() {
    const owner = await primaryAccount(h);
    const device = await bindDevice(h, owner.token);
    return { ...owner, token: device.token as string, secret: device.secret };
  }
  async function registerApp(token: string, body: Record<string, unknown> = {}) {
    const created = await call(h.app, 'POST', '/api/v1/oidc-clients', {
      token,
      body: { name: 'Wiki', redirectUris: [REDIRECT], type: 'confidential', ...body },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return {
      clientId: created.body.client.id as string,
      clientSecret: created.body.clientSecret as string | undefined,
    };
  }
  async function passwordOnly(browser: Browser, page: Page, login: string) {
    expect(page.url).toContain('/login');
    return browser.submit(page, '/login', { login, password: PASSWORD });
  }

  it('a workspace policy turned on with no grace period restricts open sessions: no silent code', async () => {
    const owner = await ownerWithDevice();
    const ws = await call(h.app, 'POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'Ops' } });
    const wsId = ws.body.workspace.id as string;
    const sub = await createSubUser(h, owner.token, owner.alias);
    const added = await call(h.app, 'POST', `/api/v1/workspaces/${wsId}/members`, {
      token: owner.token,
      body: { userId: sub.id, role: 'member' },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const app = await registerApp(owner.token, { workspaceId: wsId, firstParty: true });
    const config = await discover(h.app, app.clientId, app.clientSecret);
    const browser = new Browser(h.app);
    // Before the policy: password alone, acr pwd — allowed.
    const first = await authorizationRequest(config);
    const back = await passwordOnly(browser, await browser.go(first.url), sub.login);
    expect(back.url.startsWith(REDIRECT)).toBe(true);

    // The owner now requires MFA, no grace period.
    const policy = await call(h.app, 'PATCH', `/api/v1/workspaces/${wsId}`, {
      token: owner.token,
      body: { mfaRequired: true, graceDays: 0 },
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(200);
    h.clock.advance(1000);

    // The application gets no code without the console's pages: the session is restricted now.
    const again = await authorizationRequest(config);
    const silent = await browser.go(again.url);
    // Not a finding: a policy turned on with no grace restricts open sessions (restrictOpenSessions).
    expect(silent.url.startsWith(REDIRECT)).toBe(false);
  });

  it('changing redirect URIs needs a fresh step-up: a stale session cannot send codes to a new host', async () => {
    const owner = await ownerWithDevice();
    const app = await registerApp(owner.token, { firstParty: true, type: 'public' });
    const config = await discover(h.app, app.clientId);
    const victim = await createSubUser(h, owner.token, owner.alias);
    const browser = new Browser(h.app, ['https://app.example', 'https://evil.example']);
    const first = await authorizationRequest(config);
    const back = await passwordOnly(browser, await browser.go(first.url), victim.login);
    expect(back.url.startsWith(REDIRECT)).toBe(true);

    h.clock.advance(10 * 60_000); // the owner's step-up is stale (300 s)
    const patched = await call(h.app, 'PATCH', `/api/v1/oidc-clients/${app.clientId}`, {
      token: owner.token,
      body: { redirectUris: ['https://evil.example/cb'] },
    });
    expect(patched.status).toBe(401);
    expect(patched.body.error.code).toBe('auth.step_up_required');
    // The victim's browser asking for a code at the new address: refused on twofold, no redirect.
    const evil = await authorizationRequest(config, { redirect_uri: 'https://evil.example/cb' });
    const page = await browser.request('GET', evil.url);
    expect(page.status).toBe(400);
    expect(page.location).toBeUndefined();
  });

  it('another person signing in in the same browser keeps their console session and gets their own code', async () => {
    const owner = await ownerWithDevice();
    const app = await registerApp(owner.token, { firstParty: true });
    const config = await discover(h.app, app.clientId, app.clientSecret);
    const a = await createSubUser(h, owner.token, owner.alias);
    const b = await createSubUser(h, owner.token, owner.alias);
    const browser = new Browser(h.app);
    const first = await authorizationRequest(config);
    expect((await passwordOnly(browser, await browser.go(first.url), a.login)).url.startsWith(REDIRECT)).toBe(true);
    // A signs out of the console; B signs in on the console.
    const overview = await browser.go('/overview');
    await browser.submit(overview, '/logout', {});
    const login = await browser.go('/login');
    expect((await passwordOnly(browser, login, b.login)).url).toContain('/overview');
    const next = await authorizationRequest(config);
    const out = await browser.go(next.url);
    // Signing A out of the console ended A's provider session: B's sign-in needs no sign-out dance.
    expect(out.url.startsWith(REDIRECT)).toBe(true);
    const tokens = await client.authorizationCodeGrant(config, new URL(out.url), {
      pkceCodeVerifier: next.verifier,
      expectedState: next.state,
      expectedNonce: next.nonce,
    });
    expect(tokens.claims()!.sub).toBe(b.id);
    const stillIn = await browser.request('GET', '/overview');
    expect(stillIn.status).toBe(200);
    const audit = await call(h.app, 'GET', '/api/v1/audit-events?type=oidc.signed_out', { token: owner.token });
    expect(audit.body.events).toEqual([]);
  });

  it('a password change revokes the applications’ refresh tokens', async () => {
    const owner = await ownerWithDevice();
    const app = await registerApp(owner.token, { firstParty: true });
    const config = await discover(h.app, app.clientId, app.clientSecret);
    const browser = new Browser(h.app);
    const request = await authorizationRequest(config, { scope: 'openid offline_access', prompt: 'consent' });
    const second = await passwordOnly(browser, await browser.go(request.url), owner.email);
    h.clock.nextStep();
    const back = await browser.submit(second, '/login/mfa', { code: referenceTotp(owner.secret, h.clock.now()) });
    expect(back.url.startsWith(REDIRECT)).toBe(true);
    const tokens = await client.authorizationCodeGrant(config, new URL(back.url), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect(tokens.refresh_token).toBeTruthy();
    const changed = await call(h.app, 'PATCH', '/api/v1/me', {
      token: owner.token,
      body: { password: 'another horse battery staple', currentPassword: PASSWORD },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
});
