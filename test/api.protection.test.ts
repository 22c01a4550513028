import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  bindDevice,
  call,
  createHarness,
  createSubUser,
  databaseKinds,
  loginAs,
  primaryAccount,
  signupAndLogin,
  uniqueEmail,
  type Harness,
} from './helpers/harness.js';
import { sensitiveOperations } from '../src/domain/step-up/sensitive-operations.js';
import { operator } from './helpers/recovery.js';

describe.each(databaseKinds())('account protection and sensitive operations on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  it('PATCH /me: the name is free, email/phone/password need a fresh step-up; a new password ends other sessions', async () => {
    const user = await signupAndLogin(h);
    const other = (await loginAs(h, user.email)).body.session.token;
    h.clock.advance(301_000);
    expect(
      (await call(h.app, 'PATCH', '/api/v1/me', { token: user.token, body: { displayName: 'Ada L.' } })).body.user
        .displayName,
    ).toBe('Ada L.');
    for (const body of [{ email: uniqueEmail() }, { phone: '+4915112345678' }, { password: 'a new long password' }]) {
      const res = await call(h.app, 'PATCH', '/api/v1/me', { token: user.token, body });
      expect(res.status, JSON.stringify(body)).toBe(401);
      expect(res.body.error.code).toBe('auth.step_up_required');
    }
    await call(h.app, 'POST', '/api/v1/me/step-up', {
      token: user.token,
      body: { method: 'password', password: PASSWORD },
    });
    const taken = await call(h.app, 'PATCH', '/api/v1/me', {
      token: user.token,
      body: { email: (await signupAndLogin(h)).email },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('account.email_taken');
    const wrongCurrent = await call(h.app, 'PATCH', '/api/v1/me', {
      token: user.token,
      body: { password: 'a new long password', currentPassword: 'not it' },
    });
    expect(wrongCurrent.status).toBe(401);
    expect(wrongCurrent.body.error.code).toBe('auth.invalid_credentials');
    // A fresh step-up alone does not change the password: the current one is asked for too.
    const withoutCurrent = await call(h.app, 'PATCH', '/api/v1/me', {
      token: user.token,
      body: { password: 'a new long password' },
    });
    expect(withoutCurrent.status).toBe(400);
    expect(withoutCurrent.body.error).toMatchObject({
      code: 'validation.failed',
      fields: [{ path: '/currentPassword' }],
    });
    expect(
      (await call(h.app, 'POST', '/api/v1/sessions', { body: { login: user.email, password: PASSWORD } })).status,
    ).toBe(201);
    const changed = await call(h.app, 'PATCH', '/api/v1/me', {
      token: user.token,
      body: { password: 'a new long password', currentPassword: PASSWORD, phone: '+4915112345678' },
    });
    expect(changed.status).toBe(200);
    expect((await call(h.app, 'GET', '/api/v1/me', { token: other })).status).toBe(401);
    expect((await call(h.app, 'GET', '/api/v1/me', { token: user.token })).status).toBe(200);
    expect(
      (await call(h.app, 'POST', '/api/v1/sessions', { body: { login: user.email, password: 'a new long password' } }))
        .status,
    ).toBe(201);
    const newEmail = uniqueEmail('moved');
    expect(
      (await call(h.app, 'PATCH', '/api/v1/me', { token: user.token, body: { email: newEmail } })).body.user.email,
    ).toBe(newEmail);
    // The old address is told, with the new one masked.
    await h.services.delivery.runOnce();
    const notice = (
      await call(h.app, 'GET', `/api/v1/dev/outbox?to=${encodeURIComponent(user.email)}`)
    ).body.messages.find((m: { kind: string }) => m.kind === 'account.email_changed');
    expect(notice.subject).toBe('twofold test: The email address of your account was changed');
    expect(notice.text).toContain('changed to m***@example.com');
    expect(
      (await call(h.app, 'POST', '/api/v1/sessions', { body: { login: newEmail, password: 'a new long password' } }))
        .status,
    ).toBe(201);
    expect((await call(h.app, 'PATCH', '/api/v1/me', { token: user.token, body: {} })).status).toBe(400);
    expect(
      (await call(h.app, 'PATCH', '/api/v1/me', { token: user.token, body: { currentPassword: 'x' } })).status,
    ).toBe(400);
  });

  it('changing the phone number tells the e-mail address on record and the old number', async () => {
    const user = await signupAndLogin(h);
    expect(
      (await call(h.app, 'PATCH', '/api/v1/me', { token: user.token, body: { phone: '+4915100000001' } })).status,
    ).toBe(200);
    expect(
      (await call(h.app, 'PATCH', '/api/v1/me', { token: user.token, body: { phone: '+4915100000002' } })).status,
    ).toBe(200);
    const mails = (await h.services.outbox(user.email)).filter((m) => m.kind === 'account.phone_changed');
    expect(mails).toHaveLength(2);
    expect(mails.map((m) => m.text).join('\n')).toContain('changed to +49********002');
    // The old number is told by SMS; the new one hears nothing of it.
    const old = (await h.services.outbox('+4915100000001')).filter((m) => m.kind === 'account.phone_changed');
    expect(old).toHaveLength(1);
    expect(old[0]!.channel).toBe('sms');
    expect((await h.services.outbox('+4915100000002')).filter((m) => m.kind === 'account.phone_changed')).toHaveLength(
      0,
    );
  });

  it('protection scenarios: the chosen method is the only one offered and accepted for sensitive operations', async () => {
    const user = await signupAndLogin(h);
    const initial = await call(h.app, 'GET', '/api/v1/me/protection', { token: user.token });
    expect(initial.body).toMatchObject({
      login: { methods: ['password'] },
      sensitiveOperations: { method: null, choices: ['email', 'password'] },
    });
    expect(initial.body.operations.map((o: { id: string }) => o.id)).toEqual(sensitiveOperations.map((o) => o.id));
    const set = await call(h.app, 'PUT', '/api/v1/me/protection', {
      token: user.token,
      body: { sensitiveOperations: 'email' },
    });
    expect(set.status).toBe(200);
    expect(set.body.sensitiveOperations.method).toBe('email');
    h.clock.advance(301_000);
    const asked = await call(h.app, 'POST', '/api/v1/me/mfa-device', { token: user.token });
    expect(asked.body.error).toMatchObject({ code: 'auth.step_up_required', methods: ['email'] });
    const password = await call(h.app, 'POST', '/api/v1/me/step-up', {
      token: user.token,
      body: { method: 'password', password: PASSWORD },
    });
    expect(password.status).toBe(401);
    expect(password.body.error).toMatchObject({ code: 'auth.step_up_required', methods: ['email'] });
    // Changing the choice is itself sensitive.
    expect(
      (
        await call(h.app, 'PUT', '/api/v1/me/protection', {
          token: user.token,
          body: { sensitiveOperations: 'password' },
        })
      ).status,
    ).toBe(401);
    expect(
      (await call(h.app, 'PUT', '/api/v1/me/protection', { token: user.token, body: { sensitiveOperations: 'fax' } }))
        .status,
    ).toBe(400);
    expect(
      (
        await call(h.app, 'PUT', '/api/v1/me/protection', {
          token: (await signupAndLogin(h)).token,
          body: { sensitiveOperations: 'totp' },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call(h.app, 'PUT', '/api/v1/me/protection', {
          token: (await signupAndLogin(h)).token,
          body: { sensitiveOperations: 'sms' },
        })
      ).status,
    ).toBe(422);
  });

  it('with a device bound, login and sensitive operations use it and cannot be weakened', async () => {
    const user = { ...(await signupAndLogin(h)) };
    user.token = (await bindDevice(h, user.token)).token;
    const protection = await call(h.app, 'GET', '/api/v1/me/protection', { token: user.token });
    expect(protection.body).toMatchObject({
      login: { methods: ['password', 'totp'] },
      sensitiveOperations: { method: 'totp', choices: ['totp'] },
    });
    expect(
      (await call(h.app, 'PUT', '/api/v1/me/protection', { token: user.token, body: { sensitiveOperations: 'email' } }))
        .status,
    ).toBe(403);
    expect(
      (await call(h.app, 'PUT', '/api/v1/me/protection', { token: user.token, body: { sensitiveOperations: 'totp' } }))
        .status,
    ).toBe(200);
  });

  it('every documented sensitive operation answers 401 auth.step_up_required once the step-up is stale', async () => {
    const primary = await primaryAccount(h);
    const sub = await createSubUser(h, primary.token, primary.alias);
    const device = { ...(await signupAndLogin(h)), deviceId: '' };
    const bound = await bindDevice(h, device.token);
    device.token = bound.token;
    device.deviceId = (await call(h.app, 'GET', '/api/v1/me/mfa-devices', { token: device.token })).body.devices[0].id;
    const workspace = (await call(h.app, 'POST', '/api/v1/workspaces', { token: primary.token, body: { name: 'W' } }))
      .body.workspace.id;
    const support = await operator(h);
    const oidcClient = (
      await call(h.app, 'POST', '/api/v1/oidc-clients', {
        token: primary.token,
        body: { name: 'App', redirectUris: ['https://app.example/cb'], type: 'public' },
      })
    ).body.client.id;
    h.clock.advance(301_000);
    const requests: Record<string, [string, string, string, unknown?]> = {
      'mfa.bind': [primary.token, 'POST', '/api/v1/me/mfa-device'],
      'mfa.unbind': [device.token, 'DELETE', '/api/v1/me/mfa-device', { code: '123456' }],
      'mfa.regenerate_recovery_codes': [device.token, 'POST', '/api/v1/me/recovery-codes'],
      'mfa.add_device': [device.token, 'POST', '/api/v1/me/mfa-devices', { type: 'totp' }],
      'mfa.remove_device': [device.token, 'DELETE', `/api/v1/me/mfa-devices/${device.deviceId}`],
      'sessions.end_others': [primary.token, 'DELETE', '/api/v1/me/sessions'],
      'account.change_password': [primary.token, 'PATCH', '/api/v1/me', { password: 'another long password' }],
      'account.change_email': [primary.token, 'PATCH', '/api/v1/me', { email: uniqueEmail() }],
      'account.change_phone': [primary.token, 'PATCH', '/api/v1/me', { phone: '+15551234567' }],
      'account.change_protection': [primary.token, 'PUT', '/api/v1/me/protection', { sensitiveOperations: 'password' }],
      'users.change_sign_in': [primary.token, 'PATCH', `/api/v1/users/${sub.id}`, { mfaRequired: true }],
      'users.delete': [primary.token, 'DELETE', `/api/v1/users/${sub.id}`],
      'users.bind_mfa': [primary.token, 'POST', `/api/v1/users/${sub.id}/mfa-device`],
      'users.reset_mfa': [primary.token, 'DELETE', `/api/v1/users/${sub.id}/mfa-device`],
      'users.remove_device': [primary.token, 'DELETE', `/api/v1/users/${sub.id}/mfa-devices/any`, { reason: 'lost' }],
      'workspaces.change_policy': [primary.token, 'PATCH', `/api/v1/workspaces/${workspace}`, { graceDays: 3 }],
      'workspaces.delete': [primary.token, 'DELETE', `/api/v1/workspaces/${workspace}`],
      'account.submit_real_name': [
        primary.token,
        'PUT',
        '/api/v1/me/real-name',
        { type: 'personal', name: 'Li Lei', idNumber: '110105194912310021', phone: '+8613800138000' },
      ],
      'oidc.create_client': [
        primary.token,
        'POST',
        '/api/v1/oidc-clients',
        { name: 'App', redirectUris: ['https://app.example/cb'], type: 'confidential' },
      ],
      'oidc.change_client': [
        primary.token,
        'PATCH',
        `/api/v1/oidc-clients/${oidcClient}`,
        { redirectUris: ['https://elsewhere.example/cb'] },
      ],
      'oidc.delete_client': [primary.token, 'DELETE', '/api/v1/oidc-clients/any'],
      // The step-up is asked before the URL's host is looked up (no DNS answers for a stale session).
      'webhooks.create': [
        primary.token,
        'POST',
        '/api/v1/webhooks',
        { url: 'https://hooks.example.com/twofold', events: ['login.succeeded'] },
      ],
      'webhooks.rotate_secret': [primary.token, 'POST', '/api/v1/webhooks/any/secret'],
      'api_tokens.create': [
        primary.token,
        'POST',
        '/api/v1/api-tokens',
        { name: 'HR sync', scopes: ['users:read'], expiresInDays: 30 },
      ],
      'support.review_real_name': [support.token, 'POST', `/api/v1/support/real-names/${primary.accountId}/verify`, {}],
      'support.approve_recovery': [support.token, 'POST', '/api/v1/support/recovery-tickets/any/approve', {}],
      'support.reject_recovery': [
        support.token,
        'POST',
        '/api/v1/support/recovery-tickets/any/reject',
        { reason: 'no evidence' },
      ],
    };
    for (const operation of sensitiveOperations) {
      const request = requests[operation.id];
      expect(request, `no request for ${operation.id}`).toBeDefined();
      const [token, method, url, body] = request!;
      const res = await call(h.app, method, url, { token, ...(body !== undefined ? { body } : {}) });
      expect(res.status, operation.id).toBe(401);
      expect(res.body.error.code, operation.id).toBe('auth.step_up_required');
      // The refusal names the documented operation that asked: the list and the rule are one thing.
      expect(res.body.error.operation, operation.id).toBe(operation.id);
      expect(res.body.error.methods.length, operation.id).toBeGreaterThan(0);
    }
  });
});
