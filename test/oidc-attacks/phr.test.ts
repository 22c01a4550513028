import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, bindDevice, call, createHarness, primaryAccount, type Harness } from '../helpers/harness.js';
import { referenceTotp } from '../helpers/rfc6238.js';
import { createSoftAuthenticator } from '../helpers/soft-authenticator.js';
import { Browser, authorizationRequest, discover } from '../helpers/oidc-rp.js';

const REDIRECT = 'https://app.example/cb';
const ORIGIN = 'http://localhost:3000';

describe('a phishing-resistant workspace and single sign-on', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite', { config: { publicUrl: ORIGIN } });
  });
  afterAll(async () => h.close());

  it('a code-only session from another application never gets a code for the workspace’s application', async () => {
    const owner = await primaryAccount(h);
    const device = await bindDevice(h, owner.token);
    let token = device.token as string;
    const authenticator = createSoftAuthenticator({ origin: ORIGIN });
    const added = await call(h.app, 'POST', '/api/v1/me/mfa-devices', {
      token,
      body: { type: 'webauthn', name: 'Key' },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const activated = await call(h.app, 'POST', '/api/v1/me/mfa-devices/activate', {
      token,
      body: {
        enrollmentId: added.body.enrollment.id,
        credential: authenticator.register(added.body.enrollment.options),
      },
    });
    expect(activated.status, JSON.stringify(activated.body)).toBe(200);
    token = activated.body.session?.token ?? token;
    // Step up with the passkey: a phishing-resistant session that may require passkeys of others.
    const opts = await call(h.app, 'POST', '/api/v1/me/step-up/options', { token });
    expect(opts.status, JSON.stringify(opts.body)).toBe(200);
    const stepped = await call(h.app, 'POST', '/api/v1/me/step-up', {
      token,
      body: { method: 'webauthn', credential: authenticator.authenticate(opts.body.options) },
    });
    expect(stepped.status, JSON.stringify(stepped.body)).toBe(200);
    token = stepped.body.session?.token ?? token;
    const ws = await call(h.app, 'POST', '/api/v1/workspaces', { token, body: { name: 'Vault' } });
    const wsId = ws.body.workspace.id as string;
    const policy = await call(h.app, 'PATCH', `/api/v1/workspaces/${wsId}`, {
      token,
      body: { mfaRequired: true, phishingResistant: true, graceDays: 0 },
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(200);
    const mk = async (body: Record<string, unknown>) => {
      const r = await call(h.app, 'POST', '/api/v1/oidc-clients', {
        token,
        body: { redirectUris: [REDIRECT], type: 'confidential', firstParty: true, ...body },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return discover(h.app, r.body.client.id, r.body.clientSecret, `${ORIGIN}/oidc`);
    };
    const vault = await mk({ name: 'Vault', workspaceId: wsId });
    const wiki = await mk({ name: 'Wiki' });

    // Day 1, the owner: Vault with password + passkey (acr phr). Consent (grant) recorded.
    const own = new Browser(h.app, undefined, ORIGIN);
    const r1 = await authorizationRequest(vault);
    const step = await own.submit(await own.go(r1.url), '/login', { login: owner.email, password: PASSWORD });
    const o = await own.request('POST', '/login/mfa/options', { _csrf: own.cookie('twofold_csrf')! });
    const back1 = await own.submit(step, '/login/mfa', {
      method: 'webauthn',
      credential: JSON.stringify(authenticator.authenticate(JSON.parse(o.html).options)),
    });
    expect(back1.url.startsWith(REDIRECT), back1.url).toBe(true);

    // Attacker with a relayed password + TOTP code (what phr is meant to stop), fresh browser.
    const evil = new Browser(h.app, undefined, ORIGIN);
    // Directly to Vault: asked for a passkey (correct).
    const direct = await authorizationRequest(vault);
    const d1 = await evil.submit(await evil.go(direct.url), '/login', { login: owner.email, password: PASSWORD });
    h.clock.nextStep();
    const d2 = await evil.submit(
      d1,
      '/login/mfa',
      { code: referenceTotp(device.secret, h.clock.now()) },
      'name="code"',
    );
    expect(d2.url.startsWith(REDIRECT)).toBe(false);
    // Through Wiki first (no workspace): SSO session acr mfa…
    const viaWiki = await authorizationRequest(wiki);
    const w = await evil.go(viaWiki.url);
    expect(w.url.startsWith(REDIRECT)).toBe(true);
    // …then Vault: no silent code — the passkey the workspace requires is asked for.
    const r2 = await authorizationRequest(vault);
    const silent = await evil.go(r2.url);
    expect(silent.url.startsWith(REDIRECT)).toBe(false);
    expect(silent.url).toContain('/oidc-login/');
  });
});
