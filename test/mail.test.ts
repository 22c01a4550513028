import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import {
  PASSWORD,
  bindDevice,
  call,
  createHarness,
  createSubUser,
  loginAs,
  loginFull,
  passwordStep,
  primaryAccount,
  signupAndLogin,
  wrongCode,
  type Harness,
} from './helpers/harness.js';
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';
import { createSmtpTransport } from '../src/mail/transport.js';

interface Received {
  to: string[];
  raw: string;
  subject: string;
  body: string;
}

/** A real SMTP server on loopback that keeps what it receives (smtp-server as the sink). */
function startSink(
  port = 0,
  received: Received[] = [],
): Promise<{ server: SMTPServer; port: number; received: Received[] }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        // Undo quoted-printable soft breaks so assertions read plain text.
        const decoded = raw
          .replace(/=\r?\n/g, '')
          .replace(/=3D/g, '=')
          .replace(/\r?\n[ \t]+/g, ' '); // also unfold long headers
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject: /^Subject: (.*)$/m.exec(decoded)?.[1]?.trim() ?? '',
          body: decoded,
        });
        callback();
      });
    },
  });
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () =>
      resolve({ server, port: (server.server.address() as AddressInfo).port, received }),
    ),
  );
}

describe('notifications by email through a real SMTP server', () => {
  let h: Harness;
  let sink: Awaited<ReturnType<typeof startSink>>;
  beforeAll(async () => {
    sink = await startSink();
    h = await createHarness('sqlite', { transport: createSmtpTransport(`smtp://127.0.0.1:${sink.port}`) });
  });
  afterAll(async () => {
    await h.close();
    await new Promise<void>((resolve) => sink.server.close(() => resolve()));
  });

  const deliver = () => h.services.delivery.runOnce();
  const mailsTo = (address: string) => sink.received.filter((m) => m.to.includes(address));

  it('device bound and device unbound go to the account email, without any secret', async () => {
    const user = await signupAndLogin(h);
    const device = await bindDevice(h, user.token);
    await deliver();
    const bound = mailsTo(user.email);
    expect(bound).toHaveLength(1);
    expect(bound[0]!.subject).toBe('twofold test: A virtual MFA device was bound to your account');
    expect(bound[0]!.body).toMatch(/From now on, a 6-digit code from that authenticator app works at login/);
    expect(bound[0]!.raw).not.toContain(device.enrollment.enrollment.secret);
    const session = await loginFull(h, { email: user.email, secret: device.secret });
    h.clock.nextStep();
    expect(
      (
        await call(h.app, 'DELETE', '/api/v1/me/mfa-device', {
          token: session.token,
          body: { code: referenceTotp(device.secret, h.clock.now()) },
        })
      ).status,
    ).toBe(204);
    await deliver();
    expect(mailsTo(user.email).map((m) => m.subject)).toContain(
      'twofold test: The virtual MFA device was removed from your account',
    );
  });

  it('a reset by an admin tells the sub-user who did it and why', async () => {
    const primary = await primaryAccount(h);
    const sub = await createSubUser(h, primary.token, primary.alias, {
      email: `sub.${primary.alias}@example.com`,
      displayName: 'Sam',
    });
    const enrollment = await call(h.app, 'POST', `/api/v1/users/${sub.id}/mfa-device`, { token: primary.token });
    const key = referenceBase32Decode(enrollment.body.enrollment.secret);
    await call(h.app, 'POST', `/api/v1/users/${sub.id}/mfa-device/activate`, {
      token: primary.token,
      body: {
        enrollmentId: enrollment.body.enrollment.id,
        codes: [referenceTotp(key, h.clock.now(), -1), referenceTotp(key, h.clock.now())],
      },
    });
    expect(
      (
        await call(h.app, 'DELETE', `/api/v1/users/${sub.id}/mfa-device`, {
          token: primary.token,
          body: { reason: 'Phone lost on a train' },
        })
      ).status,
    ).toBe(204);
    await deliver();
    const mails = mailsTo(`sub.${primary.alias}@example.com`);
    expect(mails.map((m) => m.subject)).toEqual([
      'twofold test: A virtual MFA device was bound to your account',
      'twofold test: Your virtual MFA device was reset by an administrator',
    ]);
    expect(mails[0]!.body).toMatch(/The primary account \(\S+\) bound a virtual MFA device/);
    expect(mails[1]!.body).toMatch(/The primary account \(\S+\) reset the virtual MFA device/);
    expect(mails[1]!.body).toContain('Reason given: Phone lost on a train');
  });

  it('a second-factor lockout is told to the user and, for a sub-user, to the primary account', async () => {
    const primary = await primaryAccount(h);
    const sub = await createSubUser(h, primary.token, primary.alias, { email: `locked.${primary.alias}@example.com` });
    const subSession = (await loginAs(h, sub.login)).body.session.token;
    const { secret } = await bindDevice(h, subSession);
    for (let round = 0; round < 2; round++) {
      const challengeId = await passwordStep(h, sub.login);
      for (let i = 0; i < 5; i++)
        await call(h.app, 'POST', '/api/v1/sessions/mfa', {
          body: { challengeId, code: wrongCode(secret, h.clock.now()) },
        });
    }
    await deliver();
    expect(mailsTo(`locked.${primary.alias}@example.com`).map((m) => m.subject)).toContain(
      'twofold test: Second-factor checks on your account are paused',
    );
    const toPrimary = mailsTo(primary.email).find((m) => m.subject.includes('paused'));
    expect(toPrimary?.body).toContain(`Your sub-user`);
  });

  it('a login from a browser not seen before is told; the first browser and a known one are not', async () => {
    const user = await signupAndLogin(h); // first browser (the test client): no mail
    await deliver();
    const before = mailsTo(user.email).length;
    await call(h.app, 'POST', '/api/v1/sessions', { body: { login: user.email, password: PASSWORD } });
    await call(h.app, 'POST', '/api/v1/sessions', {
      body: { login: user.email, password: PASSWORD },
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) NewBrowser/1.0' },
    });
    await call(h.app, 'POST', '/api/v1/sessions', {
      body: { login: user.email, password: PASSWORD },
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) NewBrowser/1.0' },
    });
    await deliver();
    const mails = mailsTo(user.email).slice(before);
    expect(mails.map((m) => m.subject)).toEqual(['twofold test: New login to your account']);
    expect(mails[0]!.body).toContain('NewBrowser/1.0');
  });

  it('with SMTP down the request still succeeds; the message is retried and delivered once SMTP is back', async () => {
    const port = sink.port;
    await new Promise<void>((resolve) => sink.server.close(() => resolve()));
    try {
      const user = await signupAndLogin(h);
      const started = Date.now();
      await bindDevice(h, user.token); // asserts 201/200 itself
      expect(Date.now() - started).toBeLessThan(5_000);
      await deliver();
      const queued = (await call(h.app, 'GET', `/api/v1/dev/outbox?to=${encodeURIComponent(user.email)}`)).body
        .messages;
      expect(queued).toHaveLength(1);
      expect(queued[0]).toMatchObject({ status: 'pending', attempts: 1, kind: 'mfa.bound' });
      expect(queued[0].lastError).toMatch(/ECONNREFUSED|connect/i);
      // Operators see it too (`twofold mail`), dev mode or not.
      expect((await h.services.operator.mailQueue()).map((m) => [m.to_address, m.status])).toContainEqual([
        user.email,
        'pending',
      ]);
      // Back up on the same port; before the retry time nothing is sent, after it the mail arrives.
      sink = await startSink(port, sink.received);
      await deliver();
      expect(mailsTo(user.email)).toHaveLength(0);
      h.clock.advance(31_000);
      await deliver();
      expect(mailsTo(user.email)).toHaveLength(1);
      const sent = (await call(h.app, 'GET', `/api/v1/dev/outbox?to=${encodeURIComponent(user.email)}`)).body
        .messages[0];
      expect(sent).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
      expect((await h.services.operator.mailQueue()).some((m) => m.to_address === user.email)).toBe(false);
    } catch (error) {
      if (!sink.server.server.listening) sink = await startSink(port, sink.received); // afterAll closes it
      throw error;
    }
  });
});

describe('the dev outbox', () => {
  it('keeps messages in the database and lists them at /api/v1/dev/outbox in dev mode only', async () => {
    const dev = await createHarness('sqlite');
    try {
      const user = await signupAndLogin(dev);
      await bindDevice(dev, user.token);
      await dev.services.delivery.runOnce();
      const res = await call(dev.app, 'GET', `/api/v1/dev/outbox?to=${encodeURIComponent(user.email)}`);
      expect(res.status).toBe(200);
      expect(res.body.messages).toEqual([
        expect.objectContaining({
          channel: 'email',
          to: user.email,
          subject: 'twofold test: A virtual MFA device was bound to your account',
          status: 'outbox',
          at: expect.any(String),
        }),
      ]);
      expect((await call(dev.app, 'GET', '/api/v1/dev/outbox?to=nobody@example.com')).body.messages).toEqual([]);
    } finally {
      await dev.close();
    }
    const production = await createHarness('sqlite', { config: { dev: false } });
    try {
      expect((await call(production.app, 'GET', '/api/v1/dev/outbox')).status).toBe(404);
      expect((await production.app.inject({ method: 'GET', url: '/dev/outbox' })).statusCode).toBe(404);
    } finally {
      await production.close();
    }
  });
});
