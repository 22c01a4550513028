import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import {
  PASSWORD,
  bindDevice,
  call,
  createHarness,
  createSubUser,
  databaseKinds,
  openInstancePair,
  primaryAccount,
  signupAndLogin,
  type Harness,
} from './helpers/harness.js';
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';
import { createSoftAuthenticator } from './helpers/soft-authenticator.js';
import { Browser, ISSUER, authorizationRequest, client, discover, type Page } from './helpers/oidc-rp.js';

const REDIRECT = 'https://app.example/cb';
const databaseUrl = process.env.TWOFOLD_TEST_DATABASE_URL;

/** The app's JWKS, as a relying party fetches it. */
async function jwksOf(h: Harness): Promise<JSONWebKeySet> {
  const res = await call(h.app, 'GET', '/oidc/jwks');
  expect(res.status).toBe(200);
  return res.body as JSONWebKeySet;
}

/** Checks an ID token's signature against the JWKS, and its issuer and audience (RFC 7519 §7.2). */
async function verifiedIdToken(h: Harness, idToken: string, audience: string) {
  const { payload } = await jwtVerify(idToken, createLocalJWKSet(await jwksOf(h)), { issuer: ISSUER, audience });
  return payload;
}

describe.each(databaseKinds())('OpenID Connect provider on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  /** A primary account with an authenticator app, and an application of its own. */
  async function ownerWithApp(
    options: { firstParty?: boolean; type?: 'public' | 'confidential'; workspaceId?: string } = {},
  ) {
    const owner = await primaryAccount(h);
    const device = await bindDevice(h, owner.token);
    const created = await registerApp(device.token as string, options);
    return {
      ...owner,
      token: device.token as string,
      secret: device.secret,
      clientId: created.clientId,
      clientSecret: created.clientSecret,
    };
  }

  async function registerApp(
    token: string,
    options: { firstParty?: boolean; type?: 'public' | 'confidential'; workspaceId?: string } = {},
  ) {
    const created = await call(h.app, 'POST', '/api/v1/oidc-clients', {
      token,
      body: {
        name: 'Wiki',
        redirectUris: [REDIRECT],
        postLogoutRedirectUris: ['https://app.example/bye'],
        type: options.type ?? 'confidential',
        ...(options.firstParty ? { firstParty: true } : {}),
        ...(options.workspaceId ? { workspaceId: options.workspaceId } : {}),
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return {
      clientId: created.body.client.id as string,
      clientSecret: created.body.clientSecret as string | undefined,
    };
  }

  const code = (secret: Buffer) => {
    h.clock.nextStep();
    return referenceTotp(secret, h.clock.now());
  };

  /** Password, then the dynamic code, on the console's own pages. */
  async function signIn(browser: Browser, page: Page, login: string, secret: Buffer | null): Promise<Page> {
    expect(page.url).toContain('/login');
    const second = await browser.submit(page, '/login', { login, password: PASSWORD });
    if (!secret) return second;
    expect(second.url).toContain('/login/mfa');
    return browser.submit(second, '/login/mfa', { code: code(secret) });
  }

  /** The whole first sign-in to a (third-party) application: login, code, consent; the callback URL. */
  async function firstSignIn(
    browser: Browser,
    config: client.Configuration,
    who: { email: string; secret: Buffer },
    extra: Record<string, string> = {},
  ) {
    const request = await authorizationRequest(config, extra);
    const login = await browser.go(request.url);
    expect(login.html).toContain('Sign in to continue to Wiki.');
    const consent = await signIn(browser, login, who.email, who.secret);
    expect(consent.html).toContain('data-testid="oidc-consent"');
    const back = await browser.submit(consent, /\/consent$/, { decision: 'allow' });
    expect(back.url.startsWith(REDIRECT)).toBe(true);
    return { request, back };
  }

  const exchange = (
    config: client.Configuration,
    back: Page,
    request: { verifier: string; state: string; nonce: string },
  ) =>
    client.authorizationCodeGrant(config, new URL(back.url), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });

  it('discovery names endpoints that answer, S256 only, and the acr and amr it supports', async () => {
    const res = await call(h.app, 'GET', '/oidc/.well-known/openid-configuration');
    expect(res.status).toBe(200);
    const meta = res.body;
    expect(meta.issuer).toBe(ISSUER);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.response_types_supported).toEqual(['code']);
    expect(meta.acr_values_supported).toEqual(['urn:twofold:acr:pwd', 'urn:twofold:acr:mfa', 'urn:twofold:acr:phr']);
    expect(meta.claims_supported).toEqual(
      expect.arrayContaining(['sub', 'acr', 'amr', 'auth_time', 'email', 'preferred_username']),
    );
    expect(meta.id_token_signing_alg_values_supported).toEqual(['ES256', 'RS256']);
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']));
    for (const name of [
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'jwks_uri',
      'end_session_endpoint',
      'revocation_endpoint',
    ]) {
      const url = new URL(meta[name]);
      expect(url.origin + url.pathname.slice(0, 5), name).toBe('http://twofold.test/oidc');
      // Each answers: never a 404 or 5xx (without parameters: an OAuth error or the document).
      const post = name === 'token_endpoint' || name === 'revocation_endpoint';
      const answer = await h.app.inject({
        method: post ? 'POST' : 'GET',
        url: url.pathname,
        ...(post ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' } : {}),
      });
      expect([200, 400, 401, 405], `${name} answered ${answer.statusCode}`).toContain(answer.statusCode);
    }
    const jwks = await jwksOf(h);
    expect(jwks.keys.map((k) => k.alg)).toEqual(['ES256', 'RS256']);
    // Public parts only.
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');
  });

  it('runs the code flow with PKCE through the console login and a real TOTP code; the ID token verifies', async () => {
    const owner = await ownerWithApp();
    const config = await discover(h.app, owner.clientId, owner.clientSecret);
    const browser = new Browser(h.app);
    const { request, back } = await firstSignIn(browser, config, owner);
    expect(new URL(back.url).searchParams.get('iss')).toBe(ISSUER);
    const tokens = await exchange(config, back, request);
    const claims = await verifiedIdToken(h, tokens.id_token!, owner.clientId);
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('ES256');
    expect(claims.sub).toBe(owner.userId);
    expect(claims.nonce).toBe(request.nonce);
    expect(claims.acr).toBe('urn:twofold:acr:mfa');
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(claims.email).toBe(owner.email);
    expect(claims.email_verified).toBe(false);
    expect(claims.preferred_username).toBe(owner.email);
    expect(typeof claims.auth_time).toBe('number');
    const info = await client.fetchUserInfo(config, tokens.access_token, owner.userId);
    expect(info).toMatchObject({ sub: owner.userId, email: owner.email, preferred_username: owner.email });

    // Signed in with MFA already, consent given: the next request comes straight back, asking nothing.
    const again = await authorizationRequest(config);
    const silent = await browser.go(again.url);
    expect(silent.url.startsWith(REDIRECT)).toBe(true);
    expect(browser.visited.slice(-4).some((u) => u.includes('/login'))).toBe(false);
    const second = await exchange(config, silent, again);
    expect(second.claims()!.auth_time).toBe(claims.auth_time);

    // Every code and token is in the owner's audit log, with the sign-in and the consent.
    const audit = await call(h.app, 'GET', '/api/v1/audit-events?limit=100', { token: owner.token });
    const types = (audit.body.events as { type: string }[]).map((e) => e.type);
    for (const type of [
      'oidc.client_created',
      'oidc.signed_in',
      'oidc.consent_given',
      'oidc.code_issued',
      'oidc.token_issued',
    ])
      expect(types, type).toContain(type);
  });

  it('a database dump holds no usable token: ids are stored hashed', async () => {
    const owner = await ownerWithApp();
    const config = await discover(h.app, owner.clientId, owner.clientSecret);
    const { request, back } = await firstSignIn(new Browser(h.app), config, owner);
    const tokens = await exchange(config, back, request);
    const rows = await h.database.db.selectFrom('oidc_payloads').select(['id_hash', 'payload']).execute();
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(tokens.access_token);
    expect(dump).not.toContain(new URL(back.url).searchParams.get('code')!);
    const keys = await h.database.db.selectFrom('oidc_keys').select('private_sealed').execute();
    expect(JSON.stringify(keys)).not.toContain('"d"');
  });

  it('refresh tokens rotate; reusing an old one revokes the grant', async () => {
    const owner = await ownerWithApp();
    const config = await discover(h.app, owner.clientId, owner.clientSecret);
    const { request, back } = await firstSignIn(new Browser(h.app), config, owner, {
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    const tokens = await exchange(config, back, request);
    expect(tokens.refresh_token).toBeTruthy();
    const rotated = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(rotated.refresh_token).toBeTruthy();
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    // The old one again: refused, and the whole grant goes — the new one stops working too.
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(client.refreshTokenGrant(config, rotated.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(client.fetchUserInfo(config, rotated.access_token, owner.userId)).rejects.toBeTruthy();
  });

  it('an application revokes its own refresh token (RFC 7009); a browser application gets CORS only from its own origin', async () => {
    const owner = await ownerWithApp();
    const config = await discover(h.app, owner.clientId, owner.clientSecret);
    const { request, back } = await firstSignIn(new Browser(h.app), config, owner, {
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    const tokens = await exchange(config, back, request);
    await client.tokenRevocation(config, tokens.refresh_token!);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const spa = await registerApp(owner.token, { type: 'public' });
    const preflight = (origin: string) =>
      h.app.inject({
        method: 'OPTIONS',
        url: '/oidc/token',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const token = async (origin: string) =>
      (
        await h.app.inject({
          method: 'POST',
          url: '/oidc/token',
          headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
          payload: `grant_type=authorization_code&client_id=${spa.clientId}&code=nope&redirect_uri=${encodeURIComponent(REDIRECT)}&code_verifier=${'a'.repeat(43)}`,
        })
      ).headers['access-control-allow-origin'];
    expect((await preflight('https://app.example')).statusCode).toBeLessThan(300);
    expect(await token('https://app.example')).toBe('https://app.example');
    expect(await token('https://evil.example')).toBeUndefined();
  });

  it('prompt=login and max_age=0 ask for the password and the code again; auth_time advances', async () => {
    const owner = await ownerWithApp();
    const config = await discover(h.app, owner.clientId, owner.clientSecret);
    const browser = new Browser(h.app);
    const first = await firstSignIn(browser, config, owner);
    const before = (await exchange(config, first.back, first.request)).claims()!.auth_time as number;
    for (const extra of [{ prompt: 'login' }, { max_age: '0' }] as Record<string, string>[]) {
      h.clock.advance(5_000);
      const request = await authorizationRequest(config, extra);
      const page = await browser.go(request.url);
      expect(page.url, JSON.stringify(extra)).toContain('/login?again=1');
      expect(page.html).toContain('Wiki asks you to sign in again');
      const back = await signIn(browser, page, owner.email, owner.secret);
      expect(back.url.startsWith(REDIRECT)).toBe(true);
      const claims = (await exchange(config, back, request)).claims()!;
      expect(claims.auth_time as number).toBeGreaterThan(before);
      expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    }
  });

  it('acr_values=mfa takes a user without a device through binding first; never a code with acr pwd', async () => {
    const owner = await primaryAccount(h);
    const app = await registerApp(owner.token, { firstParty: true });
    const config = await discover(h.app, app.clientId, app.clientSecret);
    const browser = new Browser(h.app);
    // Without acr_values a password alone is enough for this account: acr says so.
    const plain = await authorizationRequest(config);
    const back = await signIn(browser, await browser.go(plain.url), owner.email, null);
    expect(back.url.startsWith(REDIRECT)).toBe(true);
    const claims = (await exchange(config, back, plain)).claims()!;
    expect(claims.acr).toBe('urn:twofold:acr:pwd');
    expect(claims.amr).toEqual(['pwd']);

    const strict = await authorizationRequest(config, { acr_values: 'urn:twofold:acr:mfa' });
    const bind = await browser.go(strict.url);
    expect(bind.url).toContain('/account/security/mfa/bind');
    expect(bind.url.startsWith(REDIRECT)).toBe(false);
    // Bind an authenticator app on the console's pages; the application gets its code after that.
    const started = await browser.submit(bind, '/account/security/mfa/bind', {});
    const key = /data-testid="secret-key"[^>]*>([A-Z2-7 ]+)</.exec(started.html)?.[1]?.replace(/ /g, '');
    expect(key, started.html.slice(0, 500)).toBeTruthy();
    const secret = referenceBase32Decode(key!);
    h.clock.nextStep();
    const now = h.clock.now();
    const codes = await browser.submit(started, /\/activate$/, {
      code1: referenceTotp(secret, now, -1),
      code2: referenceTotp(secret, now),
    });
    expect(codes.html).toContain('data-testid="codes-saved"');
    const bound = await browser.submit(codes, /^\/oidc-login\//, { saved: '1' });
    expect(bound.url.startsWith(REDIRECT), bound.url).toBe(true);
    const mfa = (await exchange(config, bound, strict)).claims()!;
    expect(mfa.acr).toBe('urn:twofold:acr:mfa');
    expect(mfa.amr).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('a recovery code counts as MFA but is named: amr pwd, rc, mfa — never otp', async () => {
    const owner = await primaryAccount(h);
    const device = await bindDevice(h, owner.token);
    const app = await registerApp(device.token as string, { firstParty: true });
    const config = await discover(h.app, app.clientId, app.clientSecret);
    const browser = new Browser(h.app);
    const request = await authorizationRequest(config, { acr_values: 'urn:twofold:acr:mfa' });
    const second = await browser.submit(await browser.go(request.url), '/login', {
      login: owner.email,
      password: PASSWORD,
    });
    const back = await browser.submit(second, '/login/mfa', { recoveryCode: device.recoveryCodes[0]! });
    expect(back.url.startsWith(REDIRECT)).toBe(true);
    const claims = (await exchange(config, back, request)).claims()!;
    expect(claims.acr).toBe('urn:twofold:acr:mfa');
    expect(claims.amr).toEqual(['pwd', 'rc', 'mfa']);
  });

  it('acr_values=phr without a passkey is refused with a page that says why; no code', async () => {
    const owner = await ownerWithApp({ firstParty: true });
    const config = await discover(h.app, owner.clientId, owner.clientSecret);
    const browser = new Browser(h.app);
    const request = await authorizationRequest(config, { acr_values: 'urn:twofold:acr:phr' });
    const page = await signIn(browser, await browser.go(request.url), owner.email, owner.secret);
    expect(page.status).toBe(403);
    expect(page.html).toContain('requires a passkey');
    expect(browser.visited.some((u) => u.startsWith(REDIRECT))).toBe(false);
  });

  it('RP-initiated logout ends the provider session and the console session', async () => {
    const owner = await ownerWithApp();
    const config = await discover(h.app, owner.clientId, owner.clientSecret);
    const browser = new Browser(h.app);
    const { request, back } = await firstSignIn(browser, config, owner);
    const tokens = await exchange(config, back, request);
    const logoutUrl = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'https://app.example/bye',
      state: 'bye-state',
    });
    const question = await browser.go(logoutUrl.href);
    expect(question.html).toContain('data-testid="oidc-logout"');
    const after = await browser.submit(question, /\/session\/end\/confirm$/, { logout: 'yes' });
    expect(after.url).toBe('https://app.example/bye?state=bye-state');
    // The console session is over too, and a new request must sign in.
    const overview = await browser.request('GET', '/overview');
    expect(overview.location).toContain('/login');
    const next = await browser.go((await authorizationRequest(config)).url);
    expect(next.url).toContain('/login');
  });

  it('signing out of an application in one browser leaves the same user’s tokens elsewhere and the consent alone', async () => {
    const owner = await ownerWithApp();
    const config = await discover(h.app, owner.clientId, owner.clientSecret);
    const laptop = new Browser(h.app);
    const first = await firstSignIn(laptop, config, owner, { scope: 'openid offline_access', prompt: 'consent' });
    const kept = await exchange(config, first.back, first.request);
    // On the phone: a sign-in (consent already given), then the application's sign-out, both answers.
    for (const answer of [{}, { logout: 'yes' }] as Record<string, string>[]) {
      const phone = new Browser(h.app);
      const request = await authorizationRequest(config, { scope: 'openid' });
      const back = await signIn(phone, await phone.go(request.url), owner.email, owner.secret);
      expect(back.url.startsWith(REDIRECT), 'no consent asked again').toBe(true);
      const tokens = await exchange(config, back, request);
      const question = await phone.go(
        client.buildEndSessionUrl(config, {
          id_token_hint: tokens.id_token!,
          post_logout_redirect_uri: 'https://app.example/bye',
        }).href,
      );
      await phone.submit(question, /\/session\/end\/confirm$/, answer);
    }
    const refreshed = await client.refreshTokenGrant(config, kept.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
  });

  it('a redirect URI one character off is refused on twofold, before any redirect', async () => {
    const owner = await ownerWithApp();
    const config = await discover(h.app, owner.clientId, owner.clientSecret);
    const request = await authorizationRequest(config, { redirect_uri: 'https://app.example/cc' });
    const browser = new Browser(h.app);
    const page = await browser.request('GET', request.url);
    expect(page.status).toBe(400);
    expect(page.location).toBeUndefined();
    expect(page.html).toContain('an address it has not registered');
    // A public client without PKCE likewise never gets a code.
    const pub = await registerApp(owner.token, { type: 'public' });
    const publicConfig = await discover(h.app, pub.clientId);
    const noPkce = client.buildAuthorizationUrl(publicConfig, { redirect_uri: REDIRECT, scope: 'openid', state: 's' });
    const refused = await browser.request('GET', noPkce.href);
    expect(refused.location).toContain('error=invalid_request');
    expect(refused.location).not.toContain('code=');
  });

  it('a code used twice is refused, and the grant is revoked: the first access token stops working', async () => {
    const owner = await ownerWithApp();
    const config = await discover(h.app, owner.clientId, owner.clientSecret);
    const { request, back } = await firstSignIn(new Browser(h.app), config, owner);
    const tokens = await exchange(config, back, request);
    await expect(exchange(config, back, request)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.fetchUserInfo(config, tokens.access_token, owner.userId)).rejects.toBeTruthy();
    const audit = await call(h.app, 'GET', '/api/v1/audit-events?type=oidc.refused', { token: owner.token });
    expect(audit.body.events.some((e: { details: { endpoint: string } }) => e.details.endpoint === 'token')).toBe(true);
  });

  it('a user of another account gets the unknown-client refusal; no code is issued', async () => {
    const owner = await ownerWithApp();
    const config = await discover(h.app, owner.clientId, owner.clientSecret);
    const stranger = await signupAndLogin(h);
    const browser = new Browser(h.app);
    const request = await authorizationRequest(config);
    const page = await signIn(browser, await browser.go(request.url), stranger.email, null);
    expect(page.status).toBe(400);
    expect(page.html).toContain('not available to your account');
    expect(page.html).not.toContain('Wiki');
    // The very words an unknown application gets.
    const unknown = await browser.request('GET', request.url.replace(/client_id=[^&]+/, 'client_id=no-such-app'));
    expect(unknown.status).toBe(400);
    const text = (html: string) => /<div class="alert[^"]*"[^>]*>([^<]+)</.exec(html)?.[1];
    expect(text(unknown.html)).toBeTruthy();
    expect(text(unknown.html)).toBe(text(page.html));
    expect(browser.visited.some((u) => u.startsWith(REDIRECT))).toBe(false);
    const issued = await h.database.db
      .selectFrom('oidc_payloads')
      .select('model')
      .where('user_id', '=', stranger.userId)
      .where('model', '=', 'AuthorizationCode')
      .execute();
    expect(issued).toEqual([]);
  });

  it('disabling a sub-user revokes its refresh tokens; a disabled user gets nothing', async () => {
    const owner = await ownerWithApp({ firstParty: true });
    const sub = await createSubUser(h, owner.token, owner.alias);
    const config = await discover(h.app, owner.clientId, owner.clientSecret);
    const browser = new Browser(h.app);
    const request = await authorizationRequest(config, { scope: 'openid profile offline_access', prompt: 'consent' });
    const back = await signIn(browser, await browser.go(request.url), sub.login, null);
    expect(back.url.startsWith(REDIRECT)).toBe(true);
    const tokens = await exchange(config, back, request);
    expect(tokens.claims()!.preferred_username).toBe(sub.login);
    const disabled = await call(h.app, 'PATCH', `/api/v1/users/${sub.id}`, {
      token: owner.token,
      body: { disabled: true },
    });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(client.fetchUserInfo(config, tokens.access_token, sub.id)).rejects.toBeTruthy();
    const audit = await call(h.app, 'GET', '/api/v1/audit-events?type=oidc.grants_revoked', { token: owner.token });
    expect(audit.body.events[0]).toMatchObject({ type: 'oidc.grants_revoked', details: { reason: 'user_disabled' } });
  });

  it('an admin MFA reset revokes the sub-user’s grants', async () => {
    const owner = await ownerWithApp({ firstParty: true });
    const sub = await createSubUser(h, owner.token, owner.alias);
    const subSession = await call(h.app, 'POST', '/api/v1/sessions', {
      body: { login: sub.login, password: PASSWORD },
    });
    const subDevice = await bindDevice(h, subSession.body.session.token);
    const config = await discover(h.app, owner.clientId, owner.clientSecret);
    const request = await authorizationRequest(config, { scope: 'openid offline_access', prompt: 'consent' });
    const browser = new Browser(h.app);
    const back = await signIn(browser, await browser.go(request.url), sub.login, subDevice.secret);
    expect(back.url.startsWith(REDIRECT)).toBe(true);
    const tokens = await exchange(config, back, request);
    const reset = await call(h.app, 'DELETE', `/api/v1/users/${sub.id}/mfa-device`, { token: owner.token });
    expect([200, 204]).toContain(reset.status);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('an application of one workspace: members only, under the workspace policy', async () => {
    const owner = await ownerWithApp();
    const workspace = await call(h.app, 'POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'Ops' } });
    const app = await registerApp(owner.token, { workspaceId: workspace.body.workspace.id, firstParty: true });
    const config = await discover(h.app, app.clientId, app.clientSecret);
    const outsider = await createSubUser(h, owner.token, owner.alias);
    const browser = new Browser(h.app);
    const page = await signIn(
      browser,
      await browser.go((await authorizationRequest(config)).url),
      outsider.login,
      null,
    );
    expect(page.status).toBe(403);
    expect(page.html).toContain('only open to the members of the workspace Ops');
    // "Back to Wiki": the application hears access_denied (at its registered address), no code.
    const aborted = await browser.submit(page, /\/abort$/, {});
    expect(aborted.url.startsWith(REDIRECT)).toBe(true);
    expect(new URL(aborted.url).searchParams.get('error')).toBe('access_denied');
    expect(new URL(aborted.url).searchParams.get('code')).toBeNull();
    // The owner (a member) gets in.
    const ownerBrowser = new Browser(h.app);
    const request = await authorizationRequest(config);
    const back = await signIn(ownerBrowser, await ownerBrowser.go(request.url), owner.email, owner.secret);
    expect(back.url.startsWith(REDIRECT)).toBe(true);
  });

  it('client management: http redirect URIs only on localhost, another account sees "not found", delete revokes', async () => {
    const owner = await ownerWithApp();
    const bad = await call(h.app, 'POST', '/api/v1/oidc-clients', {
      token: owner.token,
      body: { name: 'X', redirectUris: ['http://app.example/cb'], type: 'public' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation.failed');
    const local = await call(h.app, 'POST', '/api/v1/oidc-clients', {
      token: owner.token,
      body: { name: 'Local', redirectUris: ['http://localhost:8123/cb'], type: 'public' },
    });
    expect(local.status).toBe(201);
    expect(local.body.clientSecret).toBeUndefined();
    // Hex: never starts with "-", which a command line would read as an option.
    expect(local.body.client.id).toMatch(/^[0-9a-f]{32}$/);
    const list = await call(h.app, 'GET', '/api/v1/oidc-clients', { token: owner.token });
    expect(JSON.stringify(list.body)).not.toContain(owner.clientSecret!);
    const other = await signupAndLogin(h);
    const peek = await call(h.app, 'PATCH', `/api/v1/oidc-clients/${owner.clientId}`, {
      token: other.token,
      body: { name: 'Mine now' },
    });
    expect(peek.status).toBe(404);
    expect(peek.body.error.code).toBe('oidc.client_not_found');

    const config = await discover(h.app, owner.clientId, owner.clientSecret);
    const { request, back } = await firstSignIn(new Browser(h.app), config, owner, {
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    const tokens = await exchange(config, back, request);
    const deleted = await call(h.app, 'DELETE', `/api/v1/oidc-clients/${owner.clientId}`, { token: owner.token });
    expect(deleted.status).toBe(204);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toBeTruthy();
    const rows = await h.database.db
      .selectFrom('oidc_payloads')
      .select('model')
      .where('client_id', '=', owner.clientId)
      .execute();
    expect(rows).toEqual([]);
  });

  it('housekeeping removes expired provider rows and retired keys past their day, and nothing live', async () => {
    const now = h.clock.now();
    const row = (id: string, expiresAt: number) => ({
      model: 'AccessToken',
      id_hash: id,
      payload: '{}',
      grant_hash: null,
      uid_hash: null,
      user_id: null,
      client_id: null,
      expires_at: expiresAt,
      consumed_at: null,
    });
    await h.database.db
      .insertInto('oidc_payloads')
      .values([row('expired-1', now - 1), row('live-1', now + 60_000)])
      .execute();
    await h.services.oidc.keys.current();
    await h.database.db
      .insertInto('oidc_keys')
      .values({
        kid: 'old-key',
        alg: 'ES256',
        private_sealed: 'x',
        created_at: now - 5,
        retired_at: now - 4,
        expires_at: now - 1,
      })
      .execute();
    const counts = await h.services.housekeeping.runOnce();
    expect(counts.oidcPayloads).toBeGreaterThanOrEqual(1);
    expect(counts.oidcKeys).toBe(1);
    const left = await h.database.db
      .selectFrom('oidc_payloads')
      .select('id_hash')
      .where('id_hash', 'in', ['expired-1', 'live-1'])
      .execute();
    expect(left.map((r) => r.id_hash)).toEqual(['live-1']);
    expect((await jwksOf(h)).keys.length).toBeGreaterThanOrEqual(2);
  });

  it('after a key rotation, ID tokens signed with the old key still verify, and new ones use the new key', async () => {
    const owner = await ownerWithApp({ firstParty: true });
    const config = await discover(() => h.app, owner.clientId, owner.clientSecret);
    const browser = new Browser(h.app);
    const first = await authorizationRequest(config);
    const back = await signIn(browser, await browser.go(first.url), owner.email, owner.secret);
    const oldToken = (await exchange(config, back, first)).id_token!;
    const oldKid = decodeProtectedHeader(oldToken).kid;
    await h.services.oidc.keys.rotate();
    await h.restart(); // a running instance picks the new keys up within seconds; a new one at once
    browser.app = h.app;
    const jwks = await jwksOf(h);
    expect(jwks.keys.map((k) => k.kid)).toContain(oldKid);
    await verifiedIdToken(h, oldToken, owner.clientId);
    const second = await authorizationRequest(config);
    const fresh = await browser.go(second.url);
    const newToken = (await exchange(config, fresh, second)).id_token!;
    expect(decodeProtectedHeader(newToken).kid).not.toBe(oldKid);
    await verifiedIdToken(h, newToken, owner.clientId);
  });
});

describe.each(databaseKinds())('OpenID Connect with passkeys on %s', (kind) => {
  const ORIGIN = 'http://localhost:3000';
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind, { config: { publicUrl: ORIGIN } });
  });
  afterAll(async () => h.close());

  it('acr_values=phr is met by a passkey at the second step: acr phr, amr pwd hwk mfa; a code alone is not enough', async () => {
    const owner = await primaryAccount(h);
    const device = await bindDevice(h, owner.token);
    const token = device.token as string;
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
    const created = await call(h.app, 'POST', '/api/v1/oidc-clients', {
      token: activated.body.session?.token ?? token,
      body: { name: 'Vault', redirectUris: [REDIRECT], type: 'confidential', firstParty: true },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const config = await discover(h.app, created.body.client.id, created.body.clientSecret, `${ORIGIN}/oidc`);
    const browser = new Browser(h.app, undefined, ORIGIN);
    const request = await authorizationRequest(config, { acr_values: 'urn:twofold:acr:phr' });
    const login = await browser.go(request.url);
    const second = await browser.submit(login, '/login', { login: owner.email, password: PASSWORD });
    expect(second.url).toContain('/login/mfa');

    // A code alone: signed in to the console, but the application wants a passkey — verify with one.
    h.clock.nextStep();
    const withCode = await browser.submit(
      second,
      '/login/mfa',
      { code: referenceTotp(device.secret, h.clock.now()) },
      'name="code"',
    );
    expect(withCode.url).toContain('/oidc-login/');
    expect(withCode.html).toContain('Signing in to Vault');
    expect(browser.visited.some((u) => u.startsWith(REDIRECT))).toBe(false);

    // Sign in again with the passkey as the second step.
    const strict = await authorizationRequest(config, { acr_values: 'urn:twofold:acr:phr', prompt: 'login' });
    const again = await browser.go(strict.url);
    const step = await browser.submit(again, '/login', { login: owner.email, password: PASSWORD });
    const options = await browser.request('POST', '/login/mfa/options', { _csrf: browser.cookie('twofold_csrf')! });
    expect(options.status).toBe(200);
    const assertion = authenticator.authenticate(JSON.parse(options.html).options);
    const back = await browser.submit(step, '/login/mfa', {
      method: 'webauthn',
      credential: JSON.stringify(assertion),
    });
    expect(back.url.startsWith(REDIRECT), back.url).toBe(true);
    const tokens = await client.authorizationCodeGrant(config, new URL(back.url), {
      pkceCodeVerifier: strict.verifier,
      expectedState: strict.state,
      expectedNonce: strict.nonce,
    });
    expect(tokens.claims()).toMatchObject({ acr: 'urn:twofold:acr:phr', amr: ['pwd', 'hwk', 'mfa'] });
  });
});

describe.runIf(databaseUrl)('OpenID Connect across two instances on one PostgreSQL', () => {
  it('authorize on A, exchange the code on B, userinfo on A', async () => {
    const pair = await openInstancePair();
    try {
      const { a, b } = pair;
      const owner = await primaryAccount(a);
      const created = await call(a.app, 'POST', '/api/v1/oidc-clients', {
        token: owner.token,
        body: { name: 'Wiki', redirectUris: [REDIRECT], type: 'confidential', firstParty: true },
      });
      expect(created.status).toBe(201);
      const onA = await discover(a.app, created.body.client.id, created.body.clientSecret);
      const onB = await discover(b.app, created.body.client.id, created.body.clientSecret);
      const request = await authorizationRequest(onA);
      const browser = new Browser(a.app);
      const login = await browser.go(request.url);
      const back = await browser.submit(login, '/login', { login: owner.email, password: PASSWORD });
      expect(back.url.startsWith(REDIRECT)).toBe(true);
      const tokens = await client.authorizationCodeGrant(onB, new URL(back.url), {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      const info = await client.fetchUserInfo(onA, tokens.access_token, owner.userId);
      expect(info.email).toBe(owner.email);
      // B verifies what A signed: one key set in the database.
      const jwksA = await call(a.app, 'GET', '/oidc/jwks');
      const jwksB = await call(b.app, 'GET', '/oidc/jwks');
      expect(jwksB.body).toEqual(jwksA.body);
    } finally {
      await pair.close();
    }
  });
});
