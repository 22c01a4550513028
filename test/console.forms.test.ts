import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import {
  PASSWORD,
  call,
  createHarness,
  createSubUser,
  loginFull,
  primaryAccount,
  signupAndLogin,
  userWithDevice,
  type Harness,
} from './helpers/harness.js';
import { operator, ownerWithTicket } from './helpers/recovery.js';
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';

/** `name=value` pairs and attributes of every Set-Cookie of a response. */
function setCookies(response: LightMyRequestResponse) {
  return response.cookies as {
    name: string;
    value: string;
    path?: string;
    maxAge?: number;
    httpOnly?: boolean;
    secure?: boolean;
    sameSite?: string;
  }[];
}

/** A console client: keeps cookies like a browser (per path), sends our Origin on posts. */
function browser(h: Harness, origin = 'http://twofold.test') {
  // Keyed by name and path, as a browser keeps them (RFC 6265 §5.3).
  const jar = new Map<string, { name: string; value: string; path: string }>();
  const cookieHeader = (url: string) =>
    [...jar.values()]
      .filter((c) => url.split('?')[0]!.startsWith(c.path))
      // As the server sent it (it encodes values; light-my-request hands them back decoded).
      .map((c) => `${c.name}=${encodeURIComponent(c.value)}`)
      .join('; ');
  const remember = (response: LightMyRequestResponse) => {
    for (const c of setCookies(response)) {
      const key = `${c.name} ${c.path ?? '/'}`;
      if (c.value === '' || c.maxAge === 0) jar.delete(key);
      else jar.set(key, { name: c.name, value: c.value, path: c.path ?? '/' });
    }
    return response;
  };
  const has = (name: string) => [...jar.values()].some((c) => c.name === name);
  return {
    has,
    /** A cookie as the server set it before (e.g. the session of an API login). */
    setCookie: (name: string, value: string, path = '/') => jar.set(`${name} ${path}`, { name, value, path }),
    get: async (url: string) =>
      remember(await h.app.inject({ method: 'GET', url, headers: { cookie: cookieHeader(url) } })),
    post: async (url: string, form: Record<string, string>) => {
      const csrf = [...jar.values()].find((c) => c.name.endsWith('twofold_csrf'))?.value ?? '';
      return remember(
        await h.app.inject({
          method: 'POST',
          url,
          headers: { cookie: cookieHeader(url), origin, 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
        }),
      );
    },
  };
}

describe('secrets in links leave the address at the first request (issue 19)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(async () => h.close());

  async function resetToken(email: string) {
    await call(h.app, 'POST', '/api/v1/password-resets', { body: { login: email } });
    await h.services.passwordResets.settled();
    const mail = (await h.services.outbox(email)).find((m) => m.kind === 'account.password_reset_link')!;
    return new URL(/(https?:\/\/\S+)/.exec(mail.text)![1]!).searchParams.get('token')!;
  }

  it('a reset link: the token moves into a cookie on its path and the page reloads without it', async () => {
    const user = await signupAndLogin(h);
    const token = await resetToken(user.email);
    const tab = browser(h);
    const other = browser(h); // the same link opened in a second browser, used in the first
    await other.get(`/password-reset/new?token=${encodeURIComponent(token)}`);
    const first = await tab.get(`/password-reset/new?token=${encodeURIComponent(token)}`);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/password-reset/new');
    expect(first.headers['referrer-policy']).toBe('no-referrer');
    const cookie = setCookies(first).find((c) => c.name === 'twofold_link')!;
    expect(cookie).toMatchObject({
      value: token,
      path: '/password-reset/new',
      maxAge: 1800,
      httpOnly: true,
      sameSite: 'Lax',
    });
    const page = await tab.get('/password-reset/new');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(token);
    const done = await tab.post('/password-reset/new', { password: 'a password from the link' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/login?notice=password-reset');
    expect(tab.has('twofold_link')).toBe(false);
    const login = await call(h.app, 'POST', '/api/v1/sessions', {
      body: { login: user.email, password: 'a password from the link' },
    });
    expect(login.status).toBe(201);
    // The second browser is told before its form that the link was used, with a way to a new one.
    const used = await other.get('/password-reset/new');
    expect(used.statusCode).toBe(303);
    expect(used.headers.location).toBe('/password-reset?notice=link-used');
    expect((await other.get('/password-reset?notice=link-used')).body).toContain('already used');
    expect((await other.post('/password-reset/new', { password: 'too late for this' })).headers.location).toBe(
      '/password-reset?notice=link-used',
    );
    // Without the link (another browser, or over 30 minutes later): a pointer to ask for a new one.
    const bare = await browser(h).get('/password-reset/new');
    expect(bare.statusCode).toBe(303);
    expect(bare.headers.location).toBe('/password-reset?notice=link-missing');
    const explained = await browser(h).get('/password-reset?notice=link-missing');
    expect(explained.body).toContain('Open the link from the e-mail');
  });

  it('a ticket status link and a cancel link: the same, and the cancel page posts no token', async () => {
    const { owner, ticketId, statusToken } = await ownerWithTicket(h, await operator(h));

    const tab = browser(h);
    const status = await tab.get(`/recovery/status?ticket=${ticketId}&token=${encodeURIComponent(statusToken)}`);
    expect(status.statusCode).toBe(303);
    expect(status.headers.location).toBe('/recovery/status');
    expect(setCookies(status).find((c) => c.name === 'twofold_link')).toMatchObject({
      path: '/recovery/status',
      maxAge: 3600,
      httpOnly: true,
    });
    const statusPage = await tab.get('/recovery/status');
    expect(statusPage.statusCode).toBe(200);
    expect(statusPage.body).toContain('data-testid="ticket-status"');
    expect(statusPage.body).not.toContain(statusToken);
    // A wrong token is moved the same way and then finds nothing.
    const wrong = browser(h);
    await wrong.get(`/recovery/status?ticket=${ticketId}&token=not-the-token`);
    expect((await wrong.get('/recovery/status')).statusCode).toBe(404);

    const mail = (await h.services.outbox(owner.email)).find((m) => m.kind === 'recovery.submitted')!;
    const cancelUrl = new URL(/(https?:\/\/\S+\/recovery\/cancel\S+)/.exec(mail.text)![1]!);
    const cancelToken = cancelUrl.searchParams.get('token')!;
    const moved = await tab.get(`${cancelUrl.pathname}${cancelUrl.search}`);
    expect(moved.statusCode).toBe(303);
    expect(moved.headers.location).toBe('/recovery/cancel');
    const confirm = await tab.get('/recovery/cancel');
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).not.toContain(cancelToken);
    // The status page keeps its own cookie: two paths, two secrets.
    expect((await tab.get('/recovery/status')).statusCode).toBe(200);
    const cancelled = await tab.post('/recovery/cancel', {});
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.body).toContain('data-testid="recovery-cancel"');
    const after = await call(h.app, 'GET', `/api/v1/recovery-tickets/${ticketId}`, { token: statusToken });
    expect(after.body.ticket.status).toBe('cancelled');
    // A post without the link's cookie cancels nothing.
    const stranger = browser(h);
    expect((await stranger.get('/recovery/cancel')).statusCode).toBe(404);
    expect((await stranger.post('/recovery/cancel', {})).statusCode).toBe(404);
  });
});

describe('behind https every cookie carries a prefix: __Host- site-wide, __Secure- on one path (issue 19)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite', { config: { publicUrl: 'https://mfa.example.com', secureCookies: true } });
  });
  afterAll(async () => h.close());

  it('session and CSRF cookies are __Host- (Secure, Path=/), and only the prefixed session cookie signs in', async () => {
    const user = await signupAndLogin(h);
    const tab = browser(h, 'https://mfa.example.com');
    const page = await tab.get('/login');
    const csrf = setCookies(page).find((c) => c.name === '__Host-twofold_csrf')!;
    expect(csrf).toMatchObject({ path: '/', secure: true, httpOnly: true });
    expect(setCookies(page).some((c) => c.name === 'twofold_csrf')).toBe(false);
    const login = await tab.post('/login', { login: user.email, password: PASSWORD });
    expect(login.statusCode).toBe(303);
    const session = setCookies(login).find((c) => c.name === '__Host-twofold_session')!;
    expect(session).toMatchObject({ path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
    expect(
      (
        await h.app.inject({
          method: 'GET',
          url: '/api/v1/me',
          headers: { cookie: `__Host-twofold_session=${session.value}` },
        })
      ).statusCode,
    ).toBe(200);
    // A bare-named cookie (which a sibling subdomain or a plain-http page could plant) is not a session here.
    expect(
      (
        await h.app.inject({
          method: 'GET',
          url: '/api/v1/me',
          headers: { cookie: `twofold_session=${session.value}` },
        })
      ).statusCode,
    ).toBe(401);
    const out = await tab.post('/logout', {});
    expect(setCookies(out).find((c) => c.name === '__Host-twofold_session')).toMatchObject({
      value: '',
      path: '/',
      secure: true,
    });
  });

  it('the pending login and a link secret are __Secure- on their paths', async () => {
    const tab = browser(h, 'https://mfa.example.com');
    const moved = await tab.get('/password-reset/new?token=abc');
    expect(setCookies(moved).find((c) => c.name === '__Secure-twofold_link')).toMatchObject({
      path: '/password-reset/new',
      secure: true,
    });
  });
});

describe('a step-up names the operation it continues (issue 20)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(async () => h.close());

  it('"Make new codes" asks to verify for making new recovery codes, and the name stays through a wrong code', async () => {
    const user = await userWithDevice(h);
    const { token } = await loginFull(h, user);
    h.clock.advance(301_000); // the login's verification is stale
    const tab = browser(h);
    tab.setCookie('twofold_session', token);
    await tab.get('/account/security');
    const asked = await tab.post('/account/security/recovery-codes', {});
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Making new recovery codes is a sensitive operation.');
    expect(asked.body).toContain('name="operation" value="mfa.regenerate_recovery_codes"');
    const wrong = await tab.post('/account/security/step-up', {
      method: 'totp',
      code: '000000',
      next: '/account/security',
      operation: 'mfa.regenerate_recovery_codes',
    });
    expect(wrong.body).toContain('Making new recovery codes is a sensitive operation.');
    // An unknown operation name changes nothing: the page falls back to its own purpose.
    const odd = await tab.post('/account/security/step-up', {
      method: 'totp',
      code: '000000',
      next: '/account/security',
      operation: 'constructor',
    });
    expect(odd.body).not.toContain('function');
  });
});

describe('a wrong recovery code at login (issue 20)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(async () => h.close());

  it('gets its own message inside its open section, and no phone-clock hint', async () => {
    const user = await userWithDevice(h);
    const tab = browser(h);
    await tab.get('/login');
    expect((await tab.post('/login', { login: user.email, password: PASSWORD })).headers.location).toBe('/login/mfa');
    // Post/redirect/get: the refusal is a 303 to the code step, so a reload sends nothing again.
    const refused = await tab.post('/login/mfa', { recoveryCode: 'ZZZZZ-ZZZZZ' });
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toBe('/login/mfa');
    const wrong = await tab.get('/login/mfa');
    expect(wrong.statusCode).toBe(200);
    const section = /<details class="alt" open data-testid="recovery-section">([\s\S]*?)<\/details>/.exec(wrong.body);
    expect(section, 'the recovery section is open').not.toBeNull();
    expect(section![1]).toContain('The recovery code is');
    expect(wrong.body).not.toContain('Codes keep failing?');
    // Shown once: a reload of the page shows no stale message.
    expect((await tab.get('/login/mfa')).body).not.toContain('The recovery code is');
    // A wrong dynamic code keeps the hint, and the section closed.
    await tab.post('/login/mfa', { code: '000000' });
    const code = await tab.get('/login/mfa');
    expect(code.body).toContain('Codes keep failing?');
    expect(code.body).toContain('<details class="alt" data-testid="recovery-section">');
  });
});

describe('while a lost-device request is open (issue 20)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(async () => h.close());

  it('the code step and Security Settings say so, and the owner cancels it from there; a used cancel link says so', async () => {
    const { owner, ticketId, statusToken } = await ownerWithTicket(h, await operator(h));
    const submitted = (await h.services.outbox(owner.email)).find((m) => m.kind === 'recovery.submitted')!;
    const cancelUrl = new URL(/(https?:\/\/\S+\/recovery\/cancel\S+)/.exec(submitted.text)![1]!);
    // The code step of a new login (password proved) tells that the code cancels it.
    const login = browser(h);
    await login.get('/login');
    await login.post('/login', { login: owner.email, password: PASSWORD });
    expect((await login.get('/login/mfa')).body).toContain('data-testid="recovery-pending"');
    // A session from before the request sees a banner with Cancel in Security Settings.
    const tab = browser(h);
    tab.setCookie('twofold_session', owner.token);
    const security = await tab.get('/account/security');
    expect(security.body).toContain('data-testid="recovery-banner"');
    const cancelled = await tab.post('/account/security/recovery/cancel', {});
    expect(cancelled.headers.location).toBe('/account/security?notice=recovery-cancelled');
    expect(
      (await call(h.app, 'GET', `/api/v1/recovery-tickets/${ticketId}`, { token: statusToken })).body.ticket.status,
    ).toBe('cancelled');
    expect((await tab.get('/account/security')).body).not.toContain('data-testid="recovery-banner"');
    // The cancel link from the mail, opened now: already cancelled, no button.
    const mail = (await h.services.outbox(owner.email)).find((m) => m.kind === 'recovery.submitted')!;
    expect(mail.text).toContain('[cancel link removed'); // emptied when the ticket closed (decision 023)
    const late = browser(h);
    await late.get(`${cancelUrl.pathname}${cancelUrl.search}`);
    const used = await late.get('/recovery/cancel');
    expect(used.body).toContain('already cancelled');
    expect(used.body).not.toContain('data-testid="cancel"');
    const link = browser(h);
    await link.get(`/recovery/status?ticket=${ticketId}&token=${encodeURIComponent(statusToken)}`);
    expect((await link.get('/recovery/status')).body).toContain('Cancelled');
  });
});

describe('a sub-user whose administrator bound its device (issue 20)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(async () => h.close());

  it('sees its own login on the overview and is asked to make its recovery codes, once', async () => {
    const primary = await primaryAccount(h);
    const sub = await createSubUser(h, primary.token, primary.alias);
    const enrollment = await call(h.app, 'POST', `/api/v1/users/${sub.id}/mfa-device`, { token: primary.token });
    const secret = referenceBase32Decode(enrollment.body.enrollment.secret);
    await call(h.app, 'POST', `/api/v1/users/${sub.id}/mfa-device/activate`, {
      token: primary.token,
      body: {
        enrollmentId: enrollment.body.enrollment.id,
        codes: [referenceTotp(secret, h.clock.now(), -1), referenceTotp(secret, h.clock.now())],
      },
    });
    h.clock.nextStep();
    const tab = browser(h);
    await tab.get('/login');
    await tab.post('/login', { login: sub.login, password: PASSWORD });
    expect((await tab.post('/login/mfa', { code: referenceTotp(secret, h.clock.now()) })).headers.location).toBe(
      '/overview',
    );
    const overview = await tab.get('/overview');
    expect(overview.body).toContain(`You log in as <code>${sub.login}</code>`);
    expect(overview.body).not.toContain('Sub-users log in as');
    expect(overview.body).toContain('data-testid="first-recovery-codes"');
    const made = await tab.post('/account/security/recovery-codes', { next: '/overview' });
    expect(made.statusCode).toBe(200);
    expect(made.body).toContain('data-testid="recovery-codes-page"');
    expect((await tab.get('/overview')).body).not.toContain('data-testid="first-recovery-codes"');
    // The owner's own overview keeps what it tells its sub-users.
    const owner = browser(h);
    owner.setCookie('twofold_session', primary.token);
    expect((await owner.get('/overview')).body).toContain('Sub-users log in as');
  });
});

describe('a refused login is answered by a redirect: a reload posts nothing again (issue 20)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(async () => h.close());

  it('keeps the login typed, never the password, and counts one failure only', async () => {
    const user = await signupAndLogin(h);
    const tab = browser(h);
    await tab.get('/login');
    const refused = await tab.post('/login', { login: user.email, password: 'not the password' });
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toBe('/login');
    const page = await tab.get('/login');
    expect(page.body).toContain('The login or password is not correct');
    expect(page.body).toContain(`value="${user.email}"`);
    expect(page.body).not.toContain('not the password');
    // A flash cookie planted by another host (not signed by this server) shows nothing.
    const planted = browser(h);
    planted.setCookie(
      'twofold_flash',
      JSON.stringify({ message: { kind: 'error', text: 'Call +1 555 0100 to unlock' } }),
      '/login',
    );
    expect((await planted.get('/login')).body).not.toContain('Call +1 555');
    // A reload is a GET now: the message is gone and nothing was counted again.
    expect((await tab.get('/login')).body).not.toContain('is not correct');
    const failures = await h.database.db
      .selectFrom('audit_events')
      .select('id')
      .where('type', '=', 'login.failed')
      .where('user_id', '=', user.userId)
      .execute();
    expect(failures).toHaveLength(1);
    // Sign-up likewise keeps the e-mail and drops the password.
    await tab.get('/signup');
    const weak = await tab.post('/signup', { email: 'new.person@example.com', password: 'password123' });
    expect(weak.headers.location).toBe('/signup');
    const signup = await tab.get('/signup');
    expect(signup.body).toContain('value="new.person@example.com"');
    expect(signup.body).toContain('most common');
  });
});
