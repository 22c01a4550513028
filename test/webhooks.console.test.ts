import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import {
  createHarness,
  createSubUser,
  databaseKinds,
  loginAs,
  loginFull,
  userWithDevice,
  type Harness,
} from './helpers/harness.js';
import type { LightMyRequestResponse } from 'fastify';
import { formClient, hiddenFields } from './helpers/console-forms.js';
import { referenceTotp } from './helpers/rfc6238.js';
import { startReceiver, type Receiver } from './helpers/webhook-receiver.js';

/**
 * Webhooks (issue 24) through the console's forms, without a browser or JavaScript: registering
 * (a fresh step-up, then the form continues), the secret shown once, the deliveries with "Send
 * again", a new secret, deleting after a confirmation, a refused URL that keeps what was typed, and
 * a sub-user refused.
 */

const browser = formClient;
type Client = ReturnType<typeof browser>;

const secretOn = (html: string) => /data-testid="signing-secret">(whsec_[^<]+)</.exec(html)?.[1];

describe.each(databaseKinds())('console › Webhooks on %s (issue 24)', (kind) => {
  let h: Harness;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await createHarness(kind, { config: { webhooksAllowPrivate: true } });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

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

  it('registers with a step-up, shows the secret once, lists deliveries, sends one again, rotates and deletes', async () => {
    const owner = await userWithDevice(h);
    const { token } = await loginFull(h, owner);
    const tab = browser(h);
    tab.signIn(token);

    const empty = await tab.get('/webhooks');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('data-testid="no-webhooks"');
    expect(empty.body).toContain('name="e:login.succeeded"');
    expect(empty.body).toContain('<legend>Sign-in</legend>');

    // A refused URL: the form comes back with the message and what was typed (no step-up asked).
    const refused = await tab.post('/webhooks', { url: 'ftp://hooks.example.test/x', 'e:login.succeeded': '1' });
    expect(refused.statusCode).toBe(303);
    const again = await tab.get('/webhooks');
    expect(again.body).toContain('absolute http:// or https:// address');
    expect(again.body).toContain('value="ftp://hooks.example.test/x"');
    expect(again.body).toMatch(/name="e:login\.succeeded" value="1" checked/);
    // No event chosen.
    await tab.post('/webhooks', { url: receiver.url });
    expect((await tab.get('/webhooks')).body).toContain('Choose at least one event.');

    // The login's step-up has gone stale: registering asks for a verification, then continues.
    h.clock.advance(301_000);
    const asked = await tab.post('/webhooks', {
      url: receiver.url,
      'e:login.succeeded': '1',
      'e:mfa.verify_failed': '1',
    });
    const created = await verifyAndContinue(tab, asked, owner.secret, 'webhooks.create');
    expect(created.statusCode).toBe(200);
    expect(created.headers['cache-control']).toContain('no-store');
    const secret = secretOn(created.body)!;
    expect(secret).toMatch(/^whsec_/);
    expect(created.body).toContain('data-testid="secret-once"');

    const list = await tab.get('/webhooks');
    expect(list.body).toContain(receiver.url);
    expect(list.body).toContain('Logged in, Wrong dynamic code');
    expect(list.body).not.toContain(secret.slice(6, 20));
    const id = /data-webhook="([^"]+)"/.exec(list.body)![1]!;

    // An event: a failing receiver first.
    receiver.answer(500);
    await loginFull(h, owner);
    await h.services.webhooks.worker.runOnce();
    let page = await tab.get(`/webhooks/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-testid="delivery" data-status="pending"');
    expect(page.body).toContain('answered 500 · 1 attempt<');
    expect(page.body).not.toContain(secret.slice(6, 20));
    const deliveryId = /action="\/webhooks\/[^/]+\/deliveries\/([^/]+)\/retry"/.exec(page.body)![1]!;

    const sent = await tab.post(`/webhooks/${id}/deliveries/${deliveryId}/retry`, {});
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe(`/webhooks/${id}?notice=retried`);
    await h.services.webhooks.worker.runOnce();
    page = await tab.get(`/webhooks/${id}?notice=retried`);
    expect(page.body).toContain('The delivery is on its way again.');
    expect(page.body).toContain('data-testid="delivery" data-status="delivered"');
    expect(page.body).toContain('answered 200 · 1 attempt<');
    const [first, second] = receiver.received;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    // The receiver's clock is the test clock (moved past the step-up's five minutes).
    vi.useFakeTimers({ toFake: ['Date'], now: h.clock.now() });
    try {
      expect((new Webhook(secret).verify(second!.body, second!.headers) as { type: string }).type).toBe(
        'login.succeeded',
      );
    } finally {
      vi.useRealTimers();
    }

    // A new secret (the step-up is fresh from the registration): shown once.
    const rotated = await tab.post(`/webhooks/${id}/secret`, {});
    expect(rotated.statusCode).toBe(200);
    const fresh = secretOn(rotated.body)!;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(secret);

    // Delete: a confirmation first.
    const confirm = await tab.post(`/webhooks/${id}/delete`, {});
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('name="confirmed" value="1"');
    const deleted = await tab.post(`/webhooks/${id}/delete`, { confirmed: '1' });
    expect(deleted.statusCode).toBe(303);
    expect(deleted.headers.location).toBe('/webhooks?notice=deleted');
    const after = await tab.get('/webhooks?notice=deleted');
    expect(after.body).toContain('The webhook was deleted.');
    expect(after.body).toContain('data-testid="no-webhooks"');
    expect((await tab.get(`/webhooks/${id}`)).statusCode).toBe(404);
  });

  it('a sub-user is refused', async () => {
    const owner = await userWithDevice(h);
    const { token } = await loginFull(h, owner);
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    const sub = await createSubUser(h, token, JSON.parse(me.body).account.alias);
    const tab = browser(h);
    tab.signIn((await loginAs(h, sub.login)).body.session.token);
    const page = await tab.get('/webhooks');
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('Only the primary account registers and manages webhooks.');
  });
});
