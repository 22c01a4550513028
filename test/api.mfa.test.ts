import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  bindDevice,
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
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';

describe.each(databaseKinds())('virtual MFA lifecycle on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  const enroll = (token: string) => call(h.app, 'POST', '/api/v1/me/mfa-device', { token });

  describe('POST /me/mfa-device', () => {
    it('hands over a 160-bit secret once, with a Key Uri Format URI and an SVG QR code, not cacheable', async () => {
      const user = await signupAndLogin(h);
      const res = await enroll(user.token);
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.codesRequired).toBe(2);
      const { secret, otpauthUri, qrSvg, id, expiresAt } = res.body.enrollment;
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(referenceBase32Decode(secret)).toHaveLength(20);
      expect(otpauthUri).toBe(
        `otpauth://totp/twofold%20test:${encodeURIComponent(user.email)}?secret=${secret}&issuer=twofold%20test&algorithm=SHA1&digits=6&period=30`,
      );
      expect(qrSvg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(id).toEqual(expect.any(String));
      expect(Date.parse(expiresAt) - h.clock.now()).toBe(10 * 60_000);
      // Nothing else ever shows the secret again.
      const me = await call(h.app, 'GET', '/api/v1/me', { token: user.token });
      expect(JSON.stringify(me.body)).not.toContain(secret);
    });
    it('needs a fresh step-up: 401 auth.step_up_required offering an email code or the password when no device is bound', async () => {
      const user = await signupAndLogin(h);
      h.clock.advance(301_000);
      const res = await enroll(user.token);
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ code: 'auth.step_up_required', methods: ['email', 'password'] });
      const wrong = await call(h.app, 'POST', '/api/v1/me/step-up', {
        token: user.token,
        body: { method: 'password', password: 'not my password' },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.code).toBe('auth.invalid_credentials');
      const stepUp = await call(h.app, 'POST', '/api/v1/me/step-up', {
        token: user.token,
        body: { method: 'password', password: PASSWORD },
      });
      expect(stepUp.status).toBe(200);
      expect(Date.parse(stepUp.body.stepUpUntil)).toBe(h.clock.now() + 300_000);
      expect((await enroll(user.token)).status).toBe(201);
    });
    it('refuses a second device with 409 mfa.already_bound', async () => {
      const user = await userWithDevice(h);
      const session = await loginFull(h, user);
      const res = await enroll(session.token);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('mfa.already_bound');
    });
    it('needs a session', async () => {
      expect((await call(h.app, 'POST', '/api/v1/me/mfa-device')).status).toBe(401);
    });
  });

  describe('POST /me/mfa-device/activate', () => {
    it('binds with two consecutive codes, burning their steps so they cannot log in again', async () => {
      const user = await signupAndLogin(h);
      const res = await enroll(user.token);
      const secret = referenceBase32Decode(res.body.enrollment.secret);
      const now = h.clock.now();
      const activate = await call(h.app, 'POST', '/api/v1/me/mfa-device/activate', {
        token: user.token,
        body: {
          enrollmentId: res.body.enrollment.id,
          codes: [referenceTotp(secret, now), referenceTotp(secret, now, 1)],
        },
      });
      expect(activate.status).toBe(200);
      expect(activate.body.device).toEqual({ id: res.body.enrollment.id, boundAt: new Date(now).toISOString() });
      // The session that bound the device is rotated: a new token, the old one has stopped working.
      expect(activate.body.session).toMatchObject({ token: expect.any(String), restricted: false });
      expect(activate.body.session.token).not.toBe(user.token);
      expect((await call(h.app, 'GET', '/api/v1/me', { token: user.token })).status).toBe(401);
      const me = await call(h.app, 'GET', '/api/v1/me', { token: activate.body.session.token });
      // "The" device as before, and every device (API.md "MFA devices and passkeys").
      expect(me.body.mfa).toEqual({
        bound: true,
        device: activate.body.device,
        devices: [{ ...activate.body.device, type: 'totp', name: 'Authenticator app', lastUsedAt: null }],
      });
      // The new session proved the device: it is MFA-verified and its step-up is fresh.
      expect(me.body.session.stepUpUntil).not.toBeNull();
      // The activation's last code (step T+1) is spent: a login with it fails until a newer step.
      const challengeId = await passwordStep(h, user.email);
      const replay = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId, code: referenceTotp(secret, now, 1) },
      });
      expect(replay.status).toBe(401);
    });
    it('refuses codes that are not consecutive, in the wrong order, or not from the new secret (422)', async () => {
      const user = await signupAndLogin(h);
      const res = await enroll(user.token);
      const secret = referenceBase32Decode(res.body.enrollment.secret);
      const now = h.clock.now();
      const other = Buffer.alloc(20, 9);
      for (const codes of [
        [referenceTotp(secret, now), referenceTotp(secret, now)],
        [referenceTotp(secret, now, 1), referenceTotp(secret, now)],
        [referenceTotp(secret, now, -1), referenceTotp(secret, now, 1)],
        [referenceTotp(other, now), referenceTotp(other, now, 1)],
      ]) {
        const r = await call(h.app, 'POST', '/api/v1/me/mfa-device/activate', {
          token: user.token,
          body: { enrollmentId: res.body.enrollment.id, codes },
        });
        expect(r.status).toBe(422);
        expect(r.body.error.code).toBe('mfa.invalid_code');
      }
      const one = await call(h.app, 'POST', '/api/v1/me/mfa-device/activate', {
        token: user.token,
        body: { enrollmentId: res.body.enrollment.id, codes: [referenceTotp(secret, now)] },
      });
      expect(one.status).toBe(400);
      expect(one.body.error.code).toBe('validation.failed');
      expect((await call(h.app, 'GET', '/api/v1/me', { token: user.token })).body.mfa.bound).toBe(false);
    });
    it('tells the user to sync the phone clock when both codes match a time minutes away', async () => {
      const user = await signupAndLogin(h);
      const res = await enroll(user.token);
      const secret = referenceBase32Decode(res.body.enrollment.secret);
      const now = h.clock.now();
      const r = await call(h.app, 'POST', '/api/v1/me/mfa-device/activate', {
        token: user.token,
        body: {
          enrollmentId: res.body.enrollment.id,
          codes: [referenceTotp(secret, now, -7), referenceTotp(secret, now, -6)],
        },
      });
      expect(r.status).toBe(422);
      expect(r.body.error.hint).toBe('clock_skew');
    });
    it('answers 410 for an expired enrollment and 404 for an unknown or foreign one', async () => {
      const user = await signupAndLogin(h);
      const res = await enroll(user.token);
      const secret = referenceBase32Decode(res.body.enrollment.secret);
      const other = await signupAndLogin(h);
      const foreign = await call(h.app, 'POST', '/api/v1/me/mfa-device/activate', {
        token: other.token,
        body: { enrollmentId: res.body.enrollment.id, codes: ['123456', '234567'] },
      });
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe('mfa.enrollment_not_found');
      h.clock.advance(10 * 60_000 + 1);
      const now = h.clock.now();
      const expired = await call(h.app, 'POST', '/api/v1/me/mfa-device/activate', {
        token: user.token,
        body: {
          enrollmentId: res.body.enrollment.id,
          codes: [referenceTotp(secret, now), referenceTotp(secret, now, 1)],
        },
      });
      expect(expired.status).toBe(410);
      expect(expired.body.error.code).toBe('mfa.enrollment_expired');
    });
    it('a new enrollment replaces the pending one; a pending one never disturbs the bound device', async () => {
      const user = await signupAndLogin(h);
      const first = await enroll(user.token);
      const second = await enroll(user.token);
      const now = h.clock.now();
      const s1 = referenceBase32Decode(first.body.enrollment.secret);
      const stale = await call(h.app, 'POST', '/api/v1/me/mfa-device/activate', {
        token: user.token,
        body: { enrollmentId: first.body.enrollment.id, codes: [referenceTotp(s1, now), referenceTotp(s1, now, 1)] },
      });
      expect(stale.status).toBe(404);
      const s2 = referenceBase32Decode(second.body.enrollment.secret);
      expect(
        (
          await call(h.app, 'POST', '/api/v1/me/mfa-device/activate', {
            token: user.token,
            body: {
              enrollmentId: second.body.enrollment.id,
              codes: [referenceTotp(s2, now), referenceTotp(s2, now, 1)],
            },
          })
        ).status,
      ).toBe(200);
      // With the device bound, the old device keeps working and no new enrollment starts.
      h.clock.nextStep();
      h.clock.nextStep();
      const session = await loginFull(h, { email: user.email, secret: s2 });
      expect((await enroll(session.token)).status).toBe(409);
    });
    it('works with one code when TWOFOLD_MFA_ACTIVATION_CODES=1', async () => {
      const single = await createHarness(kind, { config: { mfaActivationCodes: 1 } });
      try {
        const user = await signupAndLogin(single);
        const res = await call(single.app, 'POST', '/api/v1/me/mfa-device', { token: user.token });
        expect(res.body.codesRequired).toBe(1);
        const secret = referenceBase32Decode(res.body.enrollment.secret);
        const two = await call(single.app, 'POST', '/api/v1/me/mfa-device/activate', {
          token: user.token,
          body: {
            enrollmentId: res.body.enrollment.id,
            codes: [referenceTotp(secret, single.clock.now()), referenceTotp(secret, single.clock.now(), 1)],
          },
        });
        expect(two.status).toBe(400);
        const one = await call(single.app, 'POST', '/api/v1/me/mfa-device/activate', {
          token: user.token,
          body: { enrollmentId: res.body.enrollment.id, codes: [referenceTotp(secret, single.clock.now())] },
        });
        expect(one.status).toBe(200);
      } finally {
        await single.close();
      }
    });
    it("binding ends the user's other sessions", async () => {
      const user = await signupAndLogin(h);
      const other = await call(h.app, 'POST', '/api/v1/sessions', { body: { login: user.email, password: PASSWORD } });
      const bound = await bindDevice(h, user.token);
      expect((await call(h.app, 'GET', '/api/v1/me', { token: other.body.session.token })).status).toBe(401);
      expect((await call(h.app, 'GET', '/api/v1/me', { token: user.token })).status).toBe(401); // rotated
      expect((await call(h.app, 'GET', '/api/v1/me', { token: bound.token })).status).toBe(200);
    });
  });

  describe('DELETE /me/mfa-device', () => {
    it('unbinds with a current code and a fresh step-up; the old device stops working', async () => {
      const user = await userWithDevice(h);
      const session = await loginFull(h, user);
      h.clock.nextStep();
      const res = await call(h.app, 'DELETE', '/api/v1/me/mfa-device', {
        token: session.token,
        body: { code: referenceTotp(user.secret, h.clock.now()) },
      });
      expect(res.status).toBe(204);
      expect((await call(h.app, 'GET', '/api/v1/me', { token: session.token })).body.mfa).toEqual({
        bound: false,
        devices: [],
      });
      // The next login asks for the password only.
      const login = await call(h.app, 'POST', '/api/v1/sessions', { body: { login: user.email, password: PASSWORD } });
      expect(login.status).toBe(201);
      const types = (await call(h.app, 'GET', '/api/v1/audit-events?type=mfa.unbound', { token: session.token })).body
        .events;
      expect(types).toHaveLength(1);
    });
    it('refuses a wrong code (401), a replayed code (401), a stale step-up (401 with methods totp) and no device (404)', async () => {
      const user = await userWithDevice(h);
      const session = await loginFull(h, user);
      const loginCode = referenceTotp(user.secret, h.clock.now());
      const replay = await call(h.app, 'DELETE', '/api/v1/me/mfa-device', {
        token: session.token,
        body: { code: loginCode },
      });
      expect(replay.status).toBe(401);
      expect(replay.body.error.code).toBe('mfa.invalid_code');
      const wrong = await call(h.app, 'DELETE', '/api/v1/me/mfa-device', {
        token: session.token,
        body: { code: wrongCode(user.secret, h.clock.now()) },
      });
      expect(wrong.status).toBe(401);
      h.clock.advance(301_000);
      const stale = await call(h.app, 'DELETE', '/api/v1/me/mfa-device', {
        token: session.token,
        body: { code: referenceTotp(user.secret, h.clock.now()) },
      });
      expect(stale.status).toBe(401);
      expect(stale.body.error).toMatchObject({ code: 'auth.step_up_required', methods: ['totp'] });
      // Step-up with a code, then unbind with the next one.
      const stepUp = await call(h.app, 'POST', '/api/v1/me/step-up', {
        token: session.token,
        body: { method: 'totp', code: referenceTotp(user.secret, h.clock.now()) },
      });
      expect(stepUp.status).toBe(200);
      h.clock.nextStep();
      expect(
        (
          await call(h.app, 'DELETE', '/api/v1/me/mfa-device', {
            token: session.token,
            body: { code: referenceTotp(user.secret, h.clock.now()) },
          })
        ).status,
      ).toBe(204);
      const none = await call(h.app, 'DELETE', '/api/v1/me/mfa-device', {
        token: session.token,
        body: { code: '123456' },
      });
      expect(none.status).toBe(404);
      expect(none.body.error.code).toBe('mfa.not_bound');
    });
  });

  describe('POST /me/step-up', () => {
    it('belongs to its session only: a step-up in one session does not count in another', async () => {
      const user = await userWithDevice(h);
      const a = await loginFull(h, user);
      const b = await loginFull(h, user);
      h.clock.advance(301_000);
      h.clock.nextStep();
      expect(
        (
          await call(h.app, 'POST', '/api/v1/me/step-up', {
            token: a.token,
            body: { method: 'totp', code: referenceTotp(user.secret, h.clock.now()) },
          })
        ).status,
      ).toBe(200);
      h.clock.nextStep();
      const inB = await call(h.app, 'DELETE', '/api/v1/me/mfa-device', {
        token: b.token,
        body: { code: referenceTotp(user.secret, h.clock.now()) },
      });
      expect(inB.status).toBe(401);
      expect(inB.body.error.code).toBe('auth.step_up_required');
    });
    it('accepts a step-up code exactly once (better-auth #10387) and refuses the password once a device is bound', async () => {
      const user = await userWithDevice(h);
      const session = await loginFull(h, user);
      h.clock.nextStep();
      const code = referenceTotp(user.secret, h.clock.now());
      expect(
        (await call(h.app, 'POST', '/api/v1/me/step-up', { token: session.token, body: { method: 'totp', code } }))
          .status,
      ).toBe(200);
      expect(
        (await call(h.app, 'POST', '/api/v1/me/step-up', { token: session.token, body: { method: 'totp', code } }))
          .status,
      ).toBe(401);
      const password = await call(h.app, 'POST', '/api/v1/me/step-up', {
        token: session.token,
        body: { method: 'password', password: PASSWORD },
      });
      expect(password.status).toBe(401);
      expect(password.body.error).toMatchObject({ code: 'auth.step_up_required', methods: ['totp'] });
    });
    it('a TOTP step-up that first proves the device in a session rotates it (new token, old one ends); later ones only refresh', async () => {
      const user = await userWithDevice(h);
      const session = await loginFull(h, user);
      // A session that has not proved the device yet (as one opened before it was bound would be).
      const id = session.token.split('.')[0]!;
      await h.database.db.updateTable('sessions').set({ mfa_verified: 0 }).where('id', '=', id).execute();
      h.clock.nextStep();
      const first = await call(h.app, 'POST', '/api/v1/me/step-up', {
        token: session.token,
        body: { method: 'totp', code: referenceTotp(user.secret, h.clock.now()) },
      });
      expect(first.status).toBe(200);
      expect(first.body.session).toMatchObject({ token: expect.any(String), restricted: false });
      expect((await call(h.app, 'GET', '/api/v1/me', { token: session.token })).status).toBe(401);
      const rotated = first.body.session.token as string;
      const me = await call(h.app, 'GET', '/api/v1/me', { token: rotated });
      expect(me.status).toBe(200);
      expect(me.body.session.stepUpUntil).toBe(first.body.stepUpUntil);
      // Rotation never lengthens a session: the new one ends when the old one would have.
      const rows = await h.database.db
        .selectFrom('sessions')
        .select(['id', 'absolute_expires_at'])
        .where('id', 'in', [id, rotated.split('.')[0]!])
        .execute();
      expect(new Set(rows.map((r) => r.absolute_expires_at)).size).toBe(1);
      h.clock.nextStep();
      const again = await call(h.app, 'POST', '/api/v1/me/step-up', {
        token: rotated,
        body: { method: 'totp', code: referenceTotp(user.secret, h.clock.now()) },
      });
      expect(again.status).toBe(200);
      expect(again.body.session).toBeUndefined();
      expect((await call(h.app, 'GET', '/api/v1/me', { token: rotated })).status).toBe(200);
    });
    it('answers 404 for a TOTP step-up without a device and 400 for unknown methods', async () => {
      const user = await signupAndLogin(h);
      expect(
        (
          await call(h.app, 'POST', '/api/v1/me/step-up', {
            token: user.token,
            body: { method: 'totp', code: '123456' },
          })
        ).status,
      ).toBe(404);
      expect(
        (await call(h.app, 'POST', '/api/v1/me/step-up', { token: user.token, body: { method: 'carrier-pigeon' } }))
          .status,
      ).toBe(400);
    });
  });

  describe('POST /me/mfa-device/resync', () => {
    it('re-learns a phone clock running 4 minutes fast from two consecutive codes, then logins work at that offset', async () => {
      const user = await userWithDevice(h);
      const session = await loginFull(h, user);
      h.clock.nextStep();
      const now = h.clock.now();
      // The phone runs 8 steps (4 minutes) ahead: an ordinary login code fails with the clock hint.
      const challengeId = await passwordStep(h, user.email);
      const before = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId, code: referenceTotp(user.secret, now, 8) },
      });
      expect(before.body.error.hint).toBe('clock_skew');
      const res = await call(h.app, 'POST', '/api/v1/me/mfa-device/resync', {
        token: session.token,
        body: { codes: [referenceTotp(user.secret, now, 8), referenceTotp(user.secret, now, 9)] },
      });
      expect(res.status).toBe(200);
      expect(res.body.device).toEqual({ id: user.deviceId, driftSeconds: 270 });
      h.clock.advance(30_000 * 2);
      const later = await passwordStep(h, user.email);
      const ok = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId: later, code: referenceTotp(user.secret, h.clock.now(), 9) },
      });
      expect(ok.status).toBe(201);
    });
    it('refuses non-consecutive codes, codes beyond 5 minutes, and callers without a device', async () => {
      const user = await userWithDevice(h);
      const session = await loginFull(h, user);
      h.clock.nextStep();
      const now = h.clock.now();
      for (const codes of [
        [referenceTotp(user.secret, now, 1), referenceTotp(user.secret, now, 3)],
        [referenceTotp(user.secret, now, 12), referenceTotp(user.secret, now, 13)],
      ]) {
        const r = await call(h.app, 'POST', '/api/v1/me/mfa-device/resync', { token: session.token, body: { codes } });
        expect(r.status).toBe(422);
        expect(r.body.error.code).toBe('mfa.invalid_code');
      }
      const plain = await signupAndLogin(h);
      expect(
        (
          await call(h.app, 'POST', '/api/v1/me/mfa-device/resync', {
            token: plain.token,
            body: { codes: ['123456', '234567'] },
          })
        ).status,
      ).toBe(404);
    });
  });
});
