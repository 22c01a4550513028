import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createHarness, primaryAccount, type Harness } from '../helpers/harness.js';

describe('anonymous refusals and the audit log', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(async () => h.close());
  it('anonymous bad requests naming a client write nothing into its owner’s audit log', async () => {
    const owner = await primaryAccount(h);
    const r = await call(h.app, 'POST', '/api/v1/oidc-clients', {
      token: owner.token,
      body: { name: 'W', redirectUris: ['https://app.example/cb'], type: 'public' },
    });
    const id = r.body.client.id;
    const count = async () =>
      Number(
        (await h.database.db
          .selectFrom('audit_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst())!.n,
      );
    const before = await count();
    for (let i = 0; i < 50; i++) {
      await h.app.inject({
        method: 'GET',
        url: `/oidc/auth?client_id=${id}&redirect_uri=https://x.example/${i}&response_type=code&scope=openid`,
      });
      await h.app.inject({
        method: 'POST',
        url: '/oidc/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `grant_type=authorization_code&client_id=nope${i}`,
      });
    }
    const after = await count();
    const ownerView = await call(h.app, 'GET', '/api/v1/audit-events?type=oidc.refused&limit=100', {
      token: owner.token,
    });
    expect(ownerView.body.events).toEqual([]);
    expect(after - before).toBeLessThan(10);
    // A forged Host or X-Forwarded-* does not move the issuer or its endpoints.
    const disc = await h.app.inject({
      method: 'GET',
      url: '/oidc/.well-known/openid-configuration',
      headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
    });
    expect(JSON.parse(disc.body)).toMatchObject({
      issuer: 'http://twofold.test/oidc',
      authorization_endpoint: 'http://twofold.test/oidc/auth',
    });
  });
});
