import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createHarness, primaryAccount, type Harness } from '../helpers/harness.js';

describe('bad input to /oidc and /oidc-login', () => {
  let h: Harness;
  let clientId = '';
  beforeAll(async () => {
    h = await createHarness('sqlite');
    const owner = await primaryAccount(h);
    const created = await call(h.app, 'POST', '/api/v1/oidc-clients', {
      token: owner.token,
      body: { name: 'W', redirectUris: ['https://app.example/cb'], type: 'public', firstParty: true },
    });
    clientId = created.body.client.id;
  });
  afterAll(async () => h.close());

  it('never answers with a 5xx', async () => {
    const long = 'a'.repeat(5000);
    const cases: { method: string; url: string; payload?: string; headers?: Record<string, string> }[] = [
      {
        method: 'GET',
        url: `/oidc/auth?client_id=${long}&response_type=code&scope=openid&redirect_uri=https://app.example/cb`,
      },
      { method: 'GET', url: `/oidc/auth?client_id=%00&response_type=code` },
      { method: 'GET', url: `/oidc/auth?client_id=${'%F0%9F%98%80'.repeat(10)}&response_type=code` },
      { method: 'GET', url: `/oidc/auth?client_id[]=a&client_id[]=b` },
      {
        method: 'GET',
        url: `/oidc/auth?client_id=CLIENT&response_type=code&scope=openid&redirect_uri=https://app.example/cb&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&max_age=abc`,
      },
      {
        method: 'GET',
        url: `/oidc/auth?client_id=CLIENT&response_type=code&scope=openid&redirect_uri=https://app.example/cb&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&max_age=-1`,
      },
      {
        method: 'GET',
        url: `/oidc/auth?client_id=CLIENT&response_type=code&scope=openid&redirect_uri=https://app.example/cb&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&acr_values=${long}`,
      },
      {
        method: 'GET',
        url: `/oidc/auth?client_id=CLIENT&response_type=code&scope=openid&redirect_uri=https://app.example/cb&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&claims=%7B%22id_token%22%3A%7B%22acr%22%3A%7B%22essential%22%3Atrue%2C%22value%22%3A%22x%22%7D%7D%7D`,
      },
      {
        method: 'GET',
        url: `/oidc/auth?client_id=CLIENT&response_type=code&scope=openid&redirect_uri=https://app.example/cb&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&request=eyJhbGciOiJub25lIn0.e30.`,
      },
      {
        method: 'GET',
        url: `/oidc/auth?client_id=CLIENT&response_type=code&scope=openid&redirect_uri=https://app.example/cb&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&id_token_hint=abc.def.ghi`,
      },
      {
        method: 'GET',
        url: `/oidc/auth?client_id=CLIENT&response_type=code&scope=openid&redirect_uri=https://app.example/cb&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&prompt=none`,
      },
      {
        method: 'GET',
        url: `/oidc/auth?client_id=CLIENT&response_type=code&scope=openid&redirect_uri=https://app.example/cb&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&response_mode=form_post`,
      },
      { method: 'GET', url: `/oidc/auth/${long}` },
      { method: 'GET', url: `/oidc/auth/abc` },
      { method: 'GET', url: `/oidc/session/end?id_token_hint=x&post_logout_redirect_uri=https://evil.example` },
      { method: 'GET', url: `/oidc/session/end?client_id=CLIENT&post_logout_redirect_uri=https://evil.example` },
      {
        method: 'POST',
        url: `/oidc/session/end/confirm`,
        payload: 'xsrf=x&logout=yes',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      {
        method: 'POST',
        url: `/oidc/token`,
        payload:
          'grant_type=authorization_code&code=x&client_id=CLIENT&redirect_uri=https://app.example/cb&code_verifier=' +
          'a'.repeat(43),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      {
        method: 'POST',
        url: `/oidc/token`,
        payload: '{"grant_type":"x"}',
        headers: { 'content-type': 'application/json' },
      },
      {
        method: 'POST',
        url: `/oidc/token`,
        payload: 'grant_type=refresh_token&refresh_token=' + long + '&client_id=CLIENT',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      {
        method: 'POST',
        url: `/oidc/token`,
        payload: 'grant_type=authorization_code',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: 'Basic ' + Buffer.from(long + ':x').toString('base64'),
        },
      },
      {
        method: 'POST',
        url: `/oidc/token`,
        payload: 'grant_type=authorization_code',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic %%%' },
      },
      {
        method: 'POST',
        url: `/oidc/token`,
        payload: 'grant_type=authorization_code&client_id=%00',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      {
        method: 'POST',
        url: `/oidc/token`,
        payload: 'a'.repeat(300_000),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      {
        method: 'POST',
        url: `/oidc/token/revocation`,
        payload: 'token=x&client_id=CLIENT',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      { method: 'GET', url: `/oidc/me`, headers: { authorization: 'Bearer ' + long } },
      { method: 'GET', url: `/oidc/me`, headers: { authorization: 'Bearer a.b' } },
      { method: 'GET', url: `/oidc/me?access_token=x` },
      {
        method: 'POST',
        url: `/oidc/me`,
        payload: 'access_token=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      { method: 'GET', url: `/oidc/jwks`, headers: { host: 'evil.example' } },
      {
        method: 'GET',
        url: `/oidc/.well-known/openid-configuration`,
        headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' },
      },
      { method: 'GET', url: `/oidc/reg` },
      { method: 'GET', url: `/oidc/../api/v1/me` },
      { method: 'GET', url: `/oidcx` },
      { method: 'GET', url: `/oidc-login/abc` },
      { method: 'GET', url: `/oidc-login/${'a'.repeat(99)}` },
      { method: 'GET', url: `/oidc-login/%00` },
      {
        method: 'GET',
        url: `/oidc-login/abc`,
        headers: { cookie: '_interaction=abc; twofold_oidc_interaction=abc; twofold_oidc_interaction.sig=zzz' },
      },
      {
        method: 'POST',
        url: `/oidc-login/abc/consent`,
        payload: 'decision=allow',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://twofold.test' },
      },
      {
        method: 'POST',
        url: `/oidc-login/abc/consent`,
        payload: '{}',
        headers: { 'content-type': 'application/json', origin: 'http://twofold.test' },
      },
      { method: 'POST', url: `/oidc-login/abc/consent`, payload: 'x', headers: { 'content-type': 'text/plain' } },
      {
        method: 'GET',
        url: `/login`,
        headers: { cookie: 'twofold_continue=' + encodeURIComponent('s:{"path":1}.bad') },
      },
    ];
    const bad: string[] = [];
    for (const c of cases) {
      const res = await h.app.inject({
        method: c.method as 'GET',
        url: c.url.replaceAll('CLIENT', clientId),
        headers: c.headers,
        ...(c.payload !== undefined ? { payload: c.payload } : {}),
      });
      const line = `${res.statusCode} ${c.method} ${c.url.slice(0, 90)} ${res.headers.location ?? ''}`.slice(0, 220);
      if (res.statusCode >= 500) bad.push(line + ' :: ' + res.body.slice(0, 300));
    }
    expect(bad).toEqual([]);
  });
});
