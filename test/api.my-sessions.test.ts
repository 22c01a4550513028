import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, call, createHarness, databaseKinds, signupAndLogin, type Harness } from './helpers/harness.js';

describe.each(databaseKinds())('sessions a person can see and end, on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  const loginFrom = async (email: string, userAgent: string) =>
    (
      await call(h.app, 'POST', '/api/v1/sessions', {
        body: { login: email, password: PASSWORD },
        headers: { 'user-agent': userAgent },
      })
    ).body.session.token as string;

  it('lists where one is signed in, marks this session, and shows no token', async () => {
    const user = await signupAndLogin(h);
    const phone = await loginFrom(user.email, 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1');
    const res = await call(h.app, 'GET', '/api/v1/me/sessions', { token: phone });
    expect(res.status).toBe(200);
    expect(res.body.sessions).toHaveLength(2);
    const current = res.body.sessions.find((s: { current: boolean }) => s.current);
    expect(current).toMatchObject({
      current: true,
      userAgent: expect.stringContaining('iPhone'),
      ip: '127.0.0.1',
      mfaVerified: false,
    });
    expect(current.id).toBe(phone.split('.')[0]);
    expect(JSON.stringify(res.body)).not.toContain(phone.split('.')[1]);
    expect(JSON.stringify(res.body)).not.toContain(user.token.split('.')[1]);
  });

  it('signs one session out; a session of somebody else, or one already over, is "not found"', async () => {
    const user = await signupAndLogin(h);
    const other = await loginFrom(user.email, 'curl/8');
    const otherId = other.split('.')[0]!;
    expect((await call(h.app, 'DELETE', `/api/v1/me/sessions/${otherId}`, { token: user.token })).status).toBe(204);
    expect((await call(h.app, 'GET', '/api/v1/me', { token: other })).status).toBe(401);
    const again = await call(h.app, 'DELETE', `/api/v1/me/sessions/${otherId}`, { token: user.token });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('session.not_found');
    const stranger = await signupAndLogin(h);
    expect(
      (await call(h.app, 'DELETE', `/api/v1/me/sessions/${stranger.token.split('.')[0]}`, { token: user.token }))
        .status,
    ).toBe(404);
    expect((await call(h.app, 'GET', '/api/v1/me', { token: stranger.token })).status).toBe(200);
    const events = (await call(h.app, 'GET', '/api/v1/audit-events?type=session.ended', { token: user.token })).body
      .events;
    expect(events[0].details).toMatchObject({ reason: 'signed_out_elsewhere', sessionId: otherId });
  });

  it('signs out everywhere else after a fresh step-up; this session goes on', async () => {
    const user = await signupAndLogin(h);
    const a = await loginFrom(user.email, 'agent a');
    const b = await loginFrom(user.email, 'agent b');
    h.clock.advance(301_000);
    const stale = await call(h.app, 'DELETE', '/api/v1/me/sessions', { token: user.token });
    expect(stale.body.error).toMatchObject({ code: 'auth.step_up_required', operation: 'sessions.end_others' });
    await call(h.app, 'POST', '/api/v1/me/step-up', {
      token: user.token,
      body: { method: 'password', password: PASSWORD },
    });
    expect((await call(h.app, 'DELETE', '/api/v1/me/sessions', { token: user.token })).status).toBe(204);
    for (const token of [a, b]) expect((await call(h.app, 'GET', '/api/v1/me', { token })).status).toBe(401);
    expect((await call(h.app, 'GET', '/api/v1/me/sessions', { token: user.token })).body.sessions).toHaveLength(1);
  });
});
