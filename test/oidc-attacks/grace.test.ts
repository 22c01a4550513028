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
import { Browser, authorizationRequest, discover } from '../helpers/oidc-rp.js';

const REDIRECT = 'https://app.example/cb';
describe('a workspace grace period that ends while the session lives', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(async () => h.close());
  it('after the grace period a member without MFA gets no silent code with acr pwd', async () => {
    const owner = await primaryAccount(h);
    const token = (await bindDevice(h, owner.token)).token;
    const ws = await call(h.app, 'POST', '/api/v1/workspaces', { token, body: { name: 'Ops' } });
    const wsId = ws.body.workspace.id;
    const sub = await createSubUser(h, token, owner.alias);
    await call(h.app, 'POST', `/api/v1/workspaces/${wsId}/members`, {
      token,
      body: { userId: sub.id, role: 'member' },
    });
    const p = await call(h.app, 'PATCH', `/api/v1/workspaces/${wsId}`, {
      token,
      body: { mfaRequired: true, graceDays: 1 },
    });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    const r = await call(h.app, 'POST', '/api/v1/oidc-clients', {
      token,
      body: { name: 'Y', redirectUris: [REDIRECT], type: 'confidential', firstParty: true, workspaceId: wsId },
    });
    const config = await discover(h.app, r.body.client.id, r.body.clientSecret);
    h.clock.advance(23.5 * 3600_000);
    const browser = new Browser(h.app);
    const a = await authorizationRequest(config);
    const back = await browser.submit(await browser.go(a.url), '/login', { login: sub.login, password: PASSWORD });
    expect(back.url.startsWith(REDIRECT)).toBe(true); // within grace: fine
    for (let i = 0; i < 3; i++) {
      h.clock.advance(20 * 60_000);
      await browser.request('GET', '/overview');
    }
    // Now past the deadline (T0 + 24 h): the provider's session is not reused — the console's pages
    // take the member through binding, and no code comes back with acr pwd.
    const b = await authorizationRequest(config);
    const out = await browser.go(b.url);
    expect(out.url.startsWith(REDIRECT)).toBe(false);
    expect(out.url).toContain('/account/security/mfa/bind');
  });
});
