import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { referenceTotp } from './helpers/rfc6238.js';
import {
  PASSWORD,
  call,
  countingHasher,
  postFrom,
  createHarness,
  createSubUser,
  databaseKinds,
  passwordStep,
  primaryAccount,
  signupAndLogin,
  userWithDevice,
  type Harness,
} from './helpers/harness.js';

describe.each(databaseKinds())('password reset on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind, { config: { publicUrl: 'https://mfa.example.com' } });
  });
  afterAll(async () => h.close());

  const request = (login: string, headers: Record<string, string> = {}) =>
    call(h.app, 'POST', '/api/v1/password-resets', { body: { login }, headers });
  const complete = (token: string, password: string) =>
    call(h.app, 'POST', '/api/v1/password-resets/complete', { body: { token, password } });
  /** The link from the newest reset mail to `to` (read before delivery removes it: it is a secret). */
  async function linkFor(to: string): Promise<string | null> {
    await h.services.passwordResets.settled();
    const mail = (await h.services.outbox(to)).find((m) => m.kind === 'account.password_reset_link');
    return mail ? /(https?:\/\/\S+)/.exec(mail.text)![1]! : null;
  }

  it('answers 202 the same way for a real login, an unknown one and a sub-user without e-mail; mails only the real one', async () => {
    const user = await signupAndLogin(h);
    const primary = await primaryAccount(h);
    const sub = await createSubUser(h, primary.token, primary.alias);
    const answers = await Promise.all([request(user.email), request('nobody@example.com'), request(sub.login)]);
    for (const answer of answers) {
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual(answers[0]!.body);
    }
    // The link's host is the configured public URL, never the request's Host header.
    const link = await linkFor(user.email);
    expect(link).toMatch(/^https:\/\/mfa\.example\.com\/password-reset\/new\?token=/);
    expect(await linkFor('nobody@example.com')).toBeNull();
  });

  it('the link works once, within 30 minutes; it ends every session and issues none; the next login still asks for the code', async () => {
    const user = await userWithDevice(h);
    const other = (await call(h.app, 'POST', '/api/v1/sessions', { body: { login: user.email, password: PASSWORD } }))
      .body;
    expect(other.status).toBe('mfa_required');
    await request(user.email);
    const token = new URL((await linkFor(user.email))!).searchParams.get('token')!;
    // Stored only as a hash.
    const rows = await h.database.db.selectFrom('password_resets').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);
    expect((await complete(token, 'short')).status).toBe(400);
    const done = await complete(token, 'a brand new password');
    expect(done.status).toBe(204);
    expect(done.body).toBeNull();
    expect((await call(h.app, 'GET', '/api/v1/me', { token: user.token })).status).toBe(401);
    const reused = await complete(token, 'another new password');
    expect(reused.status).toBe(410);
    expect(reused.body.error.code).toBe('password_reset.expired');
    const login = await call(h.app, 'POST', '/api/v1/sessions', {
      body: { login: user.email, password: 'a brand new password' },
    });
    expect(login.body.status).toBe('mfa_required');
    expect((await h.services.outbox(user.email)).some((m) => m.kind === 'account.password_changed')).toBe(true);
    const events = await h.database.db
      .selectFrom('audit_events')
      .select('type')
      .where('user_id', '=', user.userId)
      .execute();
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['account.password_reset_requested', 'account.password_reset']),
    );
    // 30 minutes: an older link is refused.
    h.clock.advance(61_000);
    await request(user.email);
    const late = new URL((await linkFor(user.email))!).searchParams.get('token')!;
    h.clock.advance(30 * 60_000 + 1_000);
    expect((await complete(late, 'too late a password')).status).toBe(410);
    expect(await passwordStep(h, user.email).catch(() => null)).toBeNull();
  });

  it('mails an address at most once a minute, and limits requests per client address', async () => {
    const user = await signupAndLogin(h);
    await request(user.email);
    await request(user.email);
    await h.services.passwordResets.settled();
    expect((await h.services.outbox(user.email)).filter((m) => m.kind === 'account.password_reset_link')).toHaveLength(
      1,
    );
    const from = { 'x-test': '1' };
    let last = 0;
    for (let i = 0; i < 12; i++) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/password-resets',
        remoteAddress: '198.51.100.9',
        headers: { 'content-type': 'application/json', ...from },
        payload: { login: `x${i}@example.com` },
      });
      last = res.statusCode;
    }
    expect(last).toBe(429);
  });

  const tokenOf = (link: string | null) => new URL(link!).searchParams.get('token')!;
  // Every injected request comes from 127.0.0.1, which may ask for 10 links an hour.
  beforeEach(() => h.clock.advance(3_600_000));

  it('using one link, or changing the password, voids every other outstanding link of the user', async () => {
    const user = await signupAndLogin(h);
    await request(user.email);
    const first = tokenOf(await linkFor(user.email));
    h.clock.advance(61_000); // one mail a minute to an address
    await request(user.email);
    const second = tokenOf(await linkFor(user.email));
    expect(second).not.toBe(first);
    expect((await complete(second, 'the second link wins')).status).toBe(204);
    const stale = await complete(first, 'the first link lost');
    expect(stale.status).toBe(410);
    expect(stale.body.error.code).toBe('password_reset.expired');

    // A password changed in the profile voids a link mailed before.
    const fresh = await call(h.app, 'POST', '/api/v1/sessions', {
      body: { login: user.email, password: 'the second link wins' },
    });
    h.clock.advance(61_000);
    await request(user.email);
    const pending = tokenOf(await linkFor(user.email));
    const changed = await call(h.app, 'PATCH', '/api/v1/me', {
      token: fresh.body.session.token,
      body: { password: 'changed in the profile', currentPassword: 'the second link wins' },
    });
    expect(changed.status).toBe(200);
    expect((await complete(pending, 'a link from before the change')).status).toBe(410);
  });

  it('a reset or a password change ends the pending logins: the old password cannot finish with a code', async () => {
    const user = await userWithDevice(h);
    // Started with the old password, then the owner resets it.
    const challenge = await passwordStep(h, user.email);
    await request(user.email);
    expect((await complete(tokenOf(await linkFor(user.email)), 'reset while a login waits')).status).toBe(204);
    h.clock.nextStep();
    const finish = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
      body: { challengeId: challenge, code: referenceTotp(user.secret, h.clock.now()) },
    });
    expect(finish.status).toBe(410);
    expect(finish.body.error.code).toBe('auth.challenge_expired');

    // The same after a change in the profile (the session that changed it lives on).
    const session = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
      body: {
        challengeId: (
          await call(h.app, 'POST', '/api/v1/sessions', {
            body: { login: user.email, password: 'reset while a login waits' },
          })
        ).body.challenge.id,
        code: referenceTotp(user.secret, h.clock.now()),
      },
    });
    expect(session.status).toBe(201);
    const waiting = (
      await call(h.app, 'POST', '/api/v1/sessions', {
        body: { login: user.email, password: 'reset while a login waits' },
      })
    ).body.challenge.id as string;
    const changed = await call(h.app, 'PATCH', '/api/v1/me', {
      token: session.body.session.token,
      body: { password: 'changed again here', currentPassword: 'reset while a login waits' },
    });
    expect(changed.status).toBe(200);
    h.clock.nextStep();
    const late = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
      body: { challengeId: waiting, code: referenceTotp(user.secret, h.clock.now()) },
    });
    expect(late.status).toBe(410);
  });

  it("an administrator's new password for a sub-user ends its pending logins and its reset links", async () => {
    const primary = await primaryAccount(h);
    const sub = await createSubUser(h, primary.token, primary.alias, { email: `${primary.alias}-sub@example.com` });
    const challengeOrSession = await call(h.app, 'POST', '/api/v1/sessions', {
      body: { login: sub.login, password: PASSWORD },
    });
    expect(challengeOrSession.status).toBe(201); // no device yet: a session straight away
    await request(sub.login);
    const link = tokenOf(await linkFor(`${primary.alias}-sub@example.com`));
    const set = await call(h.app, 'PATCH', `/api/v1/users/${sub.id}`, {
      token: primary.token,
      body: { password: 'set by the administrator' },
    });
    expect(set.status).toBe(200);
    expect((await complete(link, 'the link came before')).status).toBe(410);
    expect((await call(h.app, 'GET', '/api/v1/me', { token: challengeOrSession.body.session.token })).status).toBe(401);
  });
});

describe('new passwords: not only spaces, not a common one (NIST SP 800-63B §5.1.1.2)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(async () => h.close());

  it('sign-up, a profile change, a reset, and an administrator refuse them the same way; a changed password is mailed', async () => {
    for (const password of ['password123', 'PassWord1', '        ', 'iloveyou2']) {
      const res = await call(h.app, 'POST', '/api/v1/accounts', {
        body: { email: uniqueEmailFor(password), password },
      });
      expect(res.status, password).toBe(400);
      expect(res.body.error.code).toBe('validation.failed');
      expect(res.body.error.fields[0].path).toBe('/password');
    }
    const user = await signupAndLogin(h);
    const change = (password: string) =>
      call(h.app, 'PATCH', '/api/v1/me', { token: user.token, body: { password, currentPassword: PASSWORD } });
    expect((await change('qwertyuiop')).body.error.message).toMatch(/most common/);
    expect((await change('a quiet lighthouse at dawn')).status).toBe(200);
    expect((await h.services.outbox(user.email)).map((m) => m.kind)).toContain('account.password_changed');
    const primary = await primaryAccount(h);
    const sub = await createSubUser(h, primary.token, primary.alias);
    expect(
      (await call(h.app, 'PATCH', `/api/v1/users/${sub.id}`, { token: primary.token, body: { password: 'football1' } }))
        .status,
    ).toBe(400);
    expect(
      (
        await call(h.app, 'POST', '/api/v1/users', {
          token: primary.token,
          body: { username: 'weak', password: 'baseball' },
        })
      ).status,
    ).toBe(400);
  });
});

let weakCounter = 0;
const uniqueEmailFor = (password: string) => `weak${(weakCounter += 1)}.${password.trim().length}@example.com`;

describe('password reset and sign-up cost no hash for made-up input, and are limited per address', () => {
  let h: Harness;
  let hasher: Awaited<ReturnType<typeof countingHasher>>;
  beforeAll(async () => {
    hasher = await countingHasher();
    h = await createHarness('sqlite', { hasher, config: { signupsPerAddressHour: 3 } });
  });
  afterAll(async () => h.close());

  const from = (address: string, url: string, payload: object) => postFrom(h, address, url, payload);

  it('a burst of made-up reset tokens computes no hash, and one address gets 429 after 10', async () => {
    const before = hasher.hashes;
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        from('203.0.113.7', '/api/v1/password-resets/complete', {
          token: `made-up-token-${i}-${'x'.repeat(30)}`,
          password: 'a new password of mine',
        }),
      ),
    );
    expect(hasher.hashes).toBe(before);
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses.filter((s) => s === 410)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    const refused = answers.find((a) => a.statusCode === 429)!;
    expect(refused.json().error.code).toBe('auth.too_many_attempts');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    // Another address with a real link is served, and only its one password is hashed.
    const user = await signupAndLogin(h);
    await call(h.app, 'POST', '/api/v1/password-resets', { body: { login: user.email } });
    await h.services.passwordResets.settled();
    const mail = (await h.services.outbox(user.email)).find((m) => m.kind === 'account.password_reset_link')!;
    const token = new URL(/(https?:\/\/\S+)/.exec(mail.text)![1]!).searchParams.get('token')!;
    const hashesBefore = hasher.hashes;
    const done = await from('198.51.100.20', '/api/v1/password-resets/complete', {
      token,
      password: 'a real new password',
    });
    expect(done.statusCode).toBe(204);
    expect(hasher.hashes).toBe(hashesBefore + 1);
    // The refused address is still refused, even with the real (now used) link.
    expect(
      (await from('203.0.113.7', '/api/v1/password-resets/complete', { token, password: 'x'.repeat(12) })).statusCode,
    ).toBe(429);
  });

  it('sign-up: a taken email costs no hash, and one address gets TWOFOLD_SIGNUPS_PER_ADDRESS_HOUR sign-ups an hour', async () => {
    const taken = await signupAndLogin(h);
    const before = hasher.hashes;
    const again = await from('192.0.2.44', '/api/v1/accounts', { email: taken.email, password: PASSWORD });
    expect(again.statusCode).toBe(409);
    expect(hasher.hashes).toBe(before);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (
          await from('192.0.2.44', '/api/v1/accounts', {
            email: `burst${i}.${Date.now()}@example.com`,
            password: PASSWORD,
          })
        ).statusCode,
      );
    expect(statuses).toEqual([201, 201, 201, 429]);
    expect(hasher.hashes).toBe(before + 3);
    h.clock.advance(3_600_000 + 1_000);
    expect(
      (await from('192.0.2.44', '/api/v1/accounts', { email: `later.${Date.now()}@example.com`, password: PASSWORD }))
        .statusCode,
    ).toBe(201);
  });
});
