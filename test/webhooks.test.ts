import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import {
  call,
  createHarness,
  createSchema,
  createSubUser,
  dropSchema,
  databaseKinds,
  loginAs,
  primaryAccount,
  type Harness,
} from './helpers/harness.js';
import { startReceiver, type Receiver } from './helpers/webhook-receiver.js';
import { RETRY_SCHEDULE_MS, DEFAULT_LEASE_MS } from '../src/domain/webhooks/delivery.js';
import { systemResolver } from '../src/domain/webhooks/addresses.js';

/** Registers a webhook as the owner (fresh from login, so the step-up holds). */
async function register(h: Harness, token: string, url: string, events: string[] = ['login.succeeded']) {
  const res = await call(h.app, 'POST', '/api/v1/webhooks', { token, body: { url, events } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.webhook.id as string, secret: res.body.secret as string, body: res.body };
}

/** An endpoint's deliveries, newest first, as the API shows them (read directly: hours pass in these tests). */
const deliveriesOf = async (h: Harness, id: string) =>
  (await h.services.store.repos.webhooks.listDeliveries(id, 50)).map((d) => ({
    id: d.event_id,
    eventType: d.event_type,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.last_status_code,
    lastError: d.last_error,
  }));

const endpointOf = async (h: Harness, id: string) => {
  const row = await h.services.store.repos.webhooks.findEndpoint(id);
  return row && { enabled: row.enabled === 1, disabledReason: row.disabled_reason };
};

const webhooksOf = async (h: Harness, token: string) =>
  (await call(h.app, 'GET', '/api/v1/webhooks', { token })).body.webhooks as {
    id: string;
    enabled: boolean;
    disabledReason?: string;
  }[];

/**
 * The receiver's check (standardwebhooks): signature, and a timestamp within 5 minutes of the
 * receiver's clock — the test clock, which these tests move through the retry schedule.
 */
function verify(h: Harness, secret: string, received: { body: string; headers: Record<string, string> }) {
  vi.useFakeTimers({ toFake: ['Date'], now: h.clock.now() });
  try {
    return new Webhook(secret).verify(received.body, received.headers) as {
      type: string;
      data: Record<string, unknown>;
    };
  } finally {
    vi.useRealTimers();
  }
}

describe.each(databaseKinds())('webhooks on %s (issue 24)', (kind) => {
  let h: Harness;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await createHarness(kind, { config: { webhooksAllowPrivate: true } });
  });
  afterAll(async () => {
    await h.services.webhooks.worker.stop();
    await h.close();
  });
  // A receiver per test: earlier tests' endpoints keep their own (closed) ones.
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => receiver.close());
  const run = () => h.services.webhooks.worker.runOnce();

  it('delivers subscribed events of its own account only, signed (Standard Webhooks verifies), with no secret in the body', async () => {
    const owner = await primaryAccount(h);
    const other = await primaryAccount(h);
    const before = receiver.received.length;
    const hook = await register(h, owner.token, receiver.url, ['login.succeeded', 'user.created']);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(hook.body.webhook).toEqual({
      id: hook.id,
      url: receiver.url,
      events: ['login.succeeded', 'user.created'],
      enabled: true,
      createdAt: expect.any(String),
    });
    // The list never shows the secret.
    const listed = await call(h.app, 'GET', '/api/v1/webhooks', { token: owner.token });
    expect(JSON.stringify(listed.body)).not.toContain(hook.secret.slice(6, 20));

    await loginAs(h, owner.email); // subscribed
    await loginAs(h, other.email); // another account
    await call(h.app, 'POST', '/api/v1/me/step-up', {
      token: owner.token,
      body: { method: 'password', password: 'wrong password here' },
    }); // not subscribed (stepup.failed)
    await createSubUser(h, owner.token, owner.alias); // subscribed
    await run();

    const got = receiver.received.slice(before);
    expect(got.map((r) => verify(h, hook.secret, r).type).sort()).toEqual(['login.succeeded', 'user.created']);
    const login = got.find((r) => verify(h, hook.secret, r).type === 'login.succeeded')!;
    expect(login.headers['content-type']).toBe('application/json');
    expect(login.headers['webhook-id']).toMatch(/^msg_/);
    expect(Number(login.headers['webhook-timestamp'])).toBe(Math.floor(h.clock.now() / 1000));
    const payload = JSON.parse(login.body);
    expect(payload).toMatchObject({
      type: 'login.succeeded',
      data: { type: 'login.succeeded', accountId: owner.accountId, userId: owner.userId },
    });
    expect(payload.timestamp).toBe(payload.data.at);
    expect(login.headers['webhook-id']).toBe(`msg_${payload.data.id}`);
    for (const r of got) {
      expect(r.body).not.toContain(hook.secret);
      expect(r.body).not.toContain('whsec_');
      expect(r.body).not.toContain('correct horse');
    }
    const deliveries = await deliveriesOf(h, hook.id);
    expect(deliveries.map((d) => [d.eventType, d.status, d.attempts, d.lastStatusCode]).sort()).toEqual([
      ['login.succeeded', 'delivered', 1, 200],
      ['user.created', 'delivered', 1, 200],
    ]);
    // Newest first, through the API.
    const api = await call(h.app, 'GET', `/api/v1/webhooks/${hook.id}/deliveries`, { token: owner.token });
    expect(api.status).toBe(200);
    expect(api.body.deliveries[0]).toEqual({
      id: expect.any(String),
      eventType: 'user.created',
      status: 'delivered',
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
      at: expect.any(String),
      lastAttemptAt: expect.any(String),
      nextAttemptAt: null,
    });
    // The other account's webhooks list does not show this one, and it cannot read its deliveries.
    expect(await webhooksOf(h, other.token)).toEqual([]);
    const foreign = await call(h.app, 'GET', `/api/v1/webhooks/${hook.id}/deliveries`, { token: other.token });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('webhook.not_found');
  });

  it('500, 500, 200: three attempts on the schedule with the same webhook-id, each signature verifies', async () => {
    const owner = await primaryAccount(h);
    const hook = await register(h, owner.token, receiver.url);
    const before = receiver.received.length;
    receiver.answer(500, 500, 200);
    await loginAs(h, owner.email);
    await run();
    expect(receiver.received.length - before).toBe(1);
    let [delivery] = await deliveriesOf(h, hook.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
    // Not before its time.
    h.clock.advance(RETRY_SCHEDULE_MS[0] - 1000);
    await run();
    expect(receiver.received.length - before).toBe(1);
    h.clock.advance(1000);
    await run();
    h.clock.advance(RETRY_SCHEDULE_MS[1]);
    await run();
    const got = receiver.received.slice(before);
    expect(got).toHaveLength(3);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(got.map((r) => r.headers['webhook-timestamp'])).size).toBe(3);
    for (const r of got) expect(verify(h, hook.secret, r).type).toBe('login.succeeded');
    [delivery] = await deliveriesOf(h, hook.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });
  });

  it('410 Gone turns the endpoint off after one attempt, audits it and e-mails the owner', async () => {
    const owner = await primaryAccount(h);
    const hook = await register(h, owner.token, receiver.url);
    const before = receiver.received.length;
    receiver.answer(410);
    await loginAs(h, owner.email);
    await loginAs(h, owner.email);
    await run();
    // The second event is not sent once the endpoint is gone (the first attempt may take either).
    expect(receiver.received.length - before).toBe(1);
    const [listed] = await webhooksOf(h, owner.token);
    expect(listed).toMatchObject({
      id: hook.id,
      enabled: false,
      disabledReason: 'gone',
      disabledAt: expect.any(String),
    });
    const deliveries = await deliveriesOf(h, hook.id);
    expect(deliveries.map((d) => d.status)).toEqual(['failed', 'failed']);
    expect(deliveries.find((d) => d.attempts === 1)).toMatchObject({ lastStatusCode: 410 });
    const audit = await call(h.app, 'GET', '/api/v1/audit-events?type=webhook.disabled', { token: owner.token });
    expect(audit.body.events[0]).toMatchObject({
      type: 'webhook.disabled',
      details: { webhookId: hook.id, reason: 'gone', lastStatusCode: 410 },
    });
    const mail = (await h.services.outbox(owner.email)).find((m) => m.kind === 'webhook.disabled');
    expect(mail?.subject).toContain('A webhook was turned off');
    expect(mail?.text).toContain('410');
    // A new event reaches it no more.
    await loginAs(h, owner.email);
    await run();
    expect(receiver.received.length - before).toBe(1);
    expect(await deliveriesOf(h, hook.id)).toHaveLength(2);

    // "Send again" turns it on again and sends the same message (same webhook-id).
    const failed = deliveries.find((d) => d.attempts === 1)!;
    const retried = await call(h.app, 'POST', `/api/v1/webhooks/${hook.id}/deliveries/${failed.id}/retry`, {
      token: owner.token,
    });
    expect(retried.status).toBe(202);
    await run();
    expect(receiver.received.length - before).toBe(2);
    expect(receiver.received.at(-1)!.headers['webhook-id']).toBe(receiver.received[before]!.headers['webhook-id']);
    expect((await webhooksOf(h, owner.token))[0]).toMatchObject({ enabled: true });
    expect((await deliveriesOf(h, hook.id)).find((d) => d.id === failed.id)).toMatchObject({
      status: 'delivered',
    });
    const again = await call(h.app, 'GET', '/api/v1/audit-events?type=webhook.delivery_retried', {
      token: owner.token,
    });
    expect(again.body.events[0].details).toMatchObject({ webhookId: hook.id, deliveryId: failed.id, reenabled: true });
    const unknown = await call(h.app, 'POST', `/api/v1/webhooks/${hook.id}/deliveries/nope/retry`, {
      token: owner.token,
    });
    expect(unknown.status).toBe(404);
  });

  it('a delivery that fails through the whole schedule (about a day) is failed and the endpoint turned off', async () => {
    const owner = await primaryAccount(h);
    const hook = await register(h, owner.token, receiver.url);
    const before = receiver.received.length;
    receiver.answer(...Array.from({ length: RETRY_SCHEDULE_MS.length + 1 }, () => 503));
    await loginAs(h, owner.email);
    await run();
    let total = 0;
    for (const wait of RETRY_SCHEDULE_MS) {
      expect((await endpointOf(h, hook.id))!.enabled).toBe(true);
      h.clock.advance(wait);
      total += wait;
      await run();
    }
    expect(total).toBeGreaterThan(20 * 3600_000);
    expect(total).toBeLessThan(26 * 3600_000);
    expect(receiver.received.length - before).toBe(RETRY_SCHEDULE_MS.length + 1);
    const [delivery] = await deliveriesOf(h, hook.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: RETRY_SCHEDULE_MS.length + 1, lastStatusCode: 503 });
    expect(await endpointOf(h, hook.id)).toEqual({ enabled: false, disabledReason: 'failing' });
    expect((await h.services.outbox(owner.email)).some((m) => m.kind === 'webhook.disabled')).toBe(true);
    h.clock.advance(24 * 3600_000);
    await run();
    expect(receiver.received.length - before).toBe(RETRY_SCHEDULE_MS.length + 1);
  });

  it('429 with Retry-After is retried then, not on the schedule', async () => {
    const owner = await primaryAccount(h);
    const hook = await register(h, owner.token, receiver.url);
    const before = receiver.received.length;
    receiver.answer({ status: 429, headers: { 'retry-after': '120' } });
    await loginAs(h, owner.email);
    await run();
    h.clock.advance(RETRY_SCHEDULE_MS[0]);
    await run();
    expect(receiver.received.length - before).toBe(1);
    h.clock.advance(120_000 - RETRY_SCHEDULE_MS[0]);
    await run();
    expect(receiver.received.length - before).toBe(2);
    expect((await deliveriesOf(h, hook.id))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('a rotated secret: both signatures for a day, each secret verifies; then only the new one', async () => {
    const owner = await primaryAccount(h);
    const hook = await register(h, owner.token, receiver.url);
    const rotated = await call(h.app, 'POST', `/api/v1/webhooks/${hook.id}/secret`, { token: owner.token });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(hook.secret);
    await loginAs(h, owner.email);
    await run();
    const both = receiver.received.at(-1)!;
    const signatures = both.headers['webhook-signature']!.split(' ');
    expect(signatures).toHaveLength(2);
    for (const s of signatures) expect(s).toMatch(/^v1,/);
    expect(verify(h, fresh, both).type).toBe('login.succeeded');
    expect(verify(h, hook.secret, both).type).toBe('login.succeeded');
    const audit = await call(h.app, 'GET', '/api/v1/audit-events?type=webhook.secret_rotated', { token: owner.token });
    expect(audit.body.events[0].details).toMatchObject({ webhookId: hook.id });
    expect(JSON.stringify(audit.body)).not.toContain(fresh.slice(6, 20));

    h.clock.advance(24 * 3600_000 + 1000);
    const relogin = await loginAs(h, owner.email);
    await run();
    const later = receiver.received.at(-1)!;
    expect(later.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    // Timestamps a day ahead of the wall clock: check the signature itself.
    const id = later.headers['webhook-id']!;
    const ts = Number(later.headers['webhook-timestamp']);
    expect(later.headers['webhook-signature']).toBe(new Webhook(fresh).sign(id, new Date(ts * 1000), later.body));
    expect(relogin.status).toBe(201);
  });

  it('a rolled-back change emits nothing; a deleted webhook gets nothing more', async () => {
    const owner = await primaryAccount(h);
    const hook = await register(h, owner.token, receiver.url, ['login.succeeded']);
    const before = receiver.received.length;
    await expect(
      h.services.store.transaction(async (repos) => {
        await repos.audit.insert({
          id: `zzrollback${Date.now().toString(36)}`,
          account_id: owner.accountId,
          user_id: owner.userId,
          actor_id: owner.userId,
          actor_role: null,
          type: 'login.succeeded',
          ip: null,
          user_agent: null,
          at: h.clock.now(),
          details: '{}',
        });
        // Something later in the same change fails.
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await run();
    expect(receiver.received.length - before).toBe(0);
    expect(await deliveriesOf(h, hook.id)).toEqual([]);

    const removed = await call(h.app, 'DELETE', `/api/v1/webhooks/${hook.id}`, { token: owner.token });
    expect(removed.status).toBe(204);
    await loginAs(h, owner.email);
    await run();
    expect(receiver.received.length - before).toBe(0);
    expect((await call(h.app, 'DELETE', `/api/v1/webhooks/${hook.id}`, { token: owner.token })).status).toBe(404);
    const audit = await call(h.app, 'GET', '/api/v1/audit-events?type=webhook.deleted', { token: owner.token });
    expect(audit.body.events[0].details).toMatchObject({ webhookId: hook.id });
  });

  it('a process killed mid-delivery: after its lease the delivery is sent again with the same webhook-id', async () => {
    const owner = await primaryAccount(h);
    const hook = await register(h, owner.token, receiver.url);
    const before = receiver.received.length;
    receiver.answer('hang');
    await loginAs(h, owner.email);
    const pending = run();
    await receiver.waitFor(before + 1);
    // The process goes away while the receiver holds the request (nothing is recorded).
    await h.services.webhooks.worker.stop();
    await pending;
    await h.restart();
    await h.services.webhooks.worker.runOnce();
    expect(receiver.received.length - before).toBe(1); // still leased
    h.clock.advance(DEFAULT_LEASE_MS + 1000);
    await h.services.webhooks.worker.runOnce();
    expect(receiver.received.length - before).toBe(2);
    const [first, second] = receiver.received.slice(before);
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(verify(h, hook.secret, second!).type).toBe('login.succeeded');
    expect((await deliveriesOf(h, hook.id))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('an answer is read up to the cap and an attempt gives up at the timeout (small injected limits)', async () => {
    const owner = await primaryAccount(h);
    const hook = await register(h, owner.token, receiver.url);
    const network = h.services.webhooks.network;
    const saved = { timeoutMs: network.timeoutMs, maxResponseBytes: network.maxResponseBytes };
    try {
      network.maxResponseBytes = 1024;
      network.timeoutMs = 300;
      receiver.answer('endless');
      await loginAs(h, owner.email);
      await run();
      expect((await deliveriesOf(h, hook.id))[0]).toMatchObject({
        status: 'pending',
        attempts: 1,
        lastStatusCode: 500,
        lastError: expect.stringContaining('longer than 1024 bytes'),
      });
      receiver.answer('hang');
      h.clock.advance(RETRY_SCHEDULE_MS[0]);
      await run();
      expect((await deliveriesOf(h, hook.id))[0]).toMatchObject({
        status: 'pending',
        attempts: 2,
        lastStatusCode: null,
        lastError: expect.stringContaining('within 300 ms'),
      });
      // A redirect is not followed: a failed attempt.
      receiver.answer({ status: 302, headers: { location: 'http://169.254.169.254/' } });
      h.clock.advance(RETRY_SCHEDULE_MS[1]);
      await run();
      expect((await deliveriesOf(h, hook.id))[0]).toMatchObject({
        status: 'pending',
        attempts: 3,
        lastStatusCode: 302,
        lastError: expect.stringContaining('redirects are not followed'),
      });
    } finally {
      Object.assign(network, saved);
    }
  });

  it('events must be known audit types, at least one, no repeats; at most 10 endpoints', async () => {
    const owner = await primaryAccount(h);
    for (const events of [[], ['login.succeeded', 'login.succeeded'], ['no.such_event']]) {
      const res = await call(h.app, 'POST', '/api/v1/webhooks', {
        token: owner.token,
        body: { url: receiver.url, events },
      });
      expect(res.status, JSON.stringify(events)).toBe(400);
      expect(res.body.error.code).toBe('validation.failed');
    }
    for (let i = 0; i < 10; i++) await register(h, owner.token, `${receiver.url}?n=${i}`);
    const eleventh = await call(h.app, 'POST', '/api/v1/webhooks', {
      token: owner.token,
      body: { url: receiver.url, events: ['login.succeeded'] },
    });
    expect(eleventh.status).toBe(409);
    expect(eleventh.body.error.code).toBe('webhook.too_many');
  });

  it('create and rotate need a fresh step-up; a sub-user is refused; another account gets 404', async () => {
    const owner = await primaryAccount(h);
    const hook = await register(h, owner.token, receiver.url);
    const sub = await createSubUser(h, owner.token, owner.alias);
    const subToken = (await loginAs(h, sub.login)).body.session.token as string;
    for (const [method, url, body] of [
      ['GET', '/api/v1/webhooks'],
      ['POST', '/api/v1/webhooks', { url: receiver.url, events: ['login.succeeded'] }],
      ['DELETE', `/api/v1/webhooks/${hook.id}`],
    ] as [string, string, unknown?][]) {
      const res = await call(h.app, method, url, { token: subToken, ...(body ? { body } : {}) });
      expect(res.status, url).toBe(403);
      expect(res.body.error.code).toBe('auth.forbidden');
    }
    const other = await primaryAccount(h);
    for (const [method, url] of [
      ['DELETE', `/api/v1/webhooks/${hook.id}`],
      ['POST', `/api/v1/webhooks/${hook.id}/secret`],
      ['GET', `/api/v1/webhooks/${hook.id}/deliveries`],
    ] as [string, string][]) {
      const res = await call(h.app, method, url, { token: other.token });
      expect(res.status, url).toBe(404);
      expect(res.body.error.code).toBe('webhook.not_found');
    }
    h.clock.advance(301_000);
    const create = await call(h.app, 'POST', '/api/v1/webhooks', {
      token: owner.token,
      body: { url: receiver.url, events: ['login.succeeded'] },
    });
    expect(create.status).toBe(401);
    expect(create.body.error).toMatchObject({ code: 'auth.step_up_required', operation: 'webhooks.create' });
    const rotate = await call(h.app, 'POST', `/api/v1/webhooks/${hook.id}/secret`, { token: owner.token });
    expect(rotate.status).toBe(401);
    expect(rotate.body.error).toMatchObject({ code: 'auth.step_up_required', operation: 'webhooks.rotate_secret' });
    // Deleting is not a sensitive operation (it only stops deliveries).
    expect((await call(h.app, 'DELETE', `/api/v1/webhooks/${hook.id}`, { token: owner.token })).status).toBe(204);
  });
});

describe.each(databaseKinds())('webhook addresses on %s (SSRF, OWASP)', (kind) => {
  let h: Harness;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await createHarness(kind); // TWOFOLD_WEBHOOKS_ALLOW_PRIVATE off
    receiver = await startReceiver();
  });
  afterAll(async () => {
    h.services.webhooks.network.resolve = systemResolver;
    await receiver.close();
    await h.close();
  });

  it('refuses loopback, private, link-local, credentials, other schemes and names that do not resolve', async () => {
    const owner = await primaryAccount(h);
    const names: Record<string, string[]> = {
      'hooks.example.test': ['127.0.0.1'],
      'mixed.example.test': ['93.184.216.34', '10.1.2.3'],
      'mapped.example.test': ['::ffff:169.254.169.254'],
      'cgnat.example.test': ['100.64.0.7'],
      'ula.example.test': ['fd00::1'],
      'public.example.test': ['93.184.216.34'],
    };
    h.services.webhooks.network.resolve = async (host) => {
      if (host === 'localhost') return systemResolver(host);
      const addresses = names[host];
      if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
    for (const url of [
      'http://localhost:8080/hook',
      'http://127.0.0.1/hook',
      'http://[::1]/hook',
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://0.0.0.0/',
      'http://[::ffff:127.0.0.1]/',
      'http://hooks.example.test/hook',
      'https://mixed.example.test/hook',
      'https://mapped.example.test/hook',
      'https://cgnat.example.test/hook',
      'https://ula.example.test/hook',
      'https://nowhere.example.test/hook',
      'https://user:pass@public.example.test/hook',
      'ftp://public.example.test/hook',
      'not a url',
      `https://public.example.test/${'a'.repeat(2000)}`,
    ]) {
      const res = await call(h.app, 'POST', '/api/v1/webhooks', {
        token: owner.token,
        body: { url, events: ['login.succeeded'] },
      });
      expect(res.status, url).toBe(400);
      expect(res.body.error.code, url).toBe(url.length > 2000 ? 'validation.failed' : 'webhook.url_refused');
    }
    expect(await webhooksOf(h, owner.token)).toEqual([]);
    // A name that resolves to public addresses only is accepted.
    const ok = await call(h.app, 'POST', '/api/v1/webhooks', {
      token: owner.token,
      body: { url: 'https://public.example.test/hook', events: ['login.succeeded'] },
    });
    expect(ok.status).toBe(201);
  });

  it('checks again at delivery time, after DNS: a name that now resolves to 127.0.0.1 is refused and counted as a failure', async () => {
    const owner = await primaryAccount(h);
    const name = 'rebind.example.test';
    h.services.webhooks.network.resolve = async () => [{ address: '93.184.216.34', family: 4 }];
    const hook = await register(h, owner.token, `http://${name}:${receiver.port}/hook`);
    // DNS rebinding: the name now points inside.
    h.services.webhooks.network.resolve = async () => [{ address: '127.0.0.1', family: 4 }];
    const before = receiver.received.length;
    await loginAs(h, owner.email);
    await h.services.webhooks.worker.runOnce();
    expect(receiver.received.length - before).toBe(0);
    expect((await deliveriesOf(h, hook.id))[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatusCode: null,
      lastError: expect.stringContaining('not a public address'),
    });
  });
});

describe.runIf(process.env.TWOFOLD_TEST_DATABASE_URL)('webhooks on PostgreSQL: instances and schemas', () => {
  it('two instances on one database send each event once', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    await createSchema(schema);
    const config = { webhooksAllowPrivate: true };
    const a = await createHarness('postgres', { postgres: { schema }, config });
    const b = await createHarness('postgres', { postgres: { schema }, config });
    const receiver = await startReceiver();
    try {
      const owner = await primaryAccount(a);
      await register(a, owner.token, receiver.url);
      for (let i = 0; i < 12; i++) await loginAs(i % 2 ? a : b, owner.email);
      // Both instances poll at once, several times over.
      for (let round = 0; round < 3; round++)
        await Promise.all([a.services.webhooks.worker.runOnce(), b.services.webhooks.worker.runOnce()]);
      expect(receiver.received).toHaveLength(12);
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(12);
    } finally {
      await receiver.close();
      await a.close();
      await b.close();
      await dropSchema(schema);
    }
  });

  it('the outbox trigger writes to its own schema: two harnesses in two schemas each deliver their own events', async () => {
    const config = { webhooksAllowPrivate: true };
    const [a, b] = [await createHarness('postgres', { config }), await createHarness('postgres', { config })];
    const receiver = await startReceiver();
    try {
      const owners = [await primaryAccount(a), await primaryAccount(b)];
      await register(a, owners[0]!.token, `${receiver.url}?from=a`);
      await register(b, owners[1]!.token, `${receiver.url}?from=b`);
      await loginAs(a, owners[0]!.email);
      await loginAs(b, owners[1]!.email);
      await loginAs(b, owners[1]!.email);
      await a.services.webhooks.worker.runOnce();
      await b.services.webhooks.worker.runOnce();
      expect(receiver.received.map((r) => r.path).sort()).toEqual(['/hook?from=a', '/hook?from=b', '/hook?from=b']);
    } finally {
      await receiver.close();
      await a.close();
      await b.close();
    }
  });
});
