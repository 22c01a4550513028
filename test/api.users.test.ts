import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  call,
  createHarness,
  createSubUser,
  databaseKinds,
  loginAs,
  primaryAccount,
  type Harness,
} from './helpers/harness.js';
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';

describe.each(databaseKinds())('sub-users and delegated MFA on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  /** Primary + an admin sub-user (granted user-admin) + a plain sub-user, all with fresh sessions. */
  async function team() {
    const primary = await primaryAccount(h);
    const admin = await createSubUser(h, primary.token, primary.alias, {
      displayName: 'Ada Admin',
      email: `admin.${primary.alias}@example.com`,
    });
    expect(
      (
        await call(h.app, 'PATCH', `/api/v1/users/${admin.id}`, {
          token: primary.token,
          body: { roles: ['user-admin'] },
        })
      ).status,
    ).toBe(200);
    const plain = await createSubUser(h, primary.token, primary.alias, { email: `plain.${primary.alias}@example.com` });
    const adminToken = (await loginAs(h, admin.login)).body.session.token as string;
    const plainToken = (await loginAs(h, plain.login)).body.session.token as string;
    return { primary, admin: { ...admin, token: adminToken }, plain: { ...plain, token: plainToken } };
  }

  describe('CRUD and role rules', () => {
    it('the primary account creates, lists, reads, updates and deletes sub-users', async () => {
      const primary = await primaryAccount(h);
      const created = await call(h.app, 'POST', '/api/v1/users', {
        token: primary.token,
        body: {
          username: 'Dev.Ops',
          password: PASSWORD,
          displayName: 'Dev Ops',
          email: 'devops@example.com',
          phone: '+4915112345678',
          mfaRequired: true,
        },
      });
      expect(created.status).toBe(201);
      expect(created.body.user).toMatchObject({
        kind: 'sub',
        username: 'dev.ops',
        displayName: 'Dev Ops',
        email: 'devops@example.com',
        phone: '+4915112345678',
        roles: [],
        mfaRequired: true,
        disabled: false,
      });
      const id = created.body.user.id;
      const taken = await call(h.app, 'POST', '/api/v1/users', {
        token: primary.token,
        body: { username: 'DEV.OPS', password: PASSWORD },
      });
      expect(taken.status).toBe(409);
      expect(taken.body.error.code).toBe('user.username_taken');
      const list = await call(h.app, 'GET', '/api/v1/users', { token: primary.token });
      expect(list.body.users).toEqual([
        expect.objectContaining({ id, username: 'dev.ops', displayName: 'Dev Ops', mfa: { bound: false } }),
      ]);
      const one = await call(h.app, 'GET', `/api/v1/users/${id}`, { token: primary.token });
      expect(one.body).toMatchObject({ user: { id }, mfa: { bound: false } });
      const patched = await call(h.app, 'PATCH', `/api/v1/users/${id}`, {
        token: primary.token,
        body: { displayName: 'Operations', mfaRequired: false },
      });
      expect(patched.body.user).toMatchObject({ displayName: 'Operations', mfaRequired: false });
      expect((await call(h.app, 'DELETE', `/api/v1/users/${id}`, { token: primary.token })).status).toBe(204);
      expect((await call(h.app, 'GET', `/api/v1/users/${id}`, { token: primary.token })).status).toBe(404);
      // The username is free again.
      expect(
        (
          await call(h.app, 'POST', '/api/v1/users', {
            token: primary.token,
            body: { username: 'dev.ops', password: PASSWORD },
          })
        ).status,
      ).toBe(201);
      const audit = await call(h.app, 'GET', `/api/v1/audit-events?userId=${id}`, { token: primary.token });
      expect(audit.body.events.map((e: { type: string }) => e.type)).toEqual([
        'user.deleted',
        'user.updated',
        'user.created',
      ]);
    });

    it('a sub-user logs in as username@alias; a wrong alias or password gets the same 401', async () => {
      const primary = await primaryAccount(h);
      const sub = await createSubUser(h, primary.token, primary.alias);
      const ok = await loginAs(h, sub.login.toUpperCase());
      expect(ok.status).toBe(201);
      expect(ok.body.user).toMatchObject({ kind: 'sub', username: sub.username });
      const me = await call(h.app, 'GET', '/api/v1/me', { token: ok.body.session.token });
      expect(me.body.account.alias).toBe(primary.alias);
      const wrongAlias = await loginAs(h, `${sub.username}@zzzzzzzzzz`);
      const wrongPassword = await call(h.app, 'POST', '/api/v1/sessions', {
        body: { login: sub.login, password: 'not the password' },
      });
      expect(wrongAlias.status).toBe(401);
      expect(wrongPassword.body).toEqual(wrongAlias.body);
    });

    it('a plain sub-user may not manage users (403); another account sees 404', async () => {
      const { primary, plain } = await team();
      expect((await call(h.app, 'GET', '/api/v1/users', { token: plain.token })).status).toBe(403);
      const create = await call(h.app, 'POST', '/api/v1/users', {
        token: plain.token,
        body: { username: 'x', password: PASSWORD },
      });
      expect(create.status).toBe(403);
      expect(create.body.error.code).toBe('auth.forbidden');
      const other = await primaryAccount(h);
      for (const [method, path] of [
        ['GET', ''],
        ['PATCH', ''],
        ['DELETE', ''],
        ['POST', '/mfa-device'],
        ['DELETE', '/mfa-device'],
      ] as const) {
        const res = await call(h.app, method, `/api/v1/users/${plain.id}${path}`, {
          token: other.token,
          ...(method === 'PATCH' ? { body: { displayName: 'x' } } : {}),
        });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.error.code).toBe('user.not_found');
      }
      expect((await call(h.app, 'GET', `/api/v1/users/${primary.userId}`, { token: primary.token })).status).toBe(404);
    });

    it('an admin manages plain sub-users, but not the primary account, other admins or itself', async () => {
      const { primary, admin, plain } = await team();
      expect((await call(h.app, 'GET', '/api/v1/users', { token: admin.token })).body.users).toHaveLength(2);
      expect(
        (
          await call(h.app, 'PATCH', `/api/v1/users/${plain.id}`, {
            token: admin.token,
            body: { displayName: 'Renamed' },
          })
        ).status,
      ).toBe(200);
      const second = await createSubUser(h, primary.token, primary.alias);
      await call(h.app, 'PATCH', `/api/v1/users/${second.id}`, {
        token: primary.token,
        body: { roles: ['user-admin'] },
      });
      for (const target of [second.id, admin.id, primary.userId]) {
        const res = await call(h.app, 'PATCH', `/api/v1/users/${target}`, {
          token: admin.token,
          body: { displayName: 'x' },
        });
        expect(res.status, target).toBe(403);
        expect(res.body.error.code).toBe('auth.forbidden');
        expect((await call(h.app, 'DELETE', `/api/v1/users/${target}/mfa-device`, { token: admin.token })).status).toBe(
          403,
        );
      }
      const grant = await call(h.app, 'PATCH', `/api/v1/users/${plain.id}`, {
        token: admin.token,
        body: { roles: ['user-admin'] },
      });
      expect(grant.status).toBe(403);
      // The admin can create users too.
      expect(
        (
          await call(h.app, 'POST', '/api/v1/users', {
            token: admin.token,
            body: { username: `made${Date.now()}`, password: PASSWORD },
          })
        ).status,
      ).toBe(201);
    });

    it("the audit log names a user administrator's changes as the account's, also after the administrator is deleted", async () => {
      const { primary, admin, plain } = await team();
      expect(
        (await call(h.app, 'PATCH', `/api/v1/users/${plain.id}`, { token: admin.token, body: { displayName: 'Bo' } }))
          .status,
      ).toBe(200);
      const updated = async () =>
        (
          await call(h.app, 'GET', `/api/v1/audit-events?userId=${plain.id}&type=user.updated`, {
            token: primary.token,
          })
        ).body.events[0];
      expect(await updated()).toMatchObject({ actorId: admin.id, actor: 'account' });
      expect((await call(h.app, 'DELETE', `/api/v1/users/${admin.id}`, { token: primary.token })).status).toBe(204);
      // Gone from the users table, the administrator is still not mistaken for support.
      expect(await updated()).toMatchObject({ actorId: admin.id, actor: 'account' });
    });

    it("sensitive changes need the actor's fresh step-up; disabling or a new password ends the sub-user's sessions", async () => {
      const { primary, plain } = await team();
      h.clock.advance(301_000);
      const stale = await call(h.app, 'PATCH', `/api/v1/users/${plain.id}`, {
        token: primary.token,
        body: { disabled: true },
      });
      expect(stale.status).toBe(401);
      expect(stale.body.error).toMatchObject({ code: 'auth.step_up_required', methods: ['email', 'password'] });
      // A display name needs no step-up.
      expect(
        (
          await call(h.app, 'PATCH', `/api/v1/users/${plain.id}`, {
            token: primary.token,
            body: { displayName: 'Still fine' },
          })
        ).status,
      ).toBe(200);
      await call(h.app, 'POST', '/api/v1/me/step-up', {
        token: primary.token,
        body: { method: 'password', password: PASSWORD },
      });
      const plainSession = (await loginAs(h, plain.login)).body.session.token;
      const disabled = await call(h.app, 'PATCH', `/api/v1/users/${plain.id}`, {
        token: primary.token,
        body: { disabled: true },
      });
      expect(disabled.body.user.disabled).toBe(true);
      expect((await call(h.app, 'GET', '/api/v1/me', { token: plainSession })).status).toBe(401);
      expect((await loginAs(h, plain.login)).status).toBe(401);
      await call(h.app, 'PATCH', `/api/v1/users/${plain.id}`, { token: primary.token, body: { disabled: false } });
      const again = (await loginAs(h, plain.login)).body.session.token;
      await call(h.app, 'PATCH', `/api/v1/users/${plain.id}`, {
        token: primary.token,
        body: { password: 'a brand new password' },
      });
      expect((await call(h.app, 'GET', '/api/v1/me', { token: again })).status).toBe(401);
      expect(
        (
          await call(h.app, 'POST', '/api/v1/sessions', {
            body: { login: plain.login, password: 'a brand new password' },
          })
        ).status,
      ).toBe(201);
      h.clock.advance(301_000);
      expect((await call(h.app, 'DELETE', `/api/v1/users/${plain.id}`, { token: primary.token })).status).toBe(401);
    });

    it('the sub-user is told when an administrator changes its email, phone, password or disabled flag', async () => {
      const { primary, plain } = await team();
      const notices = async (to: string) =>
        (await h.services.outbox(to)).filter((m) => m.kind === 'account.changed_by_admin');
      const old = `plain.${primary.alias}@example.com`;
      await call(h.app, 'PATCH', `/api/v1/users/${plain.id}`, {
        token: primary.token,
        body: { phone: '+4915100000011' },
      });
      await call(h.app, 'PATCH', `/api/v1/users/${plain.id}`, {
        token: primary.token,
        body: { email: `moved.${primary.alias}@example.com`, phone: '+4915100000012' },
      });
      await call(h.app, 'PATCH', `/api/v1/users/${plain.id}`, {
        token: primary.token,
        body: { password: 'another long password', disabled: true },
      });
      // A display name or the MFA requirement is no news to send.
      await call(h.app, 'PATCH', `/api/v1/users/${plain.id}`, {
        token: primary.token,
        body: { displayName: 'Renamed' },
      });
      const atOld = await notices(old);
      expect(atOld).toHaveLength(2);
      expect(atOld.map((m) => m.text).join('\n')).toMatch(/The primary account \(.*\) changed your phone number/);
      expect(atOld.map((m) => m.text).join('\n')).toMatch(/changed your email address; changed your phone number/);
      const atNew = await notices(`moved.${primary.alias}@example.com`);
      expect(atNew).toHaveLength(1);
      expect(atNew[0]!.text).toMatch(/set a new password .*; disabled your account/);
      // The number that was replaced hears of it by SMS.
      expect((await notices('+4915100000011')).map((m) => m.channel)).toEqual(['sms']);
    });

    it('a sub-user has its own lockout, which an operator can clear by its login', async () => {
      const primary = await primaryAccount(h);
      const sub = await createSubUser(h, primary.token, primary.alias);
      for (let i = 0; i < 10; i++)
        await call(h.app, 'POST', '/api/v1/sessions', { body: { login: sub.login, password: 'wrong password' } });
      expect((await loginAs(h, sub.login)).status).toBe(429);
      expect(
        (await call(h.app, 'POST', '/api/v1/sessions', { body: { login: primary.email, password: PASSWORD } })).status,
      ).toBe(201);
      await h.services.operator.unlock(sub.login);
      expect((await loginAs(h, sub.login)).status).toBe(201);
    });

    it('deleting a sub-user ends its sessions at once', async () => {
      const { primary, plain } = await team();
      expect((await call(h.app, 'DELETE', `/api/v1/users/${plain.id}`, { token: primary.token })).status).toBe(204);
      expect((await call(h.app, 'GET', '/api/v1/me', { token: plain.token })).status).toBe(401);
      expect((await loginAs(h, plain.login)).status).toBe(401);
    });

    it.each([
      [{ username: 'has space', password: PASSWORD }],
      [{ username: '', password: PASSWORD }],
      [{ username: 'ok', password: 'short' }],
      [{ username: 'ok', password: PASSWORD, roles: ['user-admin'] }],
      [{ username: 'ok', password: PASSWORD, phone: '0151' }],
      [{ username: 'ok', password: PASSWORD, mfaRequired: 'yes' }],
    ])('refuses bad input %j with 400', async (body) => {
      const primary = await primaryAccount(h);
      const res = await call(h.app, 'POST', '/api/v1/users', { token: primary.token, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation.failed');
    });

    it('filters users without MFA', async () => {
      const primary = await primaryAccount(h);
      const a = await createSubUser(h, primary.token, primary.alias);
      const b = await createSubUser(h, primary.token, primary.alias);
      await bindFor(primary.token, b.id);
      const unbound = await call(h.app, 'GET', '/api/v1/users?mfa=unbound', { token: primary.token });
      expect(unbound.body.users.map((u: { id: string }) => u.id)).toEqual([a.id]);
      const bound = await call(h.app, 'GET', '/api/v1/users?mfa=bound', { token: primary.token });
      expect(bound.body.users.map((u: { id: string }) => u.id)).toEqual([b.id]);
      expect((await call(h.app, 'GET', '/api/v1/users?mfa=maybe', { token: primary.token })).status).toBe(400);
    });
  });

  async function bindFor(token: string, userId: string) {
    const enrollment = await call(h.app, 'POST', `/api/v1/users/${userId}/mfa-device`, { token });
    expect(enrollment.status).toBe(201);
    const secret = referenceBase32Decode(enrollment.body.enrollment.secret);
    const now = h.clock.now();
    const activate = await call(h.app, 'POST', `/api/v1/users/${userId}/mfa-device/activate`, {
      token,
      body: {
        enrollmentId: enrollment.body.enrollment.id,
        codes: [referenceTotp(secret, now, -1), referenceTotp(secret, now)],
      },
    });
    expect(activate.status).toBe(200);
    h.clock.nextStep();
    return { secret, enrollment: enrollment.body.enrollment };
  }

  it('an administrator e-mails a sub-user a link to choose a new password; the link works once; no address, no link', async () => {
    const primary = await primaryAccount(h);
    const withMail = await createSubUser(h, primary.token, primary.alias, {
      email: `reset.${primary.alias}@example.com`,
    });
    const without = await createSubUser(h, primary.token, primary.alias);
    const sent = await call(h.app, 'POST', `/api/v1/users/${withMail.id}/password-reset`, { token: primary.token });
    expect(sent.status).toBe(202);
    const mail = (await h.services.outbox(`reset.${primary.alias}@example.com`)).find(
      (m) => m.kind === 'account.password_reset_link',
    )!;
    expect(mail.text).toContain('sent you this link to choose a new password');
    const token = new URL(/(https?:\/\/\S+)/.exec(mail.text)![1]!).searchParams.get('token')!;
    expect(
      (
        await call(h.app, 'POST', '/api/v1/password-resets/complete', {
          body: { token, password: 'chosen by the user' },
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await call(h.app, 'POST', '/api/v1/sessions', {
          body: { login: withMail.login, password: 'chosen by the user' },
        })
      ).status,
    ).toBe(201);
    const again = await call(h.app, 'POST', `/api/v1/users/${withMail.id}/password-reset`, { token: primary.token });
    expect(again.status).toBe(429); // one a minute to an address
    const none = await call(h.app, 'POST', `/api/v1/users/${without.id}/password-reset`, { token: primary.token });
    expect(none.status).toBe(422);
    expect(none.body.error.code).toBe('verification.channel_unavailable');
    // Other accounts' users do not exist here; the audit names who sent it.
    const stranger = await primaryAccount(h);
    expect(
      (await call(h.app, 'POST', `/api/v1/users/${withMail.id}/password-reset`, { token: stranger.token })).status,
    ).toBe(404);
    const event = (
      await call(h.app, 'GET', '/api/v1/audit-events?type=account.password_reset_requested', { token: primary.token })
    ).body.events[0];
    expect(event).toMatchObject({ userId: withMail.id, actorId: primary.userId });
  });

  describe('binding for a sub-user and admin reset (docs/design.md F4, F6)', () => {
    it('the primary binds a device for a sub-user; the sub-user then logs in with it', async () => {
      const primary = await primaryAccount(h);
      const sub = await createSubUser(h, primary.token, primary.alias);
      const { secret, enrollment } = await bindFor(primary.token, sub.id);
      expect(enrollment.otpauthUri).toContain(`:${encodeURIComponent(sub.login)}?`);
      expect((await call(h.app, 'GET', `/api/v1/users/${sub.id}`, { token: primary.token })).body.mfa.bound).toBe(true);
      // The primary's own account is untouched (docs/design.md F11: each principal has its own device).
      expect((await call(h.app, 'GET', '/api/v1/me', { token: primary.token })).body.mfa.bound).toBe(false);
      const login = await loginAs(h, sub.login);
      expect(login.body.status).toBe('mfa_required');
      const done = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId: login.body.challenge.id, code: referenceTotp(secret, h.clock.now()) },
      });
      expect(done.status).toBe(201);
      expect((await call(h.app, 'POST', `/api/v1/users/${sub.id}/mfa-device`, { token: primary.token })).status).toBe(
        409,
      );
      const events = await call(h.app, 'GET', `/api/v1/audit-events?userId=${sub.id}&type=mfa.bound`, {
        token: primary.token,
      });
      expect(events.body.events[0]).toMatchObject({ userId: sub.id, actorId: primary.userId, actor: 'account' });
    });

    it("binding for a sub-user needs the actor's fresh step-up, and codes from the new device", async () => {
      const primary = await primaryAccount(h);
      const sub = await createSubUser(h, primary.token, primary.alias);
      const enrollment = await call(h.app, 'POST', `/api/v1/users/${sub.id}/mfa-device`, { token: primary.token });
      const wrong = await call(h.app, 'POST', `/api/v1/users/${sub.id}/mfa-device/activate`, {
        token: primary.token,
        body: { enrollmentId: enrollment.body.enrollment.id, codes: ['000000', '111111'] },
      });
      expect(wrong.status).toBe(422);
      h.clock.advance(301_000);
      expect((await call(h.app, 'POST', `/api/v1/users/${sub.id}/mfa-device`, { token: primary.token })).status).toBe(
        401,
      );
      const secret = referenceBase32Decode(enrollment.body.enrollment.secret);
      const late = await call(h.app, 'POST', `/api/v1/users/${sub.id}/mfa-device/activate`, {
        token: primary.token,
        body: {
          enrollmentId: enrollment.body.enrollment.id,
          codes: [referenceTotp(secret, h.clock.now(), -1), referenceTotp(secret, h.clock.now())],
        },
      });
      expect(late.status).toBe(401);
      expect(late.body.error.code).toBe('auth.step_up_required');
    });

    it("reset: unbinds with a reason, ends the sub-user's sessions, and the next login must bind again", async () => {
      const primary = await primaryAccount(h);
      // Without "Require virtual MFA": the reset itself makes the next login bind (issue 19).
      const sub = await createSubUser(h, primary.token, primary.alias, { email: 'lost.phone@example.com' });
      const { secret } = await bindFor(primary.token, sub.id);
      const login = await loginAs(h, sub.login);
      const session = (
        await call(h.app, 'POST', '/api/v1/sessions/mfa', {
          body: { challengeId: login.body.challenge.id, code: referenceTotp(secret, h.clock.now()) },
        })
      ).body.session.token;
      const reset = await call(h.app, 'DELETE', `/api/v1/users/${sub.id}/mfa-device`, {
        token: primary.token,
        body: { reason: 'Lost phone, ticket 4711' },
      });
      expect(reset.status).toBe(204);
      expect((await call(h.app, 'GET', '/api/v1/me', { token: session })).status).toBe(401);
      const view = await call(h.app, 'GET', `/api/v1/users/${sub.id}`, { token: primary.token });
      expect(view.body.user.mfaRequired).toBe(true);
      const event = (await call(h.app, 'GET', `/api/v1/audit-events?type=mfa.reset_by_admin`, { token: primary.token }))
        .body.events[0];
      expect(event).toMatchObject({
        userId: sub.id,
        actorId: primary.userId,
        details: { reason: 'Lost phone, ticket 4711' },
      });
      expect((await call(h.app, 'DELETE', `/api/v1/users/${sub.id}/mfa-device`, { token: primary.token })).status).toBe(
        404,
      );

      // Next login: a restricted session that can only bind.
      const next = await loginAs(h, sub.login);
      expect(next.status).toBe(201);
      expect(next.body).toMatchObject({ status: 'mfa_enrollment_required', session: { restricted: true } });
      const restricted = next.body.session.token;
      expect((await call(h.app, 'GET', '/api/v1/me', { token: restricted })).body.session.restricted).toBe(true);
      for (const [method, path] of [
        ['GET', '/api/v1/audit-events'],
        ['POST', '/api/v1/me/step-up'],
        ['DELETE', '/api/v1/me/mfa-device'],
        ['GET', '/api/v1/users'],
      ] as const) {
        const res = await call(h.app, method, path, {
          token: restricted,
          ...(method !== 'GET'
            ? { body: method === 'POST' ? { method: 'password', password: PASSWORD } : { code: '123456' } }
            : {}),
        });
        expect(res.status, path).toBe(403);
        expect(res.body.error.code).toBe('mfa.enrollment_required');
      }
      const enrollment = await call(h.app, 'POST', '/api/v1/me/mfa-device', { token: restricted });
      expect(enrollment.status).toBe(201);
      const newSecret = referenceBase32Decode(enrollment.body.enrollment.secret);
      const activated = await call(h.app, 'POST', '/api/v1/me/mfa-device/activate', {
        token: restricted,
        body: {
          enrollmentId: enrollment.body.enrollment.id,
          codes: [referenceTotp(newSecret, h.clock.now(), -1), referenceTotp(newSecret, h.clock.now())],
        },
      });
      expect(activated.status).toBe(200);
      const full = activated.body.session.token;
      expect(full).not.toBe(restricted);
      expect((await call(h.app, 'GET', '/api/v1/me', { token: restricted })).status).toBe(401);
      expect((await call(h.app, 'GET', '/api/v1/audit-events', { token: full })).status).toBe(200);
      // Signing out works in a restricted session too.
      const another = (
        await loginAs(h, (await createSubUser(h, primary.token, primary.alias, { mfaRequired: true })).login)
      ).body.session.token;
      expect((await call(h.app, 'DELETE', '/api/v1/sessions/current', { token: another })).status).toBe(204);
    });

    it('an admin binds and resets plain sub-users (step-up), and its own MFA settings stay its own', async () => {
      const { admin, plain } = await team();
      await bindFor(admin.token, plain.id);
      expect(
        (await call(h.app, 'DELETE', `/api/v1/users/${plain.id}/mfa-device`, { token: admin.token, body: {} })).status,
      ).toBe(204);
      expect((await call(h.app, 'POST', `/api/v1/users/${admin.id}/mfa-device`, { token: admin.token })).status).toBe(
        403,
      );
      const badReason = await call(h.app, 'DELETE', `/api/v1/users/${plain.id}/mfa-device`, {
        token: admin.token,
        body: { reason: 42 },
      });
      expect(badReason.status).toBe(400);
      const extra = await call(h.app, 'DELETE', `/api/v1/users/${plain.id}/mfa-device`, {
        token: admin.token,
        body: { reason: 'x', force: true },
      });
      expect(extra.status).toBe(400);
    });
  });
});
