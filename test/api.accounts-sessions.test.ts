import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  call,
  createHarness,
  databaseKinds,
  loginFull,
  passwordStep,
  signupAndLogin,
  uniqueEmail,
  userWithDevice,
  wrongCode,
  type Harness,
} from './helpers/harness.js';
import { referenceTotp } from './helpers/rfc6238.js';

describe.each(databaseKinds())('accounts and sessions on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  describe('POST /accounts', () => {
    it('creates a primary account with an alias and a root user', async () => {
      const email = uniqueEmail('Signup');
      const res = await call(h.app, 'POST', '/api/v1/accounts', {
        body: { email, password: PASSWORD, displayName: 'Ada' },
      });
      expect(res.status).toBe(201);
      expect(res.body.account.alias).toMatch(/^[a-z2-9]{10}$/);
      expect(res.body.user).toEqual({ id: expect.any(String), kind: 'root', email, displayName: 'Ada' });
      expect(JSON.stringify(res.body)).not.toMatch(/argon2|password/i);
    });
    it('refuses a taken email, whatever its case, with 409 account.email_taken', async () => {
      const email = uniqueEmail('taken');
      expect((await call(h.app, 'POST', '/api/v1/accounts', { body: { email, password: PASSWORD } })).status).toBe(201);
      const again = await call(h.app, 'POST', '/api/v1/accounts', {
        body: { email: email.toUpperCase(), password: PASSWORD },
      });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('account.email_taken');
    });
    it('lets exactly one of two racing sign-ups for one email win', async () => {
      const email = uniqueEmail('race');
      const results = await Promise.all(
        [1, 2, 3].map(() => call(h.app, 'POST', '/api/v1/accounts', { body: { email, password: PASSWORD } })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    });
    it.each([
      [{ email: 'not-an-email', password: PASSWORD }],
      [{ email: uniqueEmail(), password: 'short' }],
      [{ email: uniqueEmail(), password: 'x'.repeat(257) }],
      [{ email: uniqueEmail() }],
      [{ email: uniqueEmail(), password: PASSWORD, admin: true }],
      [{ email: uniqueEmail(), password: 12345678 }],
      [{ email: uniqueEmail(), password: PASSWORD, phone: '12345' }],
    ])('refuses %j with 400 validation.failed', async (body) => {
      const res = await call(h.app, 'POST', '/api/v1/accounts', { body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation.failed');
    });
  });

  describe('POST /sessions and /sessions/mfa', () => {
    it('logs a user without a device in with the password alone', async () => {
      const email = uniqueEmail();
      await call(h.app, 'POST', '/api/v1/accounts', { body: { email, password: PASSWORD } });
      const res = await call(h.app, 'POST', '/api/v1/sessions', {
        body: { login: ` ${email.toUpperCase()} `, password: PASSWORD },
      });
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('authenticated');
      expect(res.body.session.token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
      expect(Date.parse(res.body.session.expiresAt)).toBeGreaterThan(h.clock.now());
      expect(res.headers['set-cookie']).toBeUndefined();
    });
    it('gives the same 401 for a wrong password and an unknown login', async () => {
      const { email } = await signupAndLogin(h);
      const wrong = await call(h.app, 'POST', '/api/v1/sessions', {
        body: { login: email, password: 'wrong password' },
      });
      const unknown = await call(h.app, 'POST', '/api/v1/sessions', {
        body: { login: uniqueEmail('ghost'), password: PASSWORD },
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.error.code).toBe('auth.invalid_credentials');
    });
    it('asks for the dynamic code when a device is bound, without any session or cookie', async () => {
      const user = await userWithDevice(h);
      const res = await call(h.app, 'POST', '/api/v1/sessions', { body: { login: user.email, password: PASSWORD } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        status: 'mfa_required',
        // What the user has: the app, and the recovery codes handed out when it was bound.
        challenge: { id: expect.any(String), expiresAt: expect.any(String), methods: ['totp', 'recovery_code'] },
      });
      expect(res.headers['set-cookie']).toBeUndefined();
      // The challenge id is not a session token.
      expect((await call(h.app, 'GET', '/api/v1/me', { token: res.body.challenge.id })).status).toBe(401);
    });
    it('completes the login with the current code and rotates to a new session', async () => {
      const user = await userWithDevice(h);
      const challengeId = await passwordStep(h, user.email);
      const res = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId, code: referenceTotp(user.secret, h.clock.now()) },
      });
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('authenticated');
      expect(res.body.session.token).not.toBe(user.token);
      const me = await call(h.app, 'GET', '/api/v1/me', { token: res.body.session.token });
      expect(me.body.mfa.bound).toBe(true);
      // A challenge is single use.
      h.clock.nextStep();
      const again = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId, code: referenceTotp(user.secret, h.clock.now()) },
      });
      expect(again.status).toBe(410);
      expect(again.body.error.code).toBe('auth.challenge_expired');
    });
    it('refuses a wrong code with 401 mfa.invalid_code and an unknown challenge with 410', async () => {
      const user = await userWithDevice(h);
      const challengeId = await passwordStep(h, user.email);
      const wrong = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId, code: wrongCode(user.secret, h.clock.now()) },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.code).toBe('mfa.invalid_code');
      expect(wrong.body.error.hint).toBeUndefined();
      const unknown = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId: 'nope', code: '123456' },
      });
      expect(unknown.status).toBe(410);
    });
    it('expires a pending login after 5 minutes, even with a valid code (Nextcloud #1563)', async () => {
      const user = await userWithDevice(h);
      const challengeId = await passwordStep(h, user.email);
      h.clock.advance(5 * 60_000 + 1);
      const res = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId, code: referenceTotp(user.secret, h.clock.now()) },
      });
      expect(res.status).toBe(410);
      expect(res.body.error.code).toBe('auth.challenge_expired');
    });
    it('allows 5 tries per pending login, then 410', async () => {
      const user = await userWithDevice(h);
      const challengeId = await passwordStep(h, user.email);
      const code = wrongCode(user.secret, h.clock.now());
      for (let i = 0; i < 5; i++) {
        expect((await call(h.app, 'POST', '/api/v1/sessions/mfa', { body: { challengeId, code } })).status).toBe(401);
      }
      const sixth = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId, code: referenceTotp(user.secret, h.clock.now()) },
      });
      expect(sixth.status).toBe(410);
    });
    it('says the phone clock looks off when the code is right for a time minutes away, and still counts a failure', async () => {
      const user = await userWithDevice(h);
      const challengeId = await passwordStep(h, user.email);
      const res = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId, code: referenceTotp(user.secret, h.clock.now(), 6) },
      });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('mfa.invalid_code');
      expect(res.body.error.hint).toBe('clock_skew');
      expect(res.body.error.message).toMatch(/clock/);
      const events = await call(h.app, 'GET', `/api/v1/audit-events?type=mfa.verify_failed`, {
        token: (await loginFull(h, user)).token,
      });
      expect(events.body.events[0].details).toMatchObject({ path: 'login', clockSkew: true });
    });
    it('rate-limits passwords per login: 10 failures, then 429 with Retry-After, also for unknown logins', async () => {
      for (const login of [(await signupAndLogin(h)).email, uniqueEmail('nobody')]) {
        for (let i = 0; i < 10; i++) {
          expect(
            (await call(h.app, 'POST', '/api/v1/sessions', { body: { login, password: 'wrong password' } })).status,
          ).toBe(401);
        }
        const locked = await call(h.app, 'POST', '/api/v1/sessions', { body: { login, password: PASSWORD } });
        expect(locked.status).toBe(429);
        expect(locked.body.error.code).toBe('auth.too_many_attempts');
        expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(locked.body.error.retryAfterSeconds).toBe(Number(locked.headers['retry-after']));
      }
      h.clock.advance(31_000);
    });
    it('does not reset second-factor failures when the password is right again (futrx #112)', async () => {
      const user = await userWithDevice(h);
      for (let i = 0; i < 3; i++) {
        const challengeId = await passwordStep(h, user.email);
        for (let t = 0; t < 3; t++)
          await call(h.app, 'POST', '/api/v1/sessions/mfa', {
            body: { challengeId, code: wrongCode(user.secret, h.clock.now()) },
          });
      }
      // 9 failures so far; the 10th locks, whichever pending login it comes through.
      const challengeId = await passwordStep(h, user.email);
      expect(
        (
          await call(h.app, 'POST', '/api/v1/sessions/mfa', {
            body: { challengeId, code: wrongCode(user.secret, h.clock.now()) },
          })
        ).status,
      ).toBe(401);
      const locked = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId, code: referenceTotp(user.secret, h.clock.now()) },
      });
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('mfa.locked');
    });
  });

  describe('GET /me and DELETE /sessions/current', () => {
    it('answers 401 auth.unauthenticated without a valid token', async () => {
      for (const token of [undefined, 'garbage', 'a.b', `${'x'.repeat(22)}.${'y'.repeat(43)}`]) {
        const res = await call(h.app, 'GET', '/api/v1/me', token ? { token } : {});
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('auth.unauthenticated');
      }
    });
    it('describes the caller, and signing out ends the session', async () => {
      const user = await signupAndLogin(h);
      const me = await call(h.app, 'GET', '/api/v1/me', { token: user.token });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({
        user: { id: user.userId, kind: 'root', email: user.email },
        account: { id: user.accountId },
        mfa: { bound: false },
      });
      expect((await call(h.app, 'DELETE', '/api/v1/sessions/current', { token: user.token })).status).toBe(204);
      expect((await call(h.app, 'GET', '/api/v1/me', { token: user.token })).status).toBe(401);
      expect((await call(h.app, 'DELETE', '/api/v1/sessions/current', { token: user.token })).status).toBe(401);
    });
    it('works with the console cookie as well as the bearer token', async () => {
      const user = await signupAndLogin(h);
      const res = await h.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { twofold_session: user.token } });
      expect(res.statusCode).toBe(200);
    });
    it('refuses a cookie-authenticated state change from a foreign Origin, but not a bearer one', async () => {
      const user = await signupAndLogin(h);
      const foreign = await h.app.inject({
        method: 'DELETE',
        url: '/api/v1/sessions/current',
        cookies: { twofold_session: user.token },
        headers: { origin: 'https://evil.example' },
      });
      expect(foreign.statusCode).toBe(403);
      expect(JSON.parse(foreign.body).error.code).toBe('auth.origin_mismatch');
      const noOrigin = await h.app.inject({
        method: 'DELETE',
        url: '/api/v1/sessions/current',
        cookies: { twofold_session: user.token },
      });
      expect(noOrigin.statusCode).toBe(403);
      const own = await h.app.inject({
        method: 'DELETE',
        url: '/api/v1/sessions/current',
        cookies: { twofold_session: user.token },
        headers: { origin: 'http://twofold.test' },
      });
      expect(own.statusCode).toBe(204);
      const bearer = await signupAndLogin(h);
      expect(
        (
          await call(h.app, 'DELETE', '/api/v1/sessions/current', {
            token: bearer.token,
            headers: { origin: 'https://evil.example' },
          })
        ).status,
      ).toBe(204);
    });
    it('expires a session after 30 idle minutes and after 12 hours in all', async () => {
      const idle = await signupAndLogin(h);
      h.clock.advance(31 * 60_000);
      expect((await call(h.app, 'GET', '/api/v1/me', { token: idle.token })).status).toBe(401);
      const busy = await signupAndLogin(h);
      for (let i = 0; i < 25; i++) {
        h.clock.advance(29 * 60_000);
        expect((await call(h.app, 'GET', '/api/v1/me', { token: busy.token })).status).toBe(i < 24 ? 200 : 401);
      }
    });
  });

  describe('GET /audit-events', () => {
    it('lists the account events newest first, filtered by type and limited', async () => {
      const user = await userWithDevice(h);
      await call(h.app, 'POST', '/api/v1/sessions', { body: { login: user.email, password: 'wrong password' } });
      const session = await loginFull(h, user);
      const res = await call(h.app, 'GET', '/api/v1/audit-events', { token: session.token });
      expect(res.status).toBe(200);
      const types = res.body.events.map((e: { type: string }) => e.type);
      expect(types.slice(0, 4)).toEqual(['login.succeeded', 'login.password_verified', 'login.failed', 'mfa.bound']);
      expect(types).toContain('account.created');
      expect(types).toContain('mfa.enrollment_started');
      const filtered = await call(h.app, 'GET', '/api/v1/audit-events?type=login.failed&limit=1', {
        token: session.token,
      });
      expect(filtered.body.events).toHaveLength(1);
      expect(filtered.body.events[0]).toMatchObject({
        type: 'login.failed',
        userId: user.userId,
        details: { factor: 'password' },
      });
      const bad = await call(h.app, 'GET', '/api/v1/audit-events?limit=0', { token: session.token });
      expect(bad.status).toBe(400);
      expect((await call(h.app, 'GET', '/api/v1/audit-events')).status).toBe(401);
    });
    it('never shows another account its events', async () => {
      const a = await signupAndLogin(h);
      const b = await signupAndLogin(h);
      const res = await call(h.app, 'GET', `/api/v1/audit-events?userId=${a.userId}`, { token: b.token });
      expect(res.body.events).toEqual([]);
    });
  });

  describe('health', () => {
    it('answers /healthz and /readyz', async () => {
      expect((await call(h.app, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
      expect((await call(h.app, 'GET', '/readyz')).body).toEqual({ status: 'ready' });
    });
    it('/readyz answers 503 service.unavailable when the database is gone, /healthz still 200', async () => {
      const down = await createHarness(kind);
      await down.database.close();
      const res = await call(down.app, 'GET', '/readyz');
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('service.unavailable');
      expect(JSON.stringify(res.body)).not.toMatch(/SQLITE|ECONN|database connection/i);
      expect((await call(down.app, 'GET', '/healthz')).status).toBe(200);
      await down.close();
    });
    it('/readyz answers 503 at once while the instance drains (shutdown)', async () => {
      const draining = await createHarness(kind);
      try {
        draining.services.health.drain();
        const res = await call(draining.app, 'GET', '/readyz');
        expect(res.status).toBe(503);
        expect(res.body.error).toMatchObject({ code: 'service.unavailable', reason: 'shutting_down' });
        // Answers given while draining close their connection, so keep-alive clients move on.
        expect((await call(draining.app, 'GET', '/healthz')).headers.connection).toBe('close');
      } finally {
        await draining.close();
      }
    });
  });

  describe('security headers', () => {
    it('are on console pages, API answers and errors alike; HSTS only behind an https public URL', async () => {
      for (const [method, url] of [
        ['GET', '/login'],
        ['GET', '/api/v1/me'],
        ['POST', '/api/v1/sessions'],
      ] as const) {
        const res = await h.app.inject({ method, url, ...(method === 'POST' ? { payload: { login: 'x' } } : {}) });
        expect(res.headers['content-security-policy'], url).toContain("default-src 'self'");
        expect(res.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
        expect(res.headers['x-content-type-options'], url).toBe('nosniff');
        expect(res.headers['x-frame-options'], url).toBe('SAMEORIGIN');
        expect(res.headers['referrer-policy'], url).toBe('same-origin');
        expect(res.headers['strict-transport-security'], url).toBeUndefined();
        // A plain http:// deployment must not have its own CSS and forms rewritten to https://.
        expect(res.headers['content-security-policy'], url).not.toContain('upgrade-insecure-requests');
        // No font from anywhere but here (helmet's default allowed any https: host and data:).
        expect(res.headers['content-security-policy'], url).toContain("font-src 'self';");
      }
      const https = await createHarness(kind, {
        config: { publicUrl: 'https://mfa.example.com', secureCookies: true },
      });
      const subdomains = await createHarness(kind, {
        config: { publicUrl: 'https://mfa.example.com', secureCookies: true, hstsIncludeSubDomains: true },
      });
      try {
        const secure = await https.app.inject({ method: 'GET', url: '/login' });
        expect(secure.headers['strict-transport-security']).toBe('max-age=31536000');
        expect(secure.headers['content-security-policy']).toContain('upgrade-insecure-requests');
        // includeSubDomains only when TWOFOLD_HSTS_INCLUDE_SUBDOMAINS turns it on.
        const wide = await subdomains.app.inject({ method: 'GET', url: '/login' });
        expect(wide.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      } finally {
        await https.close();
        await subdomains.close();
      }
    });

    it('no cache keeps a login answer: POST /sessions and /sessions/mfa, their refusals and every API answer are no-store', async () => {
      const user = await userWithDevice(h);
      const step = await call(h.app, 'POST', '/api/v1/sessions', { body: { login: user.email, password: PASSWORD } });
      expect(step.status).toBe(200);
      expect(step.headers['cache-control']).toBe('no-store');
      h.clock.nextStep();
      const done = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId: step.body.challenge.id, code: referenceTotp(user.secret, h.clock.now()) },
      });
      expect(done.status).toBe(201);
      expect(done.headers['cache-control']).toBe('no-store');
      const refused = await call(h.app, 'POST', '/api/v1/sessions', {
        body: { login: user.email, password: 'wrong!!!' },
      });
      expect(refused.status).toBe(401);
      expect(refused.headers['cache-control']).toBe('no-store');
      expect(
        (await call(h.app, 'GET', '/api/v1/me', { token: done.body.session.token })).headers['cache-control'],
      ).toBe('no-store');
    });
  });
});
