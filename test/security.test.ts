import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  PASSWORD,
  call,
  createHarness,
  databaseKinds,
  loginFull,
  passwordStep,
  signupAndLogin,
  userWithDevice,
  wrongCode,
  type Harness,
} from './helpers/harness.js';
import { referenceTotp } from './helpers/rfc6238.js';

const mfa = (h: Harness, challengeId: string, code: string) =>
  call(h.app, 'POST', '/api/v1/sessions/mfa', { body: { challengeId, code } });

describe.each(databaseKinds())('security invariants on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  describe('replay (docs/design.md §2.1, RFC 6238 §5.2)', () => {
    it('refuses a code at its next use, on every path: login → login, login → step-up', async () => {
      const user = await userWithDevice(h);
      const code = referenceTotp(user.secret, h.clock.now());
      const first = await mfa(h, await passwordStep(h, user.email), code);
      expect(first.status).toBe(201);
      const second = await mfa(h, await passwordStep(h, user.email), code);
      expect(second.status).toBe(401);
      expect(second.body.error.code).toBe('mfa.invalid_code');
      const stepUp = await call(h.app, 'POST', '/api/v1/me/step-up', {
        token: first.body.session.token,
        body: { method: 'totp', code },
      });
      expect(stepUp.status).toBe(401);
    });
    it('refuses an earlier step after a later one was accepted (devise CVE-2021-43177)', async () => {
      const user = await userWithDevice(h);
      const now = h.clock.now();
      expect((await mfa(h, await passwordStep(h, user.email), referenceTotp(user.secret, now, 1))).status).toBe(201);
      expect((await mfa(h, await passwordStep(h, user.email), referenceTotp(user.secret, now))).status).toBe(401);
      expect((await mfa(h, await passwordStep(h, user.email), referenceTotp(user.secret, now, -1))).status).toBe(401);
    });
    it('20 concurrent submissions of one valid code to 20 pending logins give exactly one session', async () => {
      const user = await userWithDevice(h);
      const challenges: string[] = [];
      for (let i = 0; i < 20; i++) challenges.push(await passwordStep(h, user.email));
      const code = referenceTotp(user.secret, h.clock.now());
      const results = await Promise.all(challenges.map((challengeId) => mfa(h, challengeId, code)));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.every((s) => s === 201 || s === 401 || s === 429)).toBe(true);
      const logins = await h.database.db
        .selectFrom('audit_events')
        .select(sql<number>`count(*)`.as('n'))
        .where('user_id', '=', user.userId)
        .where('type', '=', 'login.succeeded')
        .where('details', 'like', '%password+totp%')
        .executeTakeFirstOrThrow();
      expect(Number(logins.n)).toBe(1);
    });
  });

  describe('brute force (docs/design.md §2.2, NIST SP 800-63B §5.2.2)', () => {
    it('50 concurrent wrong codes evaluate at most the limit of 10', async () => {
      const user = await userWithDevice(h);
      const challenges: string[] = [];
      for (let i = 0; i < 10; i++) challenges.push(await passwordStep(h, user.email));
      const code = wrongCode(user.secret, h.clock.now());
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => mfa(h, challenges[i % 10]!, code)));
      const evaluated = results.filter((r) => r.status === 401).length;
      expect(evaluated).toBeLessThanOrEqual(10);
      expect(results.filter((r) => r.status === 429).length).toBe(50 - evaluated);
      expect(results.every((r) => r.status === 401 || r.status === 429)).toBe(true);
      const failures = await h.database.db
        .selectFrom('audit_events')
        .select(sql<number>`count(*)`.as('n'))
        .where('user_id', '=', user.userId)
        .where('type', '=', 'mfa.verify_failed')
        .executeTakeFirstOrThrow();
      expect(Number(failures.n)).toBe(evaluated);
    });

    it('after lockout the right code is refused until the delay passes, also across a restart', async () => {
      const user = await userWithDevice(h);
      for (let round = 0; round < 2; round++) {
        const challengeId = await passwordStep(h, user.email);
        for (let i = 0; i < 5; i++)
          expect((await mfa(h, challengeId, wrongCode(user.secret, h.clock.now()))).status).toBe(401);
      }
      const locked = await mfa(h, await passwordStep(h, user.email), referenceTotp(user.secret, h.clock.now()));
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('mfa.locked');
      expect(Number(locked.headers['retry-after'])).toBe(60);
      const events = await h.database.db
        .selectFrom('audit_events')
        .select('type')
        .where('user_id', '=', user.userId)
        .where('type', '=', 'mfa.locked')
        .execute();
      expect(events).toHaveLength(1);

      await h.restart();
      h.clock.advance(30_000);
      const stillLocked = await mfa(h, await passwordStep(h, user.email), referenceTotp(user.secret, h.clock.now()));
      expect(stillLocked.status).toBe(429);
      expect(Number(stillLocked.headers['retry-after'])).toBe(30);

      h.clock.advance(31_000);
      const ok = await mfa(h, await passwordStep(h, user.email), referenceTotp(user.secret, h.clock.now()));
      expect(ok.status).toBe(201);
    });

    it('grows the delay after each further failure and locks for good at 100 consecutive failures until an operator unlocks', async () => {
      const user = await userWithDevice(h);
      let challengeId = await passwordStep(h, user.email);
      let tries = 0;
      const delays: number[] = [];
      for (let failures = 0; failures < 100;) {
        if (tries === 5) {
          challengeId = await passwordStep(h, user.email);
          tries = 0;
        }
        const res = await mfa(h, challengeId, wrongCode(user.secret, h.clock.now()));
        tries += 1;
        if (res.status === 410) {
          tries = 5; // the pending login expired while we waited out a lock: log in again
          continue;
        }
        if (res.status === 401) {
          failures += 1;
          continue;
        }
        expect(res.status).toBe(429);
        delays.push(Number(res.headers['retry-after']));
        h.clock.advance(Number(res.headers['retry-after']) * 1000);
      }
      // 1 min, 2 min, 4 min, ... capped at 1 hour.
      expect(delays.slice(0, 4)).toEqual([60, 120, 240, 480]);
      expect(Math.max(...delays)).toBe(3600);
      h.clock.advance(7 * 24 * 3600 * 1000);
      const forever = await mfa(h, await passwordStep(h, user.email), referenceTotp(user.secret, h.clock.now()));
      expect(forever.status).toBe(429);
      expect(forever.body.error.message).toMatch(/operator/);
      await h.services.operator.unlock(user.email);
      const unlocked = await mfa(h, await passwordStep(h, user.email), referenceTotp(user.secret, h.clock.now()));
      expect(unlocked.status).toBe(201);
    });

    it('step-up and unbind draw from the same second-factor budget as login', async () => {
      const user = await userWithDevice(h);
      const session = await loginFull(h, user);
      for (let i = 0; i < 5; i++) {
        expect(
          (
            await call(h.app, 'POST', '/api/v1/me/step-up', {
              token: session.token,
              body: { method: 'totp', code: wrongCode(user.secret, h.clock.now()) },
            })
          ).status,
        ).toBe(401);
        expect(
          (
            await call(h.app, 'DELETE', '/api/v1/me/mfa-device', {
              token: session.token,
              body: { code: wrongCode(user.secret, h.clock.now()) },
            })
          ).status,
        ).toBe(401);
      }
      h.clock.nextStep();
      const locked = await mfa(h, await passwordStep(h, user.email), referenceTotp(user.secret, h.clock.now()));
      expect(locked.status).toBe(429);
    });

    it('28 concurrent correct logins of one account all get in; 30 concurrent wrong passwords evaluate at most 10', async () => {
      const owner = await signupAndLogin(h);
      const right = await Promise.all(
        Array.from({ length: 28 }, () =>
          call(h.app, 'POST', '/api/v1/sessions', { body: { login: owner.email, password: PASSWORD } }),
        ),
      );
      // Tries are counted before the hash; correct ones still hashing do not lock each other out.
      expect(right.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
      const other = await signupAndLogin(h);
      const wrong = await Promise.all(
        Array.from({ length: 30 }, () =>
          call(h.app, 'POST', '/api/v1/sessions', { body: { login: other.email, password: 'not the password' } }),
        ),
      );
      const statuses = wrong.map((r) => r.status);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
      expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
    }, 30_000);

    it('a password lockout is audited (login.locked) and mailed to the owner once per lock period', async () => {
      const owner = await signupAndLogin(h);
      const attempt = () =>
        call(h.app, 'POST', '/api/v1/sessions', { body: { login: owner.email, password: 'not the password' } });
      for (let i = 0; i < 10; i++) expect((await attempt()).status).toBe(401);
      expect((await attempt()).status).toBe(429);
      const events = async () =>
        (await call(h.app, 'GET', '/api/v1/audit-events?type=login.locked', { token: owner.token })).body.events as {
          details: { factor: string; until: string };
        }[];
      const mails = async () => (await h.services.outbox(owner.email)).filter((m) => m.kind === 'login.locked');
      expect(await events()).toHaveLength(1);
      expect((await events())[0]!.details).toMatchObject({ factor: 'password', until: expect.any(String) });
      expect(await mails()).toHaveLength(1);
      expect((await mails())[0]!.text).toMatch(/too many wrong passwords/);
      // The next lock period (after a further failure once the first lock ends) is told once more.
      h.clock.advance(31_000);
      expect((await attempt()).status).toBe(401);
      expect((await attempt()).status).toBe(429);
      expect(await events()).toHaveLength(2);
      expect(await mails()).toHaveLength(2);
    });

    it('limits password attempts per client address: 50 failures in 15 minutes', async () => {
      const fresh = await createHarness(kind);
      try {
        for (let i = 0; i < 50; i++) {
          const res = await call(fresh.app, 'POST', '/api/v1/sessions', {
            body: { login: `spray${i}@example.com`, password: 'Winter2026!' },
          });
          expect(res.status).toBe(401);
        }
        const res = await call(fresh.app, 'POST', '/api/v1/sessions', {
          body: { login: 'spray-last@example.com', password: 'Winter2026!' },
        });
        expect(res.status).toBe(429);
        expect(res.body.error.code).toBe('auth.too_many_attempts');
        fresh.clock.advance(15 * 60_000 + 1000);
        expect(
          (
            await call(fresh.app, 'POST', '/api/v1/sessions', {
              body: { login: 'spray-after@example.com', password: 'x' },
            })
          ).status,
        ).toBe(401);
      } finally {
        await fresh.close();
      }
    });
  });

  describe('secrets at rest (docs/design.md §2.3)', () => {
    it('a database dump holds no TOTP secret, session token, challenge id or password', async () => {
      const user = await userWithDevice(h);
      const challengeId = await passwordStep(h, user.email);
      const login = await mfa(h, challengeId, referenceTotp(user.secret, h.clock.now()));
      const dump: string[] = [];
      for (const table of [
        'accounts',
        'users',
        'mfa_devices',
        'sessions',
        'login_challenges',
        'throttles',
        'audit_events',
      ] as const) {
        dump.push(JSON.stringify(await h.database.db.selectFrom(table).selectAll().execute()));
      }
      const text = dump.join('\n');
      const base32 = user.enrollment.enrollment.secret as string;
      for (const needle of [
        base32,
        user.secret.toString('hex'),
        user.secret.toString('base64'),
        login.body.session.token,
        login.body.session.token.split('.')[1],
        challengeId,
        PASSWORD,
      ]) {
        expect(text.includes(needle), `dump contains ${needle.slice(0, 6)}…`).toBe(false);
      }
      expect(text).toContain('$argon2id$v=19$m=19456,t=2,p=1$');
    });
  });
});
