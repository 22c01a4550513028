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
import { Browser, authorizationRequest, client, discover } from '../helpers/oidc-rp.js';

const REDIRECT = 'https://app.example/cb';
describe('a member removed from the workspace', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite', { captureLogs: true });
  });
  afterAll(async () => h.close());
  it('re-authorizing with a live provider session is refused with a page, never a 5xx', async () => {
    const owner = await primaryAccount(h);
    const device = await bindDevice(h, owner.token);
    const token = device.token;
    const ws = await call(h.app, 'POST', '/api/v1/workspaces', { token, body: { name: 'Ops' } });
    const wsId = ws.body.workspace.id;
    const sub = await createSubUser(h, token, owner.alias);
    await call(h.app, 'POST', `/api/v1/workspaces/${wsId}/members`, {
      token,
      body: { userId: sub.id, role: 'member' },
    });
    const r = await call(h.app, 'POST', '/api/v1/oidc-clients', {
      token,
      body: { name: 'Y', redirectUris: [REDIRECT], type: 'confidential', firstParty: true, workspaceId: wsId },
    });
    const config = await discover(h.app, r.body.client.id, r.body.clientSecret);
    const browser = new Browser(h.app);
    const a = await authorizationRequest(config, { scope: 'openid offline_access', prompt: 'consent' });
    const back = await browser.submit(await browser.go(a.url), '/login', { login: sub.login, password: PASSWORD });
    expect(back.url.startsWith(REDIRECT)).toBe(true);
    const tokens = await client.authorizationCodeGrant(config, new URL(back.url), {
      pkceCodeVerifier: a.verifier,
      expectedState: a.state,
      expectedNonce: a.nonce,
    });
    const removed = await call(h.app, 'DELETE', `/api/v1/workspaces/${wsId}/members/${sub.id}`, { token });
    expect(removed.status).toBe(204);
    const again = await authorizationRequest(config);
    const res = await browser.go(again.url);
    expect(res.status).toBe(403);
    expect(res.html).toContain('only open to the members of the workspace');
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
});
