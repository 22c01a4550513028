import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  call,
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
});
