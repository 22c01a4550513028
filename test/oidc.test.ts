import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  bindDevice,
  call,
  createHarness,
  databaseKinds,
  signupAndLogin,
  type Harness,
} from './helpers/harness.js';
import { referenceTotp } from './helpers/rfc6238.js';
import { Browser, ISSUER, authorizationRequest, client, discover, type Page } from './helpers/oidc-rp.js';

const REDIRECT = 'https://app.example/cb';

describe.each(databaseKinds())('OpenID Connect provider on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  /** A primary account with an authenticator app, and a confidential application of its own. */
  async function ownerWithApp(options: { firstParty?: boolean; type?: 'public' | 'confidential' } = {}) {
    const owner = await signupAndLogin(h);
    const device = await bindDevice(h, owner.token);
    const created = await call(h.app, 'POST', '/api/v1/oidc-clients', {
      token: device.token,
      body: {
        name: 'Wiki',
        redirectUris: [REDIRECT],
        postLogoutRedirectUris: ['https://app.example/bye'],
        type: options.type ?? 'confidential',
        ...(options.firstParty ? { firstParty: true } : {}),
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return {
      ...owner,
      token: device.token as string,
      secret: device.secret,
      clientId: created.body.client.id as string,
      clientSecret: created.body.clientSecret as string | undefined,
    };
  }

  const code = (secret: Buffer) => {
    h.clock.nextStep();
    return referenceTotp(secret, h.clock.now());
  };

  /** Password, then the dynamic code, on the console's own pages. */
  async function signIn(browser: Browser, page: Page, login: string, secret: Buffer): Promise<Page> {
    expect(page.url).toContain('/login');
    const second = await browser.submit(page, '/login', { login, password: PASSWORD });
    expect(second.url).toContain('/login/mfa');
    return browser.submit(second, '/login/mfa', { code: code(secret) });
  }

  it('runs the code flow with PKCE through the console login and a real TOTP code', async () => {
    const owner = await ownerWithApp();
    const config = await discover(h.app, owner.clientId, owner.clientSecret);
    const request = await authorizationRequest(config);
    const browser = new Browser(h.app);
    const login = await browser.go(request.url);
    const consent = await signIn(browser, login, owner.email, owner.secret);
    expect(consent.html).toContain('data-testid="oidc-consent"');
    expect(consent.html).toContain('Wiki wants to sign you in');
    const back = await browser.submit(consent, /\/consent$/, { decision: 'allow' });
    expect(back.url.startsWith(REDIRECT)).toBe(true);
    const tokens = await client.authorizationCodeGrant(config, new URL(back.url), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(ISSUER);
    expect(claims.sub).toBe(owner.userId);
    expect(claims.aud).toBe(owner.clientId);
    expect(claims.acr).toBe('urn:twofold:acr:mfa');
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(claims.email).toBe(owner.email);
    expect(claims.preferred_username).toBe(owner.email);
    expect(typeof claims.auth_time).toBe('number');
    const info = await client.fetchUserInfo(config, tokens.access_token, owner.userId);
    expect(info.email).toBe(owner.email);
  });
});
