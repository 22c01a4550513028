import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng } from './helpers/prng.js';
import {
  PASSWORD,
  call,
  createHarness,
  createSubUser,
  databaseKinds,
  loginAs,
  passwordStep,
  primaryAccount,
  signupAndLogin,
  bindDevice,
  userWithDevice,
  wrongCode,
  type Harness,
} from './helpers/harness.js';
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';
import { createSoftAuthenticator, type SoftAuthenticator } from './helpers/soft-authenticator.js';

const ORIGIN = 'http://localhost:3000';

describe.each(databaseKinds())('several MFA devices and passkeys on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind, { config: { publicUrl: ORIGIN } });
  });
  afterAll(async () => h.close());

  const get = (token: string, url: string) => call(h.app, 'GET', url, { token });
  const devicesOf = async (token: string) =>
    (await get(token, '/api/v1/me/mfa-devices')).body.devices as {
      id: string;
      type: string;
      name: string;
      lastUsedAt: string | null;
    }[];
  const auditOf = async (token: string, type: string) =>
    (await get(token, `/api/v1/audit-events?type=${type}`)).body.events as { details: Record<string, unknown> }[];
  const outbox = async (to: string) =>
    (await call(h.app, 'GET', `/api/v1/dev/outbox?to=${encodeURIComponent(to)}`)).body.messages as {
      subject: string;
      text: string;
    }[];
  const secondFactorFailures = async (userId: string) =>
    (
      await h.database.db
        .selectFrom('throttles')
        .select('failures')
        .where('key', '=', `mfa:${userId}`)
        .executeTakeFirst()
    )?.failures ?? 0;

  /** Another authenticator app, added with the plural endpoints; the session rotates. */
  async function addApp(token: string, name?: string) {
    const started = await call(h.app, 'POST', '/api/v1/me/mfa-devices', {
      token,
      body: { type: 'totp', ...(name ? { name } : {}) },
    });
    if (started.status !== 201) throw new Error(`add: ${started.status} ${JSON.stringify(started.body)}`);
    const secret = referenceBase32Decode(started.body.enrollment.secret);
    const now = h.clock.now();
    const activated = await call(h.app, 'POST', '/api/v1/me/mfa-devices/activate', {
      token,
      body: {
        enrollmentId: started.body.enrollment.id,
        codes: [referenceTotp(secret, now, -1), referenceTotp(secret, now)],
      },
    });
    if (activated.status !== 200) throw new Error(`activate: ${activated.status} ${JSON.stringify(activated.body)}`);
    h.clock.nextStep();
    return { secret, id: activated.body.device.id as string, token: activated.body.session.token as string };
  }

  /** A passkey registered by `authenticator`; the session rotates. */
  async function addPasskey(token: string, authenticator: SoftAuthenticator, name = 'YubiKey 5C') {
    const started = await call(h.app, 'POST', '/api/v1/me/mfa-devices', { token, body: { type: 'webauthn', name } });
    if (started.status !== 201) throw new Error(`add passkey: ${started.status} ${JSON.stringify(started.body)}`);
    const credential = authenticator.register(started.body.enrollment.options);
    const activated = await call(h.app, 'POST', '/api/v1/me/mfa-devices/activate', {
      token,
      body: { enrollmentId: started.body.enrollment.id, credential },
    });
    if (activated.status !== 200) throw new Error(`activate: ${activated.status} ${JSON.stringify(activated.body)}`);
    return {
      options: started.body.enrollment.options,
      credentialId: credential.id,
      device: activated.body.device,
      recoveryCodes: activated.body.recoveryCodes as string[] | undefined,
      token: activated.body.session.token as string,
    };
  }

  const secondStep = (body: Record<string, unknown>) => call(h.app, 'POST', '/api/v1/sessions/mfa', { body });
  const loginChallenge = async (email: string) =>
    (await call(h.app, 'POST', '/api/v1/sessions', { body: { login: email, password: PASSWORD } })).body.challenge;

  describe('several authenticator apps', () => {
    it("either app's code logs in; replay is guarded per device; one wrong code takes one try, whatever the number of apps", async () => {
      const user = await userWithDevice(h);
      const second = await addApp(user.token, 'Pixel 8');
      expect((await devicesOf(second.token)).map((d) => [d.type, d.name])).toEqual([
        ['totp', 'Authenticator app'],
        ['totp', 'Pixel 8'],
      ]);
      const now = h.clock.now();
      // The same time step from each app: each device burns its own step.
      const withSecond = await secondStep({
        challengeId: await passwordStep(h, user.email),
        code: referenceTotp(second.secret, now),
      });
      expect(withSecond.status).toBe(201);
      const withFirst = await secondStep({
        challengeId: await passwordStep(h, user.email),
        code: referenceTotp(user.secret, now),
      });
      expect(withFirst.status).toBe(201);
      const replay = await secondStep({
        challengeId: await passwordStep(h, user.email),
        code: referenceTotp(second.secret, now),
      });
      expect(replay.status).toBe(401);
      expect(replay.body.error.code).toBe('mfa.invalid_code');
      const me = await get(withFirst.body.session.token, '/api/v1/me');
      expect(await secondFactorFailures(me.body.user.id)).toBe(1);
      // The device that was used says so.
      const used = (await devicesOf(withFirst.body.session.token)).map((d) => d.lastUsedAt);
      expect(used.every((at) => at !== null)).toBe(true);
      h.clock.nextStep();
      const wrong = await secondStep({
        challengeId: await passwordStep(h, user.email),
        code: wrongCode(user.secret, h.clock.now()),
      });
      expect(wrong.status).toBe(401);
      expect(await secondFactorFailures(me.body.user.id)).toBe(2);
    });

    it('renames a device; DELETE /me/mfa-device refuses to guess which of several; an unknown id is 404', async () => {
      const user = await userWithDevice(h);
      const second = await addApp(user.token);
      expect((await devicesOf(second.token)).map((d) => d.name)).toEqual(['Authenticator app', 'Authenticator app 2']);
      const renamed = await call(h.app, 'PATCH', `/api/v1/me/mfa-devices/${second.id}`, {
        token: second.token,
        body: { name: '  Work phone ' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.device).toMatchObject({ id: second.id, type: 'totp', name: 'Work phone' });
      expect((await auditOf(second.token, 'mfa.device_renamed'))[0]!.details).toMatchObject({ to: 'Work phone' });
      const blank = await call(h.app, 'PATCH', `/api/v1/me/mfa-devices/${second.id}`, {
        token: second.token,
        body: { name: '   ' },
      });
      expect(blank.status).toBe(400);
      const unbind = await call(h.app, 'DELETE', '/api/v1/me/mfa-device', {
        token: second.token,
        body: { code: referenceTotp(user.secret, h.clock.now()) },
      });
      expect(unbind.status).toBe(409);
      expect(unbind.body.error.code).toBe('mfa.several_devices');
      expect((await devicesOf(second.token)).length).toBe(2);
      const unknown = await call(h.app, 'DELETE', '/api/v1/me/mfa-devices/nope', { token: second.token });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('mfa.device_not_found');
      const other = await userWithDevice(h);
      const notMine = await call(h.app, 'PATCH', `/api/v1/me/mfa-devices/${other.deviceId}`, {
        token: second.token,
        body: { name: 'mine now' },
      });
      expect(notMine.status).toBe(404);
    });

    it('removing a device needs a fresh step-up, is audited and e-mailed by name; the last one takes the recovery codes', async () => {
      const user = await userWithDevice(h);
      const second = await addApp(user.token, 'Pixel 8');
      h.clock.advance(301_000);
      const stale = await call(h.app, 'DELETE', `/api/v1/me/mfa-devices/${second.id}`, { token: second.token });
      expect(stale.status).toBe(401);
      expect(stale.body.error.code).toBe('auth.step_up_required');
      expect(stale.body.error.methods).toEqual(['totp']);
      const stepUp = await call(h.app, 'POST', '/api/v1/me/step-up', {
        token: second.token,
        body: { method: 'totp', code: referenceTotp(user.secret, h.clock.now()) },
      });
      expect(stepUp.status).toBe(200);
      const removed = await call(h.app, 'DELETE', `/api/v1/me/mfa-devices/${second.id}`, { token: second.token });
      expect(removed.status).toBe(204);
      expect((await devicesOf(second.token)).map((d) => d.name)).toEqual(['Authenticator app']);
      expect((await auditOf(second.token, 'mfa.unbound'))[0]!.details).toMatchObject({
        deviceId: second.id,
        name: 'Pixel 8',
        remaining: '1',
      });
      expect((await outbox(user.email)).map((m) => m.subject)).toContain(
        'twofold test: An MFA device was removed from your account: Pixel 8',
      );
      // Codes from the removed app no longer work.
      h.clock.nextStep();
      const old = await secondStep({
        challengeId: await passwordStep(h, user.email),
        code: referenceTotp(second.secret, h.clock.now()),
      });
      expect(old.status).toBe(401);
      expect((await get(second.token, '/api/v1/me/recovery-codes')).body.remaining).toBe(10);
      const last = await call(h.app, 'DELETE', `/api/v1/me/mfa-devices/${user.deviceId}`, { token: second.token });
      expect(last.status).toBe(204);
      expect((await get(second.token, '/api/v1/me')).body.mfa).toEqual({ bound: false, devices: [] });
      const codes = await call(h.app, 'POST', '/api/v1/sessions', { body: { login: user.email, password: PASSWORD } });
      expect(codes.status).toBe(201);
      const recovery = await get(codes.body.session.token, '/api/v1/me/recovery-codes');
      expect(recovery.body.remaining ?? 0).toBe(0);
    });

    it('recovery codes stay with the account while any device does: removing the first device does not ask for new ones', async () => {
      const user = await userWithDevice(h);
      const second = await addApp(user.token, 'Pixel 8');
      expect(
        (await call(h.app, 'DELETE', `/api/v1/me/mfa-devices/${user.deviceId}`, { token: second.token })).status,
      ).toBe(204);
      const me = await get(second.token, '/api/v1/me');
      expect(await h.services.recoveryCodes.neverHandedOut({ userId: me.body.user.id })).toBe(false);
      expect((await get(second.token, '/api/v1/me/recovery-codes')).body.remaining).toBe(10);
    });

    it('at most 8 devices: the ninth is refused with 409 mfa.too_many_devices', async () => {
      const user = await userWithDevice(h);
      let token = user.token;
      for (let i = 2; i <= 8; i++) token = (await addApp(token, `App ${i}`)).token;
      expect((await devicesOf(token)).length).toBe(8);
      const ninth = await call(h.app, 'POST', '/api/v1/me/mfa-devices', { token, body: { type: 'totp' } });
      expect(ninth.status).toBe(409);
      expect(ninth.body.error.code).toBe('mfa.too_many_devices');
      const passkey = await call(h.app, 'POST', '/api/v1/me/mfa-devices', { token, body: { type: 'webauthn' } });
      expect(passkey.body.error.code).toBe('mfa.too_many_devices');
    });

    it("a primary account sees a sub-user's devices and removes one with a reason; another account's user is not found", async () => {
      const primary = await primaryAccount(h);
      const sub = await createSubUser(h, primary.token, primary.alias);
      const subSession = (await loginAs(h, sub.login)).body.session.token as string;
      const first = await bindDevice(h, subSession);
      const second = await addApp(first.token, 'Tablet');
      const primaryAgain = (
        await call(h.app, 'POST', '/api/v1/sessions', { body: { login: primary.email, password: PASSWORD } })
      ).body.session.token as string;
      const listed = await get(primaryAgain, `/api/v1/users/${sub.id}/mfa-devices`);
      expect(listed.status).toBe(200);
      expect(listed.body.devices.map((d: { name: string }) => d.name)).toEqual(['Authenticator app', 'Tablet']);
      const removed = await call(h.app, 'DELETE', `/api/v1/users/${sub.id}/mfa-devices/${second.id}`, {
        token: primaryAgain,
        body: { reason: 'tablet stolen' },
      });
      expect(removed.status).toBe(204);
      expect((await get(primaryAgain, `/api/v1/users/${sub.id}/mfa-devices`)).body.devices).toHaveLength(1);
      expect((await auditOf(primaryAgain, 'mfa.unbound'))[0]!.details).toMatchObject({
        name: 'Tablet',
        reason: 'tablet stolen',
      });
      // The sub-user's session ended: its devices changed by someone else.
      expect((await get(second.token, '/api/v1/me')).status).toBe(401);
      const stranger = await primaryAccount(h);
      expect((await get(stranger.token, `/api/v1/users/${sub.id}/mfa-devices`)).status).toBe(404);
      const reset = await call(h.app, 'DELETE', `/api/v1/users/${sub.id}/mfa-device`, { token: primaryAgain });
      expect(reset.status).toBe(204);
      expect((await get(primaryAgain, `/api/v1/users/${sub.id}/mfa-devices`)).body.devices).toEqual([]);
    });
  });

  describe('passkeys', () => {
    it("registers with attestation none, the RP ID of TWOFOLD_PUBLIC_URL and the user's passkeys excluded; audited and e-mailed", async () => {
      const user = await signupAndLogin(h);
      const authenticator = createSoftAuthenticator({ origin: ORIGIN });
      const added = await addPasskey(user.token, authenticator, 'YubiKey 5C');
      expect(added.options).toMatchObject({
        rp: { id: 'localhost' },
        attestation: 'none',
        authenticatorSelection: { residentKey: 'preferred' },
        excludeCredentials: [],
      });
      expect(added.device).toMatchObject({ type: 'webauthn', name: 'YubiKey 5C' });
      // The first device, like the first app: recovery codes, once.
      expect(added.recoveryCodes).toHaveLength(10);
      expect((await auditOf(added.token, 'mfa.bound'))[0]!.details).toMatchObject({
        type: 'webauthn',
        name: 'YubiKey 5C',
      });
      expect((await outbox(user.email)).map((m) => m.subject)).toContain(
        'twofold test: A passkey was added to your account',
      );
      const again = await call(h.app, 'POST', '/api/v1/me/mfa-devices', {
        token: added.token,
        body: { type: 'webauthn' },
      });
      expect(again.body.enrollment.options.excludeCredentials).toEqual([
        expect.objectContaining({ id: added.credentialId }),
      ]);
      // A second passkey on another authenticator: the first stays excluded, the second is added.
      const forged = createSoftAuthenticator({ origin: ORIGIN }).register(again.body.enrollment.options);
      const twice = await call(h.app, 'POST', '/api/v1/me/mfa-devices/activate', {
        token: added.token,
        body: { enrollmentId: again.body.enrollment.id, credential: forged },
      });
      expect(twice.status).toBe(200);
      expect(twice.body.recoveryCodes).toBeUndefined();
      const third = await call(h.app, 'POST', '/api/v1/me/mfa-devices', {
        token: twice.body.session.token,
        body: { type: 'webauthn' },
      });
      // A registration response for another ceremony's challenge is refused.
      const stale = await call(h.app, 'POST', '/api/v1/me/mfa-devices/activate', {
        token: twice.body.session.token,
        body: { enrollmentId: third.body.enrollment.id, credential: forged },
      });
      expect(stale.status).toBe(422);
      expect(stale.body.error.code).toBe('mfa.invalid_credential');
    });

    it('a registration made for another origin or RP ID is refused', async () => {
      const user = await signupAndLogin(h);
      for (const override of [{ origin: 'http://evil.localhost:3000' }, { rpId: 'evil.localhost' }]) {
        const started = await call(h.app, 'POST', '/api/v1/me/mfa-devices', {
          token: user.token,
          body: { type: 'webauthn' },
        });
        const credential = createSoftAuthenticator({ origin: ORIGIN }).register(
          started.body.enrollment.options,
          override,
        );
        const res = await call(h.app, 'POST', '/api/v1/me/mfa-devices/activate', {
          token: user.token,
          body: { enrollmentId: started.body.enrollment.id, credential },
        });
        expect(res.status, JSON.stringify(override)).toBe(422);
        expect(res.body.error.code).toBe('mfa.invalid_credential');
      }
      expect(await devicesOf(user.token)).toEqual([]);
    });

    it("signs in as the second step; a replayed assertion, a lowered counter, another user's key, a wrong origin or RP ID are refused and counted", async () => {
      const user = await signupAndLogin(h);
      const authenticator = createSoftAuthenticator({ origin: ORIGIN });
      const added = await addPasskey(user.token, authenticator);
      const userId = (await get(added.token, '/api/v1/me')).body.user.id as string;
      const challenge = await loginChallenge(user.email);
      expect(challenge.methods).toEqual(['webauthn', 'recovery_code']);
      expect(challenge.webauthn.options.allowCredentials).toEqual([
        expect.objectContaining({ id: added.credentialId }),
      ]);
      const assertion = authenticator.authenticate(challenge.webauthn.options);
      const ok = await secondStep({ challengeId: challenge.id, credential: assertion });
      expect(ok.status).toBe(201);
      expect(ok.body.status).toBe('authenticated');
      expect((await auditOf(ok.body.session.token, 'login.succeeded'))[0]!.details).toMatchObject({
        factors: 'password+webauthn',
      });

      // Replay: the same assertion on a new login; its challenge was taken by the first use.
      const replay = await secondStep({ challengeId: (await loginChallenge(user.email)).id, credential: assertion });
      expect(replay.status).toBe(401);
      expect(replay.body.error.code).toBe('mfa.invalid_credential');

      const lowered = await loginChallenge(user.email);
      const cloned = await secondStep({
        challengeId: lowered.id,
        credential: authenticator.authenticate(lowered.webauthn.options, { counter: 1 }),
      });
      expect(cloned.status).toBe(401);
      expect((await auditOf(ok.body.session.token, 'mfa.counter_regressed'))[0]!.details).toMatchObject({
        stored: 1,
        received: 1,
      });

      const stranger = await signupAndLogin(h);
      const strangerKey = createSoftAuthenticator({ origin: ORIGIN });
      const strangers = await addPasskey(stranger.token, strangerKey);
      const otherKey = await loginChallenge(user.email);
      const wrongUser = await secondStep({
        challengeId: otherKey.id,
        credential: strangerKey.authenticate(otherKey.webauthn.options, { credentialId: strangers.credentialId }),
      });
      expect(wrongUser.status).toBe(401);

      for (const override of [{ origin: 'http://evil.localhost:3000' }, { rpId: 'evil.localhost' }]) {
        const phished = await loginChallenge(user.email);
        const res = await secondStep({
          challengeId: phished.id,
          credential: authenticator.authenticate(phished.webauthn.options, override),
        });
        expect(res.status, JSON.stringify(override)).toBe(401);
      }
      // Every refusal above took a try from the one second-factor budget (replay, counter, key, origin, RP ID).
      expect(await secondFactorFailures(userId)).toBe(5);
      const good = await loginChallenge(user.email);
      expect(
        (await secondStep({ challengeId: good.id, credential: authenticator.authenticate(good.webauthn.options) }))
          .status,
      ).toBe(201);
      expect(await secondFactorFailures(userId)).toBe(0);
    });

    it('ten refused assertions lock the second factor, shared with TOTP codes', async () => {
      const user = await userWithDevice(h);
      const authenticator = createSoftAuthenticator({ origin: ORIGIN });
      await addPasskey(user.token, authenticator);
      for (let i = 0; i < 10; i++) {
        const challenge = await loginChallenge(user.email);
        const res = await secondStep({
          challengeId: challenge.id,
          credential: authenticator.authenticate(challenge.webauthn.options, { origin: 'http://evil.localhost:3000' }),
        });
        expect(res.status).toBe(401);
      }
      h.clock.nextStep();
      const locked = await secondStep({
        challengeId: await passwordStep(h, user.email),
        code: referenceTotp(user.secret, h.clock.now()),
      });
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('mfa.locked');
      h.clock.advance(3_600_000);
    });

    it('steps up with a passkey, and a TOTP-only user is offered no passkey step-up', async () => {
      const user = await userWithDevice(h);
      const authenticator = createSoftAuthenticator({ origin: ORIGIN });
      const added = await addPasskey(user.token, authenticator);
      h.clock.advance(301_000);
      const stale = await call(h.app, 'POST', '/api/v1/me/recovery-codes', { token: added.token });
      expect(stale.body.error.methods).toEqual(['totp', 'webauthn']);
      const options = await call(h.app, 'POST', '/api/v1/me/step-up/options', { token: added.token });
      expect(options.status).toBe(200);
      const stepUp = await call(h.app, 'POST', '/api/v1/me/step-up', {
        token: added.token,
        body: { method: 'webauthn', credential: authenticator.authenticate(options.body.options) },
      });
      expect(stepUp.status).toBe(200);
      // The first passkey proof in this session makes it phishing-resistant: a privilege change, so it rotates.
      expect(stepUp.body.session.token).not.toBe(added.token);
      expect((await get(added.token, '/api/v1/me')).status).toBe(401);
      const fresh = stepUp.body.session.token as string;
      expect((await call(h.app, 'POST', '/api/v1/me/recovery-codes', { token: fresh })).status).toBe(201);
      const totpOnly = await userWithDevice(h);
      const none = await call(h.app, 'POST', '/api/v1/me/step-up/options', { token: totpOnly.token });
      expect(none.status).toBe(404);
      expect(none.body.error.code).toBe('mfa.not_bound');
    });

    it('passwordless: a passkey that verified its user signs in alone; everything else gets the wrong-password answer', async () => {
      const user = await signupAndLogin(h);
      const authenticator = createSoftAuthenticator({ origin: ORIGIN });
      const added = await addPasskey(user.token, authenticator);
      const start = await call(h.app, 'POST', '/api/v1/sessions/passkey/options', { body: {} });
      expect(start.status).toBe(200);
      expect(start.body.options).toMatchObject({ rpId: 'localhost', userVerification: 'required' });
      expect(start.body.options.allowCredentials ?? []).toEqual([]);
      const signedIn = await call(h.app, 'POST', '/api/v1/sessions/passkey', {
        body: { challengeId: start.body.challengeId, credential: authenticator.authenticate(start.body.options) },
      });
      expect(signedIn.status).toBe(201);
      expect(signedIn.body.user.email).toBe(user.email);
      const session = signedIn.body.session.token as string;
      expect((await auditOf(session, 'login.succeeded'))[0]!.details).toMatchObject({ factors: 'passkey' });
      // A full MFA login: it counts as a step-up.
      expect((await get(session, '/api/v1/me')).body.session.stepUpUntil).not.toBeNull();

      const refusals: [string, (options: Record<string, unknown>, challengeId: string) => Record<string, unknown>][] = [
        [
          'no user verification',
          (o, id) => ({ challengeId: id, credential: authenticator.authenticate(o as never, { userVerified: false }) }),
        ],
        ['another challenge id', (o) => ({ challengeId: 'AAAA', credential: authenticator.authenticate(o as never) })],
        [
          'a wrong origin',
          (o, id) => ({
            challengeId: id,
            credential: authenticator.authenticate(o as never, { origin: 'http://evil.localhost:3000' }),
          }),
        ],
      ];
      for (const [what, body] of refusals) {
        const options = (await call(h.app, 'POST', '/api/v1/sessions/passkey/options', { body: {} })).body;
        const res = await call(h.app, 'POST', '/api/v1/sessions/passkey', {
          body: body(options.options, options.challengeId),
        });
        expect(res.status, what).toBe(401);
        expect(res.body.error.code, what).toBe('auth.invalid_credentials');
      }
      // A removed passkey is an unknown credential.
      await call(h.app, 'DELETE', `/api/v1/me/mfa-devices/${added.device.id}`, { token: session });
      const gone = (await call(h.app, 'POST', '/api/v1/sessions/passkey/options', { body: {} })).body;
      const unknown = await call(h.app, 'POST', '/api/v1/sessions/passkey', {
        body: { challengeId: gone.challengeId, credential: authenticator.authenticate(gone.options) },
      });
      expect(unknown.status).toBe(401);
      expect(unknown.body.error.code).toBe('auth.invalid_credentials');
    });

    it('TWOFOLD_PASSWORDLESS=0 turns passwordless sign-in off; an http:// public URL other than localhost says why passkeys are unavailable', async () => {
      const off = await createHarness(kind, { config: { publicUrl: ORIGIN, passwordless: false } });
      try {
        expect((await call(off.app, 'POST', '/api/v1/sessions/passkey/options', { body: {} })).status).toBe(404);
      } finally {
        await off.close();
      }
      const plain = await createHarness(kind, { config: { publicUrl: 'http://twofold.test' } });
      try {
        const user = await signupAndLogin(plain);
        const res = await call(plain.app, 'POST', '/api/v1/me/mfa-devices', {
          token: user.token,
          body: { type: 'webauthn' },
        });
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('mfa.passkeys_unavailable');
        expect(res.body.error.message).toMatch(/https/);
        // Authenticator apps are unaffected.
        expect(
          (await call(plain.app, 'POST', '/api/v1/me/mfa-devices', { token: user.token, body: { type: 'totp' } }))
            .status,
        ).toBe(201);
      } finally {
        await plain.close();
      }
    });
  });

  describe('phishing-resistant workspaces', () => {
    it('only a session that proved a passkey enters; after the grace period a member without one must add one at login', async () => {
      const owner = await primaryAccount(h);
      const ownerKey = createSoftAuthenticator({ origin: ORIGIN });
      const ownerPasskey = await addPasskey(owner.token, ownerKey);
      const workspace = (
        await call(h.app, 'POST', '/api/v1/workspaces', { token: ownerPasskey.token, body: { name: 'Payments' } })
      ).body.workspace.id as string;
      // Registering is not signing in with it: the owner must prove a passkey before requiring them.
      const unproved = await call(h.app, 'PATCH', `/api/v1/workspaces/${workspace}`, {
        token: ownerPasskey.token,
        body: { mfaRequired: true, phishingResistant: true },
      });
      expect(unproved.status).toBe(403);
      expect(unproved.body.error.code).toBe('workspace.phishing_resistant_required');
      const start = (await call(h.app, 'POST', '/api/v1/sessions/passkey/options', { body: {} })).body;
      const ownerSession = (
        await call(h.app, 'POST', '/api/v1/sessions/passkey', {
          body: { challengeId: start.challengeId, credential: ownerKey.authenticate(start.options) },
        })
      ).body.session.token as string;
      const sub = await createSubUser(h, ownerSession, owner.alias);
      const subFirst = (await loginAs(h, sub.login)).body.session.token as string;
      const subDevice = await bindDevice(h, subFirst);
      await call(h.app, 'POST', `/api/v1/workspaces/${workspace}/members`, {
        token: ownerSession,
        body: { userId: sub.id, role: 'member' },
      });
      const policy = await call(h.app, 'PATCH', `/api/v1/workspaces/${workspace}`, {
        token: ownerSession,
        body: { mfaRequired: true, phishingResistant: true, graceDays: 0 },
      });
      expect(policy.status).toBe(200);
      expect(policy.body.workspace).toMatchObject({ mfaRequired: true, phishingResistant: true });
      const members = await get(ownerSession, `/api/v1/workspaces/${workspace}/members`);
      expect(members.body.members.map((m: { mfa: { types: string[] } }) => m.mfa.types)).toEqual([
        ['webauthn'],
        ['totp'],
      ]);

      // A TOTP-verified session of the member: refused, with the reason.
      const refused = await get(subDevice.token, `/api/v1/workspaces/${workspace}`);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('workspace.phishing_resistant_required');

      // At the next login, the code leads to a restricted session that may only add a passkey.
      h.clock.nextStep();
      const challengeId = await passwordStep(h, sub.login);
      const restricted = await secondStep({ challengeId, code: referenceTotp(subDevice.secret, h.clock.now()) });
      expect(restricted.status).toBe(201);
      expect(restricted.body).toMatchObject({ status: 'mfa_enrollment_required', required: 'webauthn' });
      expect(restricted.body.session.restricted).toBe(true);
      const restrictedToken = restricted.body.session.token as string;
      expect((await get(restrictedToken, `/api/v1/workspaces/${workspace}`)).status).toBe(403);
      // Another authenticator app would not get the member in: only a passkey is offered.
      const app = await call(h.app, 'POST', '/api/v1/me/mfa-devices', {
        token: restrictedToken,
        body: { type: 'totp' },
      });
      expect(app.status).toBe(403);
      expect(app.body.error.code).toBe('workspace.phishing_resistant_required');
      const memberKey = createSoftAuthenticator({ origin: ORIGIN });
      const memberPasskey = await addPasskey(restrictedToken, memberKey, 'Laptop');
      const entered = await get(memberPasskey.token, `/api/v1/workspaces/${workspace}`);
      expect(entered.status).toBe(200);
      // Next time, the passkey at the second step signs straight in.
      const next = await loginChallenge(sub.login);
      expect(next.methods).toContain('webauthn');
      const full = await secondStep({
        challengeId: next.id,
        credential: memberKey.authenticate(next.webauthn.options),
      });
      expect(full.body.status).toBe('authenticated');
      expect((await get(full.body.session.token, `/api/v1/workspaces/${workspace}`)).status).toBe(200);
    });
  });
});

/**
 * Real WebAuthn responses with one part broken at a time (a field dropped, replaced, truncated,
 * another type): the library's refusals must all become 4xx with a catalogued code, never a 5xx.
 */
describe.each(databaseKinds())('broken passkey responses on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind, { config: { publicUrl: ORIGIN } });
  });
  afterAll(async () => h.close());

  function mutate(value: unknown, rand: () => number): unknown {
    const json = structuredClone(value) as Record<string, unknown>;
    const paths: string[][] = [];
    const walk = (node: unknown, path: string[]) => {
      if (node && typeof node === 'object')
        for (const [key, child] of Object.entries(node as object)) walk(child, [...path, key]);
      else paths.push(path);
    };
    walk(json, []);
    const path = paths[Math.floor(rand() * paths.length)]!;
    let parent = json as Record<string, unknown>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
    const key = path[path.length - 1]!;
    const original = parent[key];
    const choices = [
      () => delete parent[key],
      () => (parent[key] = typeof original === 'string' ? original.slice(0, Math.floor(rand() * original.length)) : ''),
      () =>
        (parent[key] = Buffer.from(
          Array.from({ length: Math.floor(rand() * 80) }, () => Math.floor(rand() * 256)),
        ).toString('base64url')),
      () => (parent[key] = Math.floor(rand() * 1e9)),
      () => (parent[key] = null),
      () => (parent[key] = { nested: original }),
      () =>
        (parent[key] =
          typeof original === 'string' ? original.replace(/[A-Za-z]/, (c) => (c === 'A' ? 'B' : 'A')) : original),
    ];
    choices[Math.floor(rand() * choices.length)]!();
    return json;
  }

  it('300 broken registrations, assertions and passwordless assertions: never a 5xx', async () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    const rand = prng(seed);
    const { errorCodes } = await import('../src/errors/codes.js');
    const user = await signupAndLogin(h);
    let token = user.token;
    const authenticator = createSoftAuthenticator({ origin: ORIGIN });
    for (let i = 0; i < 100; i++) {
      const started = await call(h.app, 'POST', '/api/v1/me/mfa-devices', {
        token: user.token,
        body: { type: 'webauthn' },
      });
      const broken = mutate(authenticator.register(started.body.enrollment.options), rand);
      const res = await call(h.app, 'POST', '/api/v1/me/mfa-devices/activate', {
        token,
        body: { enrollmentId: started.body.enrollment.id, credential: broken },
      });
      expect(res.status, `seed ${seed}: ${JSON.stringify(broken).slice(0, 300)}`).toBeLessThan(500);
      if (res.status === 200) {
        token = res.body.session.token;
        break;
      }
      expect(errorCodes).toContain(res.body.error.code);
    }
    // A working passkey for the assertions (the loop above may have added one already).
    const devices = (await call(h.app, 'GET', '/api/v1/me/mfa-devices', { token })).body.devices;
    if (!devices.some((d: { type: string }) => d.type === 'webauthn')) {
      const started = await call(h.app, 'POST', '/api/v1/me/mfa-devices', { token, body: { type: 'webauthn' } });
      const done = await call(h.app, 'POST', '/api/v1/me/mfa-devices/activate', {
        token,
        body: {
          enrollmentId: started.body.enrollment.id,
          credential: authenticator.register(started.body.enrollment.options),
        },
      });
      expect(done.status).toBe(200);
    }
    for (let i = 0; i < 100; i++) {
      const challenge = (
        await call(h.app, 'POST', '/api/v1/sessions', { body: { login: user.email, password: PASSWORD } })
      ).body.challenge;
      const broken = mutate(authenticator.authenticate(challenge.webauthn.options), rand);
      const res = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId: challenge.id, credential: broken },
      });
      expect(res.status, `seed ${seed}: ${JSON.stringify(broken).slice(0, 300)}`).toBeLessThan(500);
      if (res.status >= 400) expect(errorCodes).toContain(res.body.error.code);
      // Keep the budget from locking: an operator-free reset between tries.
      await h.database.db.deleteFrom('throttles').execute();
    }
    for (let i = 0; i < 100; i++) {
      const start = (await call(h.app, 'POST', '/api/v1/sessions/passkey/options', { body: {} })).body;
      const broken = mutate(authenticator.authenticate(start.options), rand);
      const res = await call(h.app, 'POST', '/api/v1/sessions/passkey', {
        body: { challengeId: start.challengeId, credential: broken },
      });
      expect(res.status, `seed ${seed}: ${JSON.stringify(broken).slice(0, 300)}`).toBeLessThan(500);
      if (res.status >= 400) expect(errorCodes).toContain(res.body.error.code);
      await h.database.db.deleteFrom('throttles').execute();
    }
  });
});

describe.each(databaseKinds())('devices and passkeys at the edges on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind, { config: { publicUrl: ORIGIN } });
  });
  afterAll(async () => h.close());

  async function withPasskey() {
    const user = await userWithDevice(h);
    const key = createSoftAuthenticator({ origin: ORIGIN });
    const started = await call(h.app, 'POST', '/api/v1/me/mfa-devices', {
      token: user.token,
      body: { type: 'webauthn' },
    });
    const activated = await call(h.app, 'POST', '/api/v1/me/mfa-devices/activate', {
      token: user.token,
      body: { enrollmentId: started.body.enrollment.id, credential: key.register(started.body.enrollment.options) },
    });
    return { ...user, key, token: activated.body.session.token as string };
  }
  const liveCodes = async (userId: string) =>
    (
      await h.database.db
        .selectFrom('recovery_codes')
        .select('id')
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .execute()
    ).length;

  it('removing the last two devices at once leaves no recovery code behind', async () => {
    for (let round = 0; round < 4; round++) {
      const user = await withPasskey();
      const devices = (await call(h.app, 'GET', '/api/v1/me/mfa-devices', { token: user.token })).body.devices as {
        id: string;
      }[];
      expect(devices).toHaveLength(2);
      const removed = await Promise.all(
        devices.map((d) => call(h.app, 'DELETE', `/api/v1/me/mfa-devices/${d.id}`, { token: user.token })),
      );
      expect(removed.map((r) => r.status)).toEqual([204, 204]);
      expect(await liveCodes(user.userId)).toBe(0);
    }
  });

  it('a locked second factor stops passwordless sign-in too, and a refused passwordless assertion counts', async () => {
    const user = await withPasskey();
    const passwordless = async (override: { userVerified?: boolean } = {}) => {
      const start = (await call(h.app, 'POST', '/api/v1/sessions/passkey/options', { body: {} })).body;
      return call(h.app, 'POST', '/api/v1/sessions/passkey', {
        body: { challengeId: start.challengeId, credential: user.key.authenticate(start.options, override) },
      });
    };
    const refused = await passwordless({ userVerified: false });
    expect(refused.status).toBe(401);
    const failures = await h.database.db
      .selectFrom('throttles')
      .select('failures')
      .where('key', '=', `mfa:${user.userId}`)
      .executeTakeFirst();
    expect(failures?.failures).toBe(1);
    for (let i = 0; i < 9; i++) {
      h.clock.nextStep();
      const challengeId = await passwordStep(h, user.email);
      await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId, code: wrongCode(user.secret, h.clock.now()) },
      });
    }
    const locked = await passwordless();
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('mfa.locked');
    h.clock.advance(3_600_000);
  });

  it("removing the last passkey ends the session's phishing resistance", async () => {
    const user = await withPasskey();
    const start = (await call(h.app, 'POST', '/api/v1/sessions/passkey/options', { body: {} })).body;
    const token = (
      await call(h.app, 'POST', '/api/v1/sessions/passkey', {
        body: { challengeId: start.challengeId, credential: user.key.authenticate(start.options) },
      })
    ).body.session.token as string;
    const workspace = (await call(h.app, 'POST', '/api/v1/workspaces', { token, body: { name: 'Strict' } })).body
      .workspace.id as string;
    const passkey = (await call(h.app, 'GET', '/api/v1/me/mfa-devices', { token })).body.devices.find(
      (d: { type: string }) => d.type === 'webauthn',
    );
    expect((await call(h.app, 'DELETE', `/api/v1/me/mfa-devices/${passkey.id}`, { token })).status).toBe(204);
    const policy = await call(h.app, 'PATCH', `/api/v1/workspaces/${workspace}`, {
      token,
      body: { mfaRequired: true, phishingResistant: true },
    });
    expect(policy.status).toBe(403);
    expect(policy.body.error.code).toBe('workspace.phishing_resistant_required');
    // Phishing resistance alone is not a policy: it needs MFA required.
    const alone = await call(h.app, 'PATCH', `/api/v1/workspaces/${workspace}`, {
      token,
      body: { phishingResistant: true },
    });
    expect(alone.status).toBe(400);
  });

  it('the passkey requirement has its own grace period, e-mailed to members without a passkey; until it ends an app still binds', async () => {
    const owner = await primaryAccount(h);
    const key = createSoftAuthenticator({ origin: ORIGIN });
    const started = await call(h.app, 'POST', '/api/v1/me/mfa-devices', {
      token: owner.token,
      body: { type: 'webauthn' },
    });
    await call(h.app, 'POST', '/api/v1/me/mfa-devices/activate', {
      token: owner.token,
      body: { enrollmentId: started.body.enrollment.id, credential: key.register(started.body.enrollment.options) },
    });
    const start = (await call(h.app, 'POST', '/api/v1/sessions/passkey/options', { body: {} })).body;
    const token = (
      await call(h.app, 'POST', '/api/v1/sessions/passkey', {
        body: { challengeId: start.challengeId, credential: key.authenticate(start.options) },
      })
    ).body.session.token as string;
    const sub = await createSubUser(h, token, owner.alias, { email: `grace.${owner.alias}@example.com` });
    const member = await bindDevice(h, (await loginAs(h, sub.login)).body.session.token);
    const workspace = (await call(h.app, 'POST', '/api/v1/workspaces', { token, body: { name: 'Graceful' } })).body
      .workspace.id as string;
    await call(h.app, 'POST', `/api/v1/workspaces/${workspace}/members`, {
      token,
      body: { userId: sub.id, role: 'member' },
    });
    expect(
      (
        await call(h.app, 'PATCH', `/api/v1/workspaces/${workspace}`, {
          token,
          body: { mfaRequired: true, graceDays: 7 },
        })
      ).status,
    ).toBe(200);
    h.clock.advance(30 * 24 * 3_600_000);
    const fresh = (
      await call(h.app, 'POST', '/api/v1/sessions/passkey', {
        body: await (async () => {
          const s = (await call(h.app, 'POST', '/api/v1/sessions/passkey/options', { body: {} })).body;
          return { challengeId: s.challengeId, credential: key.authenticate(s.options) };
        })(),
      })
    ).body.session.token as string;
    expect(
      (
        await call(h.app, 'PATCH', `/api/v1/workspaces/${workspace}`, {
          token: fresh,
          body: { phishingResistant: true },
        })
      ).status,
    ).toBe(200);
    const mails = (
      await call(h.app, 'GET', `/api/v1/dev/outbox?to=${encodeURIComponent(`grace.${owner.alias}@example.com`)}`)
    ).body.messages as { subject: string }[];
    expect(mails.map((m) => m.subject)).toContain('twofold test: The workspace Graceful now requires a passkey');
    // Inside the 7 days of the passkey requirement, the code signs the member in as before.
    h.clock.nextStep();
    const inGrace = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
      body: { challengeId: await passwordStep(h, sub.login), code: referenceTotp(member.secret, h.clock.now()) },
    });
    expect(inGrace.body.status).toBe('authenticated');
    h.clock.advance(8 * 24 * 3_600_000);
    const after = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
      body: { challengeId: await passwordStep(h, sub.login), code: referenceTotp(member.secret, h.clock.now()) },
    });
    expect(after.body).toMatchObject({ status: 'mfa_enrollment_required', required: 'webauthn' });
    // The restricted session cannot finish an app's binding started earlier, nor start one.
    const restricted = after.body.session.token as string;
    const app = await call(h.app, 'POST', '/api/v1/me/mfa-device/activate', {
      token: restricted,
      body: { enrollmentId: 'anything', codes: ['123456', '654321'] },
    });
    expect(app.status).toBe(403);
    expect(app.body.error.code).toBe('workspace.phishing_resistant_required');
  });

  it('after a refused passkey, fresh options for the same pending login let the person try again', async () => {
    const user = await withPasskey();
    const login = (await call(h.app, 'POST', '/api/v1/sessions', { body: { login: user.email, password: PASSWORD } }))
      .body.challenge;
    const refused = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
      body: {
        challengeId: login.id,
        credential: user.key.authenticate(login.webauthn.options, { origin: 'http://evil.localhost:3000' }),
      },
    });
    expect(refused.status).toBe(401);
    const again = await call(h.app, 'POST', '/api/v1/sessions/mfa/options', { body: { challengeId: login.id } });
    expect(again.status).toBe(200);
    expect(again.body.options.challenge).not.toBe(login.webauthn.options.challenge);
    // Asking twice replaces the first answer: its challenge no longer works.
    const twice = await call(h.app, 'POST', '/api/v1/sessions/mfa/options', { body: { challengeId: login.id } });
    const stale = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
      body: { challengeId: login.id, credential: user.key.authenticate(again.body.options) },
    });
    expect(stale.status).toBe(401);
    const ok = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
      body: { challengeId: login.id, credential: user.key.authenticate(twice.body.options) },
    });
    expect(ok.status).toBe(201);
    // A used login, or one without passkeys, gets no options.
    expect(
      (await call(h.app, 'POST', '/api/v1/sessions/mfa/options', { body: { challengeId: login.id } })).status,
    ).toBe(410);
    const appOnly = await userWithDevice(h);
    const appLogin = await passwordStep(h, appOnly.email);
    const none = await call(h.app, 'POST', '/api/v1/sessions/mfa/options', { body: { challengeId: appLogin } });
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('mfa.not_bound');
  });

  it('a pending passkey is not shown as an app; unbinding a passkey with a code says there is no app; names are printable', async () => {
    const user = await signupAndLogin(h);
    const key = createSoftAuthenticator({ origin: ORIGIN });
    const started = await call(h.app, 'POST', '/api/v1/me/mfa-devices', {
      token: user.token,
      body: { type: 'webauthn' },
    });
    const me = await call(h.app, 'GET', '/api/v1/me', { token: user.token });
    const principal = { userId: me.body.user.id } as Parameters<typeof h.services.enrollment.pending>[0];
    expect(await h.services.enrollment.pending(principal, started.body.enrollment.id)).toBeNull();
    const activated = await call(h.app, 'POST', '/api/v1/me/mfa-devices/activate', {
      token: user.token,
      body: { enrollmentId: started.body.enrollment.id, credential: key.register(started.body.enrollment.options) },
    });
    const token = activated.body.session.token as string;
    const unbind = await call(h.app, 'DELETE', '/api/v1/me/mfa-device', { token, body: { code: '123456' } });
    expect(unbind.status).toBe(404);
    expect(unbind.body.error.code).toBe('mfa.not_bound');
    for (const name of ['line\nbreak', 'bidi \u202e override', '   ']) {
      const res = await call(h.app, 'PATCH', `/api/v1/me/mfa-devices/${activated.body.device.id}`, {
        token,
        body: { name },
      });
      expect(res.status, JSON.stringify(name)).toBe(400);
    }
    expect(
      (
        await call(h.app, 'PATCH', `/api/v1/me/mfa-devices/${activated.body.device.id}`, {
          token,
          body: { name: '工作 YubiKey 5C' },
        })
      ).status,
    ).toBe(200);
  });
});
