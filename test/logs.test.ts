import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, call, createHarness, passwordStep, signupAndLogin, type Harness } from './helpers/harness.js';
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';

describe('logs of a full flow (docs/design.md §2.8)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite', { captureLogs: true });
  });
  afterAll(async () => h.close());

  it('contain no base32 secret, otpauth URI, code, session token, challenge id or password', async () => {
    const secrets: string[] = [PASSWORD];
    const codes: string[] = [];
    const user = await signupAndLogin(h);
    secrets.push(user.token);
    const enrollment = await call(h.app, 'POST', '/api/v1/me/mfa-device', { token: user.token });
    const secretText = enrollment.body.enrollment.secret as string;
    secrets.push(secretText, enrollment.body.enrollment.otpauthUri, 'otpauth://');
    const secret = referenceBase32Decode(secretText);
    const now = h.clock.now();
    codes.push(referenceTotp(secret, now, -1), referenceTotp(secret, now));
    await call(h.app, 'POST', '/api/v1/me/mfa-device/activate', {
      token: user.token,
      body: { enrollmentId: enrollment.body.enrollment.id, codes: codes.slice(0, 2) },
    });
    // A wrong code, then a right one; cookies and bearer both.
    h.clock.nextStep();
    const challengeId = await passwordStep(h, user.email);
    secrets.push(challengeId);
    await call(h.app, 'POST', '/api/v1/sessions/mfa', { body: { challengeId, code: '000000' } });
    const code = referenceTotp(secret, h.clock.now());
    codes.push(code);
    const login = await call(h.app, 'POST', '/api/v1/sessions/mfa', { body: { challengeId, code } });
    secrets.push(login.body.session.token);
    await h.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { twofold_session: login.body.session.token } });
    h.clock.nextStep();
    const unbindCode = referenceTotp(secret, h.clock.now());
    codes.push(unbindCode);
    await call(h.app, 'DELETE', '/api/v1/me/mfa-device', {
      token: login.body.session.token,
      body: { code: unbindCode },
    });
    await call(h.app, 'DELETE', '/api/v1/sessions/current', { token: login.body.session.token });

    const text = h.logs.join('');
    expect(h.logs.length).toBeGreaterThan(10); // the capture really saw the flow
    expect(text).toContain('"statusCode":204');
    for (const secretValue of secrets)
      expect(text.includes(secretValue), `log contains ${secretValue.slice(0, 8)}…`).toBe(false);
    for (const c of codes)
      expect(new RegExp(`(?<![0-9])${c}(?![0-9])`).test(text), `log contains code ${c}`).toBe(false);
    expect(text).not.toMatch(/Bearer |twofold_session=/);
  });
});
