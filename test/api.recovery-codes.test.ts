import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  PASSWORD,
  call,
  createHarness,
  databaseKinds,
  loginFull,
  passwordStep,
  primaryAccount,
  createSubUser,
  loginAs,
  signupAndLogin,
  wrongCode,
  type Harness,
} from './helpers/harness.js';
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';

const FORMAT = /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/;

describe.each(databaseKinds())('recovery codes on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  /** A user who bound a device through the API, with the recovery codes from that one answer. */
  async function boundWithCodes() {
    const user = await signupAndLogin(h);
    const enrollment = await call(h.app, 'POST', '/api/v1/me/mfa-device', { token: user.token });
    const secret = referenceBase32Decode(enrollment.body.enrollment.secret);
    const now = h.clock.now();
    const activation = await call(h.app, 'POST', '/api/v1/me/mfa-device/activate', {
      token: user.token,
      body: {
        enrollmentId: enrollment.body.enrollment.id,
        codes: [referenceTotp(secret, now, -1), referenceTotp(secret, now)],
      },
    });
    expect(activation.status).toBe(200);
    h.clock.nextStep();
    return {
      ...user,
      secret,
      token: activation.body.session.token as string,
      codes: activation.body.recoveryCodes as string[],
      activation,
    };
  }

  const recoveryLogin = async (email: string, recoveryCode: string) =>
    call(h.app, 'POST', '/api/v1/sessions/mfa', { body: { challengeId: await passwordStep(h, email), recoveryCode } });

  it('binding hands out 10 distinct codes once, not cacheable; later answers show only how many are left', async () => {
    const user = await boundWithCodes();
    expect(user.codes).toHaveLength(10);
    expect(new Set(user.codes).size).toBe(10);
    for (const code of user.codes) expect(code).toMatch(FORMAT);
    expect(user.activation.headers['cache-control']).toBe('no-store');
    const status = await call(h.app, 'GET', '/api/v1/me/recovery-codes', { token: user.token });
    expect(status.body).toEqual({ remaining: 10, createdAt: expect.any(String) });
    const me = await call(h.app, 'GET', '/api/v1/me', { token: user.token });
    for (const code of user.codes) expect(JSON.stringify([me.body, status.body])).not.toContain(code.slice(0, 5));
    // Without a device there are none.
    expect(
      (await call(h.app, 'GET', '/api/v1/me/recovery-codes', { token: (await signupAndLogin(h)).token })).status,
    ).toBe(404);
  });

  it('a recovery code stands in for the dynamic code once; case, spaces, dashes and look-alikes do not matter', async () => {
    const user = await boundWithCodes();
    const first = await recoveryLogin(user.email, user.codes[0]!);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'authenticated', recoveryCodesLeft: 9 });
    const again = await recoveryLogin(user.email, user.codes[0]!);
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('mfa.invalid_recovery_code');
    // Typed the way people do: lower case, no dash, spaces, O for 0 and l for 1.
    const typed = user.codes[1]!.replace('-', '').toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l');
    const loose = await recoveryLogin(user.email, ` ${typed.slice(0, 3)} ${typed.slice(3)} `);
    expect(loose.status).toBe(201);
    expect(loose.body.recoveryCodesLeft).toBe(8);
    // Neither field, or both, is a 400.
    const challengeId = await passwordStep(h, user.email);
    expect((await call(h.app, 'POST', '/api/v1/sessions/mfa', { body: { challengeId } })).status).toBe(400);
    expect(
      (
        await call(h.app, 'POST', '/api/v1/sessions/mfa', {
          body: { challengeId, code: '123456', recoveryCode: user.codes[2] },
        })
      ).status,
    ).toBe(400);
    // The use is audited and e-mailed, with the count left.
    const events = (
      await call(h.app, 'GET', '/api/v1/audit-events?type=mfa.recovery_code_used', { token: first.body.session.token })
    ).body.events;
    expect(events).toHaveLength(2);
    const mails = (await h.services.outbox(user.email)).filter((m) => m.kind === 'mfa.recovery_code_used');
    expect(mails.map((m) => m.text).join('\n')).toContain('8 unused recovery codes left');
  });

  it('30 concurrent logins with one code give exactly one session', async () => {
    const user = await boundWithCodes();
    const challenges = await Promise.all(Array.from({ length: 30 }, () => passwordStep(h, user.email)));
    const answers = await Promise.all(
      challenges.map((challengeId) =>
        call(h.app, 'POST', '/api/v1/sessions/mfa', { body: { challengeId, recoveryCode: user.codes[0] } }),
      ),
    );
    expect(answers.filter((r) => r.status === 201)).toHaveLength(1);
    expect(answers.filter((r) => r.status >= 500)).toEqual([]);
  }, 30_000);

  it('a wrong recovery code draws from the same lockout budget as a wrong dynamic code', async () => {
    const user = await boundWithCodes();
    for (let i = 0; i < 5; i++) {
      expect((await recoveryLogin(user.email, 'ZZZZZ-ZZZZZ')).status).toBe(401);
      const challengeId = await passwordStep(h, user.email);
      expect(
        (
          await call(h.app, 'POST', '/api/v1/sessions/mfa', {
            body: { challengeId, code: wrongCode(user.secret, h.clock.now()) },
          })
        ).status,
      ).toBe(401);
    }
    // Ten failures of both kinds: now even a right code, of either kind, is refused.
    const locked = await recoveryLogin(user.email, user.codes[0]!);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('mfa.locked');
    const challengeId = await passwordStep(h, user.email);
    expect(
      (
        await call(h.app, 'POST', '/api/v1/sessions/mfa', {
          body: { challengeId, code: referenceTotp(user.secret, h.clock.now()) },
        })
      ).status,
    ).toBe(429);
  });

  it('a new set needs a fresh step-up, replaces the old one in one commit, and is e-mailed', async () => {
    const user = await boundWithCodes();
    h.clock.advance(301_000);
    const session = await loginFull(h, user);
    h.clock.advance(301_000);
    const stale = await call(h.app, 'POST', '/api/v1/me/recovery-codes', { token: session.token });
    expect(stale.status).toBe(401);
    expect(stale.body.error).toMatchObject({
      code: 'auth.step_up_required',
      methods: ['totp'],
      operation: 'mfa.regenerate_recovery_codes',
    });
    // A recovery code is a step-up where a TOTP code is (and it is spent).
    const stepUp = await call(h.app, 'POST', '/api/v1/me/step-up', {
      token: session.token,
      body: { method: 'recovery_code', code: user.codes[9] },
    });
    expect(stepUp.status).toBe(200);
    const fresh = await call(h.app, 'POST', '/api/v1/me/recovery-codes', { token: session.token });
    expect(fresh.status).toBe(201);
    expect(fresh.headers['cache-control']).toBe('no-store');
    expect(fresh.body.codes).toHaveLength(10);
    for (const old of user.codes.slice(0, 3)) expect((await recoveryLogin(user.email, old)).status).toBe(401);
    expect((await recoveryLogin(user.email, fresh.body.codes[0])).status).toBe(201);
    expect((await h.services.outbox(user.email)).some((m) => m.kind === 'mfa.recovery_codes_regenerated')).toBe(true);
    const events = (
      await call(h.app, 'GET', '/api/v1/audit-events?type=mfa.recovery_codes_regenerated', { token: session.token })
    ).body.events;
    expect(events).toHaveLength(1);
  });

  it('a new set that fails half-way leaves the old set working (revocation and the new set commit together)', async () => {
    const user = await boundWithCodes();
    const crash = h.services.store.transaction(async (repos) => {
      await repos.recoveryCodes.replaceSet(user.userId, [], h.clock.now());
      throw new Error('crashed before the new set was stored');
    });
    await expect(crash).rejects.toThrow('crashed');
    expect((await call(h.app, 'GET', '/api/v1/me/recovery-codes', { token: user.token })).body.remaining).toBe(10);
    expect((await recoveryLogin(user.email, user.codes[4]!)).status).toBe(201);
  });

  it('a lost phone: sign in with one code, unbind with another, bind a new device; the old codes are gone', async () => {
    const user = await boundWithCodes();
    const login = await recoveryLogin(user.email, user.codes[0]!);
    const token = login.body.session.token as string;
    const wrong = await call(h.app, 'DELETE', '/api/v1/me/mfa-device', {
      token,
      body: { recoveryCode: 'ZZZZZ-ZZZZZ' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('mfa.invalid_recovery_code');
    expect(
      (await call(h.app, 'DELETE', '/api/v1/me/mfa-device', { token, body: { recoveryCode: user.codes[1] } })).status,
    ).toBe(204);
    expect((await call(h.app, 'GET', '/api/v1/me', { token })).body.mfa).toEqual({ bound: false, devices: [] });
    // The remaining codes went with the device: after binding a new one, they do not work.
    const enrollment = await call(h.app, 'POST', '/api/v1/me/mfa-device', { token });
    const secret = referenceBase32Decode(enrollment.body.enrollment.secret);
    const now = h.clock.now();
    const bound = await call(h.app, 'POST', '/api/v1/me/mfa-device/activate', {
      token,
      body: {
        enrollmentId: enrollment.body.enrollment.id,
        codes: [referenceTotp(secret, now, -1), referenceTotp(secret, now)],
      },
    });
    expect(bound.body.recoveryCodes).toHaveLength(10);
    expect((await recoveryLogin(user.email, user.codes[2]!)).status).toBe(401);
    expect((await recoveryLogin(user.email, bound.body.recoveryCodes[0])).status).toBe(201);
  });

  it('an administrator reset revokes a sub-user’s codes, and an administrator never sees them', async () => {
    const primary = await primaryAccount(h);
    const sub = await createSubUser(h, primary.token, primary.alias, { email: `rc.${primary.alias}@example.com` });
    const subToken = (await loginAs(h, sub.login)).body.session.token as string;
    const enrollment = await call(h.app, 'POST', '/api/v1/me/mfa-device', { token: subToken });
    const secret = referenceBase32Decode(enrollment.body.enrollment.secret);
    const now = h.clock.now();
    const bound = await call(h.app, 'POST', '/api/v1/me/mfa-device/activate', {
      token: subToken,
      body: {
        enrollmentId: enrollment.body.enrollment.id,
        codes: [referenceTotp(secret, now, -1), referenceTotp(secret, now)],
      },
    });
    const codes = bound.body.recoveryCodes as string[];
    const details = await call(h.app, 'GET', `/api/v1/users/${sub.id}`, { token: primary.token });
    expect(JSON.stringify(details.body)).not.toContain(codes[0]!.slice(0, 5));
    expect(
      (
        await call(h.app, 'DELETE', `/api/v1/users/${sub.id}/mfa-device`, {
          token: primary.token,
          body: { reason: 'lost' },
        })
      ).status,
    ).toBe(204);
    const rows = await h.database.db
      .selectFrom('recovery_codes')
      .select(['revoked_at', 'used_at'])
      .where('user_id', '=', sub.id)
      .execute();
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.revoked_at !== null)).toBe(true);
    // A device an administrator binds for a sub-user hands out no codes (the administrator must not see them).
    const forSub = await call(h.app, 'POST', `/api/v1/users/${sub.id}/mfa-device`, { token: primary.token });
    const subSecret = referenceBase32Decode(forSub.body.enrollment.secret);
    h.clock.nextStep();
    const t = h.clock.now();
    const adminBound = await call(h.app, 'POST', `/api/v1/users/${sub.id}/mfa-device/activate`, {
      token: primary.token,
      body: {
        enrollmentId: forSub.body.enrollment.id,
        codes: [referenceTotp(subSecret, t, -1), referenceTotp(subSecret, t)],
      },
    });
    expect(adminBound.status).toBe(200);
    expect(adminBound.body.recoveryCodes).toBeUndefined();
  });

  it('a database dump holds none of the codes, raw or normalised', async () => {
    const user = await boundWithCodes();
    const rows = await h.database.db
      .selectFrom('recovery_codes')
      .selectAll()
      .where('user_id', '=', user.userId)
      .execute();
    const dump =
      JSON.stringify(rows) + JSON.stringify(await h.database.db.selectFrom('audit_events').selectAll().execute());
    for (const code of user.codes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(code.replace('-', ''));
    }
    expect(rows.every((r) => /^[A-Za-z0-9_-]{43}$/.test(r.code_hash))).toBe(true);
    // Still usable after a restart: the hashes are keyed by the configured instance key.
    if (kind === 'sqlite') {
      await h.restart();
      expect((await recoveryLogin(user.email, user.codes[3]!)).status).toBe(201);
    }
    expect(
      (await sql<{ n: number }>`select count(*) as n from recovery_codes`.execute(h.database.db)).rows[0],
    ).toBeDefined();
  });

  it('the password is not a recovery code, and a recovery code is not a password', async () => {
    const user = await boundWithCodes();
    expect((await recoveryLogin(user.email, PASSWORD)).status).toBe(401);
    expect(
      (await call(h.app, 'POST', '/api/v1/sessions', { body: { login: user.email, password: user.codes[0] } })).status,
    ).toBe(401);
  });
});
