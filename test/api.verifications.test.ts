import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createHarness,
  createSubUser,
  databaseKinds,
  loginAs,
  primaryAccount,
  signupAndLogin,
  userWithDevice,
  type Harness,
} from './helpers/harness.js';
import { referenceTotp } from './helpers/rfc6238.js';
import { createWebhookSms } from '../src/mail/sms.js';

/** The code in the newest outbox message to `to` (dev mode keeps code messages readable). */
async function codeFromOutbox(h: Harness, to: string): Promise<string> {
  await h.services.delivery.runOnce();
  const messages = (await call(h.app, 'GET', `/api/v1/dev/outbox?to=${encodeURIComponent(to)}`)).body.messages;
  // Not any 6 digits: a display name can contain some.
  const match = /(?:code is|code:) (\d{6})\b/.exec(messages[0]?.text ?? '');
  if (!match) throw new Error(`no code in the outbox for ${to}`);
  return match[1]!;
}

describe.each(databaseKinds())('email and SMS verification codes on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  const send = (token: string, channel: string) =>
    call(h.app, 'POST', '/api/v1/me/verifications', { token, body: { channel } });
  const stepUp = (token: string, method: string, verificationId: string, code: string) =>
    call(h.app, 'POST', '/api/v1/me/step-up', { token, body: { method, verificationId, code } });

  it('sends a code to the masked address; the code passes a step-up once, and binding can start', async () => {
    const user = await signupAndLogin(h);
    h.clock.advance(301_000); // the login's own step-up has gone stale
    const bind = await call(h.app, 'POST', '/api/v1/me/mfa-device', { token: user.token });
    expect(bind.body.error).toMatchObject({ code: 'auth.step_up_required', methods: ['email', 'password'] });
    const sent = await send(user.token, 'email');
    expect(sent.status).toBe(202);
    expect(sent.body.verification).toEqual({
      id: expect.any(String),
      channel: 'email',
      destination: `${user.email[0]}***@example.com`,
      expiresAt: new Date(h.clock.now() + 600_000).toISOString(),
    });
    const code = await codeFromOutbox(h, user.email);
    const ok = await stepUp(user.token, 'email', sent.body.verification.id, code);
    expect(ok.status).toBe(200);
    expect((await call(h.app, 'POST', '/api/v1/me/mfa-device', { token: user.token })).status).toBe(201);
    // Single use.
    const again = await stepUp(user.token, 'email', sent.body.verification.id, code);
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('verification.invalid_code');
  });

  it("refuses a wrong code, an expired code, the 6th try, another user's code, and a replaced code", async () => {
    const user = await signupAndLogin(h);
    const first = await send(user.token, 'email');
    const firstCode = await codeFromOutbox(h, user.email);
    h.clock.advance(61_000);
    const second = await send(user.token, 'email');
    const secondCode = await codeFromOutbox(h, user.email);
    // A new code replaces the old one.
    expect((await stepUp(user.token, 'email', first.body.verification.id, firstCode)).status).toBe(401);
    // Another user cannot use it.
    const other = await signupAndLogin(h);
    expect((await stepUp(other.token, 'email', second.body.verification.id, secondCode)).status).toBe(401);
    // Five tries: four wrong, the fifth right still works; a sixth would not.
    const wrong = secondCode === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++)
      expect((await stepUp(user.token, 'email', second.body.verification.id, wrong)).status).toBe(401);
    expect((await stepUp(user.token, 'email', second.body.verification.id, secondCode)).status).toBe(200);
    h.clock.advance(61_000);
    const third = await send(user.token, 'email');
    const thirdCode = await codeFromOutbox(h, user.email);
    for (let i = 0; i < 5; i++) await stepUp(user.token, 'email', third.body.verification.id, wrong);
    expect((await stepUp(user.token, 'email', third.body.verification.id, thirdCode)).status).toBe(401);
    h.clock.advance(61_000);
    const fourth = await send(user.token, 'email');
    const fourthCode = await codeFromOutbox(h, user.email);
    h.clock.advance(600_001);
    expect((await stepUp(user.token, 'email', fourth.body.verification.id, fourthCode)).status).toBe(401);
    // The wrong codes counted in the second-factor budget (one budget across factors).
    const events = await call(h.app, 'GET', '/api/v1/audit-events?type=stepup.failed', {
      token: (await loginAs(h, user.email)).body.session.token,
    });
    expect(events.body.events.length).toBeGreaterThanOrEqual(9);
  });

  it('limits sending: one a minute per destination, ten a day per user, with Retry-After', async () => {
    const user = await signupAndLogin(h);
    expect((await send(user.token, 'email')).status).toBe(202);
    const soon = await send(user.token, 'email');
    expect(soon.status).toBe(429);
    expect(soon.body.error.code).toBe('verification.too_many_requests');
    expect(Number(soon.headers['retry-after'])).toBe(60);
    for (let i = 0; i < 9; i++) {
      h.clock.advance(61_000);
      expect((await send(user.token, 'email')).status).toBe(202);
    }
    h.clock.advance(61_000);
    const daily = await send(user.token, 'email');
    expect(daily.status).toBe(429);
    expect(Number(daily.headers['retry-after'])).toBeGreaterThan(3600);
  });

  it('SMS pumping: one address asking codes for many accounts, and all addresses together, are capped per hour', async () => {
    const capped = await createHarness(kind, { config: { codeSendsPerAddressHour: 5, codeSendsPerHour: 8 } });
    try {
      const primary = await primaryAccount(capped);
      const numbers = Array.from({ length: 7 }, (_, i) => `+491511234560${i}`);
      const sessions: string[] = [];
      const logins: string[] = [];
      for (const phone of numbers) {
        const sub = await createSubUser(capped, primary.token, primary.alias, { phone });
        logins.push(sub.login);
        sessions.push((await loginAs(capped, sub.login)).body.session.token);
      }
      const fromOne = (token: string) =>
        call(capped.app, 'POST', '/api/v1/me/verifications', { token, body: { channel: 'sms' } });
      // Five different accounts and numbers from one address: the sixth is refused.
      for (let i = 0; i < 5; i++) expect((await fromOne(sessions[i]!)).status).toBe(202);
      const sixth = await fromOne(sessions[5]!);
      expect(sixth.status).toBe(429);
      expect(sixth.body.error.code).toBe('verification.too_many_requests');
      expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(3000);
      // The refusal left nothing half-written: no code went out to the sixth number.
      expect((await capped.services.outbox('+4915112345605')).length).toBe(0);
      // From other addresses the instance-wide cap (8 an hour) still holds.
      const other = (token: string, ip: string) =>
        capped.app.inject({
          method: 'POST',
          url: '/api/v1/me/verifications',
          remoteAddress: ip,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: { channel: 'sms' },
        });
      expect((await other(sessions[5]!, '203.0.113.7')).statusCode).toBe(202);
      expect((await other(sessions[6]!, '203.0.113.8')).statusCode).toBe(202);
      capped.clock.advance(61_000);
      expect((await other(sessions[5]!, '203.0.113.9')).statusCode).toBe(202);
      capped.clock.advance(61_000);
      const global = await other(sessions[6]!, '203.0.113.10');
      expect(global.statusCode).toBe(429);
      expect(JSON.parse(global.body).error.code).toBe('verification.too_many_requests');
      // An hour later the caps open again.
      capped.clock.advance(3_600_000);
      expect((await fromOne((await loginAs(capped, logins[5]!)).body.session.token)).status).toBe(202);
    } finally {
      await capped.close();
    }
  });

  it('a step-up code counts only on the channel it was sent on', async () => {
    const primary = await primaryAccount(h);
    const sub = await createSubUser(h, primary.token, primary.alias, {
      phone: '+4915112345699',
      email: `both.${primary.alias}@example.com`,
    });
    const session = (await loginAs(h, sub.login)).body.session.token;
    h.clock.advance(301_000);
    const sms = await send(session, 'sms');
    expect(sms.status).toBe(202);
    const code = await codeFromOutbox(h, '+4915112345699');
    const asEmail = await stepUp(session, 'email', sms.body.verification.id, code);
    expect(asEmail.status).toBe(401);
    expect(asEmail.body.error.code).toBe('verification.invalid_code');
    expect((await stepUp(session, 'sms', sms.body.verification.id, code)).status).toBe(200);
  });

  it('without SMTP and without dev mode, email codes are not offered, and asking says mail is not configured', async () => {
    const plain = await createHarness(kind, { config: { dev: false } });
    try {
      const user = await signupAndLogin(plain);
      plain.clock.advance(301_000);
      const bind = await call(plain.app, 'POST', '/api/v1/me/mfa-device', { token: user.token });
      expect(bind.body.error).toMatchObject({ code: 'auth.step_up_required', methods: ['password'] });
      const res = await call(plain.app, 'POST', '/api/v1/me/verifications', {
        token: user.token,
        body: { channel: 'email' },
      });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('verification.channel_unavailable');
      expect(res.body.error.message).toMatch(/Email is not configured on this server \(TWOFOLD_SMTP_URL/);
      // The dev outbox does not exist either; security e-mails wait in the database.
      expect((await call(plain.app, 'GET', '/api/v1/dev/outbox')).status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('refuses a code issued for another purpose', async () => {
    const user = await signupAndLogin(h);
    const now = h.clock.now();
    // A lost-device recovery code (the recovery flow issues these) must not pass a step-up.
    const { codeHash } = await import('../src/domain/verification/verification.service.js');
    await h.database.db
      .insertInto('verifications')
      .values({
        id: 'recovery-1',
        user_id: user.userId,
        purpose: 'recovery',
        channel: 'email',
        destination: user.email,
        code_hash: codeHash('recovery-1', '424242'),
        attempts: 0,
        created_at: now,
        expires_at: now + 600_000,
        consumed_at: null,
      })
      .execute();
    const res = await stepUp(user.token, 'email', 'recovery-1', '424242');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('verification.invalid_code');
  });

  it('sends SMS to a phone on record; refuses channels that cannot reach the user', async () => {
    const primary = await primaryAccount(h);
    const withPhone = await createSubUser(h, primary.token, primary.alias, { phone: '+4915112345678' });
    const session = (await loginAs(h, withPhone.login)).body.session.token;
    const sms = await send(session, 'sms');
    expect(sms.status).toBe(202);
    expect(sms.body.verification.destination).toBe('+49********678');
    const code = await codeFromOutbox(h, '+4915112345678');
    expect((await stepUp(session, 'sms', sms.body.verification.id, code)).status).toBe(200);
    const noEmail = await send(session, 'email');
    expect(noEmail.status).toBe(422);
    expect(noEmail.body.error.code).toBe('verification.channel_unavailable');
    expect((await send(primary.token, 'sms')).status).toBe(422);
    expect((await send(primary.token, 'pigeon')).status).toBe(400);
  });

  it('email and SMS codes are no step-up once a TOTP device is bound', async () => {
    const user = await userWithDevice(h);
    const session = (
      await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: {
          challengeId: (
            await call(h.app, 'POST', '/api/v1/sessions', {
              body: { login: user.email, password: 'correct horse battery' },
            })
          ).body.challenge.id,
          code: referenceTotp(user.secret, h.clock.now()),
        },
      })
    ).body.session.token;
    const sent = await send(session, 'email');
    const code = await codeFromOutbox(h, user.email);
    const res = await stepUp(session, 'email', sent.body.verification.id, code);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'auth.step_up_required', methods: ['totp'] });
  });

  it('a delivered code does not stay in the database, and a dump holds only its hash', async () => {
    const real = await createHarness(kind, { sms: { kind: 'webhook', send: async () => {} } });
    try {
      const primary = await primaryAccount(real);
      const sub = await createSubUser(real, primary.token, primary.alias, { phone: '+15551234567' });
      const session = (await loginAs(real, sub.login)).body.session.token;
      await call(real.app, 'POST', '/api/v1/me/verifications', { token: session, body: { channel: 'sms' } });
      await real.services.delivery.runOnce();
      const rows = await real.database.db
        .selectFrom('messages')
        .select(['text_body', 'status'])
        .where('to_address', '=', '+15551234567')
        .execute();
      expect(rows).toEqual([{ text_body: '[one-time code removed after delivery]', status: 'sent' }]);
      const verification = await real.database.db
        .selectFrom('verifications')
        .select('code_hash')
        .executeTakeFirstOrThrow();
      expect(verification.code_hash).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await real.close();
    }
  });
});

describe('the SMS webhook against a real local HTTP server', () => {
  let server: Server;
  let url: string;
  const seen: { body: unknown; auth: string | undefined }[] = [];
  let behaviour: 'ok' | 'slow' | 'fail-then-ok' | 'always-500' | 'reject' = 'ok';
  let calls = 0;
  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      let raw = '';
      request.on('data', (chunk) => (raw += chunk));
      request.on('end', () => {
        calls += 1;
        seen.push({ body: JSON.parse(raw), auth: request.headers.authorization });
        if (behaviour === 'slow') return void setTimeout(() => response.end('late'), 1_000);
        if (behaviour === 'always-500' || (behaviour === 'fail-then-ok' && calls === 1))
          return void response.writeHead(503).end('busy');
        if (behaviour === 'reject') return void response.writeHead(400).end('bad number');
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"queued":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  const sms = (options: Partial<Parameters<typeof createWebhookSms>[0]> = {}) =>
    createWebhookSms({ url, token: 'gateway-secret', timeoutMs: 300, attempts: 3, pauseMs: 10, ...options });
  const reset = (next: typeof behaviour) => {
    behaviour = next;
    calls = 0;
    seen.length = 0;
  };

  it('POSTs {to, text, reference} as JSON with the bearer token', async () => {
    reset('ok');
    await sms().send({ to: '+4915112345678', text: 'twofold code: 123456', reference: 'm1' });
    expect(seen).toEqual([
      { body: { to: '+4915112345678', text: 'twofold code: 123456', reference: 'm1' }, auth: 'Bearer gateway-secret' },
    ]);
  });

  it('retries a 5xx and succeeds on the next try', async () => {
    reset('fail-then-ok');
    await sms().send({ to: '+1', text: 't', reference: 'm2' });
    expect(calls).toBe(2);
  });

  it('gives up after the attempts on a timeout or a lasting 5xx, and does not retry a 4xx', async () => {
    reset('slow');
    await expect(sms().send({ to: '+1', text: 't', reference: 'm3' })).rejects.toThrow(/timed out/);
    expect(calls).toBe(3);
    reset('always-500');
    await expect(sms().send({ to: '+1', text: 't', reference: 'm4' })).rejects.toThrow(/503/);
    expect(calls).toBe(3);
    reset('reject');
    await expect(sms().send({ to: '+1', text: 't', reference: 'm5' })).rejects.toThrow(/400/);
    expect(calls).toBe(1);
  });

  it('delivers a step-up code end to end through the webhook', async () => {
    reset('ok');
    const h = await createHarness('sqlite', { sms: sms(), config: { dev: false } });
    try {
      const primary = await primaryAccount(h);
      const sub = await createSubUser(h, primary.token, primary.alias, { phone: '+4915199999999' });
      const session = (await loginAs(h, sub.login)).body.session.token;
      const sent = await call(h.app, 'POST', '/api/v1/me/verifications', { token: session, body: { channel: 'sms' } });
      expect(sent.status).toBe(202);
      await h.services.delivery.runOnce();
      const delivered = seen.at(-1)!.body as { to: string; text: string };
      expect(delivered.to).toBe('+4915199999999');
      const code = /code: (\d{6})\b/.exec(delivered.text)![1]!;
      expect(
        (
          await call(h.app, 'POST', '/api/v1/me/step-up', {
            token: session,
            body: { method: 'sms', verificationId: sent.body.verification.id, code },
          })
        ).status,
      ).toBe(200);
      // Email cannot reach anyone here: no SMTP and not dev mode.
      expect(
        (await call(h.app, 'POST', '/api/v1/me/verifications', { token: primary.token, body: { channel: 'email' } }))
          .status,
      ).toBe(422);
    } finally {
      await h.close();
    }
  });
});
