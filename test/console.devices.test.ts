import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import {
  PASSWORD,
  bindDevice,
  call,
  createHarness,
  createSubUser,
  loginAs,
  primaryAccount,
  signupAndLogin,
  type Harness,
} from './helpers/harness.js';
import { createSoftAuthenticator } from './helpers/soft-authenticator.js';
import { referenceTotp } from './helpers/rfc6238.js';

/**
 * Issue 22's console forms without a browser: what the passkey script posts (its JSON answer in a
 * hidden field of a plain form), the JSON that gives the second step and a passwordless sign-in their
 * options (fresh at each press: a refused passkey is tried again on the same pending login), the
 * banner of a workspace that will require a passkey, a public URL on which passkeys cannot work, and
 * TWOFOLD_PASSWORDLESS=0. The soft authenticator plays the browser's part.
 */
const ORIGIN = 'http://localhost:3000';

/** A console client: keeps cookies like a browser (per path), sends our Origin on posts. */
function browser(h: Harness, origin: string) {
  const jar = new Map<string, { name: string; value: string; path: string }>();
  const cookieHeader = (url: string) =>
    [...jar.values()]
      .filter((c) => url.split('?')[0]!.startsWith(c.path))
      .map((c) => `${c.name}=${encodeURIComponent(c.value)}`)
      .join('; ');
  const remember = (response: LightMyRequestResponse) => {
    for (const c of response.cookies as { name: string; value: string; path?: string; maxAge?: number }[]) {
      const key = `${c.name} ${c.path ?? '/'}`;
      if (c.value === '' || c.maxAge === 0) jar.delete(key);
      else jar.set(key, { name: c.name, value: c.value, path: c.path ?? '/' });
    }
    return response;
  };
  return {
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
type Client = ReturnType<typeof browser>;

/** The options a passkey form carries (`data-options`), as the script reads them. */
function optionsIn(html: string) {
  const attribute = /data-options="([^"]*)"/.exec(html);
  if (!attribute) throw new Error('no passkey options on the page');
  const json = attribute[1]!
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
  return JSON.parse(json);
}

async function signIn(tab: Client, login: string) {
  await tab.get('/login');
  return tab.post('/login', { login, password: PASSWORD });
}

/** What "Use your passkey" on the second step asks for each time it is pressed: fresh options. */
async function secondStepOptions(tab: Client) {
  const response = await tab.post('/login/mfa/options', {});
  expect(response.statusCode).toBe(200);
  expect(response.headers['cache-control']).toBe('no-store');
  return response.json().options;
}

describe('passkeys in the console forms (issue 22)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite', { config: { publicUrl: ORIGIN } });
  });
  afterAll(async () => h.close());

  /** Adds a passkey through the console's forms: the name, the page with the options, the answer. */
  async function addPasskey(tab: Client, authenticator: ReturnType<typeof createSoftAuthenticator>, name: string) {
    await tab.get('/account/security/devices');
    const page = await tab.post('/account/security/devices/passkey', { name });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<script src="/assets/webauthn.js" defer>');
    const enrollmentId = /name="enrollmentId" value="([^"]+)"/.exec(page.body)![1]!;
    const credential = authenticator.register(optionsIn(page.body));
    return tab.post('/account/security/devices/passkey/activate', {
      enrollmentId,
      credential: JSON.stringify(credential),
    });
  }

  it('adds a passkey as the first device (recovery codes shown once), then signs in with it alone and as the second step', async () => {
    const user = await signupAndLogin(h);
    const authenticator = createSoftAuthenticator({ origin: ORIGIN });
    const tab = browser(h, ORIGIN);
    expect((await signIn(tab, user.email)).headers.location).toBe('/overview');
    const added = await addPasskey(tab, authenticator, 'Laptop');
    // The first device: the recovery codes, shown this once, then the devices page.
    expect(added.statusCode).toBe(200);
    expect(added.body).toContain('data-testid="recovery-codes-page"');
    expect(added.body).toContain('/account/security/devices');
    const devices = await tab.get('/account/security/devices?notice=passkey-added');
    expect(devices.body).toContain('The passkey is added');
    // Without JavaScript, "Add passkey" says beside it that the next step needs it.
    expect(devices.body).toContain('Adding a passkey needs JavaScript');
    // The passkey page: a note that says what works (no app code), and a Cancel.
    const registering = await tab.post('/account/security/devices/passkey', {});
    expect(registering.body).toContain('data-testid="webauthn-note"');
    expect(registering.body).not.toContain('use a code from your authenticator app');
    expect(registering.body).toContain('<a href="/account/security/devices">Cancel</a>');

    // A passkey only: no code unbind on the security page or the overview, the card names the passkey.
    for (const url of ['/account/security', '/overview']) {
      const body = (await tab.get(url)).body;
      expect(body, url).not.toContain('href="/account/security/mfa/unbind"');
      expect(body, url).toContain('Your passkey (fingerprint, face');
      expect(body, url).not.toContain('A 6-digit dynamic code from an authenticator app');
    }
    const unbind = await tab.get('/account/security/mfa/unbind');
    expect(unbind.statusCode).toBe(200);
    expect(unbind.body).toContain('data-testid="unbind-passkey-only"');
    expect(unbind.body).toContain('href="/account/security/devices"');
    expect(unbind.body).not.toContain('name="code"');
    // A code posted anyway: the refusal is shown, not swallowed.
    const posted = await tab.post('/account/security/mfa/unbind', { code: '123456' });
    expect(posted.statusCode).not.toBe(303);
    expect(posted.body).toContain('data-testid="unbind-passkey-only"');
    expect(posted.body).toContain('alert');
    // Removing the only device: the confirmation speaks of the passkey, not of codes.
    const laptop = /action="\/account\/security\/devices\/([^/]+)\/remove"/.exec(devices.body)![1]!;
    const confirm = await tab.post(`/account/security/devices/${laptop}/remove`, {});
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).not.toContain('its codes (or the passkey)');
    expect(devices.body).toContain('Laptop');
    expect(devices.body).toContain('data-testid="device-type">Passkey<');
    // A name goes into mails and the audit log: the console takes what the API takes, no control characters.
    const bidi = await tab.post(`/account/security/devices/${laptop}/rename`, { name: 'Laptop\u202e' });
    expect(bidi.statusCode).toBe(303);
    const refusedName = (await tab.get('/account/security/devices')).body;
    expect(refusedName).toContain('class="alert');
    expect(refusedName).not.toContain('Laptop\u202e');
    // …and a name with any letters at all is fine (the rule needs Unicode property escapes).
    expect(
      (await tab.post(`/account/security/devices/${laptop}/rename`, { name: 'Laptop {Pc}' })).headers.location,
    ).toBe('/account/security/devices?notice=renamed');
    expect((await tab.post(`/account/security/devices/${laptop}/rename`, { name: 'Laptop' })).headers.location).toBe(
      '/account/security/devices?notice=renamed',
    );

    // Passwordless: the options come as JSON to a CSRF-checked POST, the answer as a form.
    const fresh = browser(h, ORIGIN);
    const login = await fresh.get('/login');
    expect(login.body).toContain('autocomplete="username webauthn"');
    expect(login.body).toContain('data-options-url="/login/passkey/options"');
    const refused = await h.app.inject({
      method: 'POST',
      url: '/login/passkey/options',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '_csrf=forged',
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toContain('out of date');
    const options = await fresh.post('/login/passkey/options', {});
    expect(options.statusCode).toBe(200);
    expect(options.headers['cache-control']).toBe('no-store');
    const { challengeId, options: request } = options.json();
    const signedIn = await fresh.post('/login/passkey', {
      challengeId,
      credential: JSON.stringify(authenticator.authenticate(request)),
    });
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/overview');
    expect((await fresh.get('/overview')).statusCode).toBe(200);

    // The same answer again (a replay): refused, in the passkey's own words.
    const again = browser(h, ORIGIN);
    await again.get('/login');
    const replay = await again.post('/login/passkey', {
      challengeId,
      credential: JSON.stringify(authenticator.authenticate(request)),
    });
    expect(replay.headers.location).toBe('/login');
    expect((await again.get('/login')).body).toContain('That passkey did not sign you in');

    // Password, then the passkey: the page asks for its options when the button is pressed.
    const second = browser(h, ORIGIN);
    expect((await signIn(second, user.email)).headers.location).toBe('/login/mfa');
    const step = await second.get('/login/mfa');
    expect(step.body).toContain('data-testid="use-passkey"');
    expect(step.body).toContain('data-options-url="/login/mfa/options"');
    expect(step.body).not.toContain('data-options="');
    const forged = await h.app.inject({
      method: 'POST',
      url: '/login/mfa/options',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '_csrf=forged',
    });
    expect(forged.statusCode).toBe(403);
    // A passkey only: no code field, the recovery code as before, a note for browsers without script
    // that says what this sign-in needs and what else works (no app code), and the lost-device link.
    expect(step.body).not.toContain('name="code"');
    expect(step.body).toContain('Passkeys need JavaScript');
    expect(step.body).toContain('this sign-in needs a browser with JavaScript');
    expect(step.body).not.toContain('use a code from your authenticator app');
    expect(step.body).toContain('<h1>Use your passkey</h1>');
    expect(step.body).toContain('data-testid="use-recovery-code"');
    expect(step.body).toContain('data-testid="unbind-mfa"');
    expect(step.body).toContain('href="/login"');
    const malformed = await second.post('/login/mfa', { method: 'webauthn', credential: '{"id":' });
    expect(malformed.headers.location).toBe('/login/mfa');
    expect((await second.get('/login/mfa')).body).toContain('The passkey did not answer');
    const done = await second.post('/login/mfa', {
      method: 'webauthn',
      credential: JSON.stringify(authenticator.authenticate(await secondStepOptions(second))),
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/overview');
    // The login is used: no more options for it (the challenge cookie went with it).
    const over = await second.post('/login/mfa/options', {});
    expect(over.statusCode).toBe(410);
    expect(over.json().message).toContain('Start over with your password');
  });

  it('a refused passkey at the second step can be tried again on the same pending login, and a code still works', async () => {
    const user = await signupAndLogin(h);
    const device = await bindDevice(h, user.token);
    const tab = browser(h, ORIGIN);
    expect((await signIn(tab, user.email)).headers.location).toBe('/login/mfa');
    const page = await tab.get('/login/mfa');
    // An app only: no passkey offered, no passkey script, and no options to ask for.
    expect(page.body).not.toContain('use-passkey');
    expect(page.body).not.toContain('/assets/webauthn.js');
    const none = await tab.post('/login/mfa/options', {});
    expect(none.statusCode).toBe(404);
    expect(none.json().message).toContain('No passkey is registered');
    expect((await tab.post('/login/mfa', { code: referenceTotp(device.secret, h.clock.now()) })).headers.location).toBe(
      '/overview',
    );
    // A second device, a passkey (the login counts as a step-up).
    const authenticator = createSoftAuthenticator({ origin: ORIGIN });
    expect((await addPasskey(tab, authenticator, 'Key')).headers.location).toBe(
      '/account/security/devices?notice=passkey-added',
    );
    // A passkey's pending registration sent to the app's activation: refused like any unknown one.
    const pending = await tab.post('/account/security/devices/passkey', {});
    const passkeyEnrollment = /name="enrollmentId" value="([^"]+)"/.exec(pending.body)![1]!;
    const crossed = await tab.post('/account/security/devices/app/activate', {
      enrollmentId: passkeyEnrollment,
      code1: '123456',
      code2: '654321',
    });
    expect(crossed.statusCode).toBe(303);
    expect(crossed.headers.location).toBe('/account/security/devices');
    expect((await tab.get('/account/security/devices')).body).toContain('not found');
    // The singular unbind sends a person with several devices to the list.
    expect((await tab.get('/account/security/mfa/unbind')).headers.location).toBe(
      '/account/security/devices?notice=several-devices',
    );

    const other = browser(h, ORIGIN);
    await signIn(other, user.email);
    const step = await other.get('/login/mfa');
    expect(step.body).toContain('data-testid="use-passkey"');
    expect(step.body).toContain('name="code"');
    // An answer for the wrong origin: refused, one try spent.
    const wrong = authenticator.authenticate(await secondStepOptions(other), { origin: 'http://evil.test' });
    const refused = await other.post('/login/mfa', { method: 'webauthn', credential: JSON.stringify(wrong) });
    expect(refused.headers.location).toBe('/login/mfa');
    const after = await other.get('/login/mfa');
    expect(after.body).toContain('could not be verified');
    expect(after.body).toContain('4 tries left for this login');
    // The passkey is still offered: pressing it again asks for fresh options.
    expect(after.body).toContain('data-testid="use-passkey"');
    expect(after.body).not.toContain('start over.');
    // Asked twice (a cancelled ceremony, then another press): the later options replace the earlier.
    const cancelled = await secondStepOptions(other);
    const fresh = await secondStepOptions(other);
    expect(fresh.challenge).not.toBe(cancelled.challenge);
    const stale = await other.post('/login/mfa', {
      method: 'webauthn',
      credential: JSON.stringify(authenticator.authenticate(cancelled)),
    });
    expect(stale.headers.location).toBe('/login/mfa');
    expect((await other.get('/login/mfa')).body).toContain('3 tries left for this login');
    // The second try with the right passkey on the same pending login: signed in.
    const retried = await other.post('/login/mfa', {
      method: 'webauthn',
      credential: JSON.stringify(authenticator.authenticate(fresh)),
    });
    expect(retried.statusCode).toBe(303);
    expect(retried.headers.location).toBe('/overview');
    expect((await other.get('/overview')).statusCode).toBe(200);

    // After a refused passkey, a code works as well.
    const third = browser(h, ORIGIN);
    await signIn(third, user.email);
    const wrongAgain = authenticator.authenticate(await secondStepOptions(third), { origin: 'http://evil.test' });
    await third.post('/login/mfa', { method: 'webauthn', credential: JSON.stringify(wrongAgain) });
    expect((await third.get('/login/mfa')).body).toContain('could not be verified');
    h.clock.nextStep();
    const code = await third.post('/login/mfa', { code: referenceTotp(device.secret, h.clock.now()) });
    expect(code.headers.location).toBe('/overview');
  });

  it('a workspace that will require a passkey: a banner before its deadline for a member with only an app', async () => {
    const owner = await primaryAccount(h);
    const appOnly = await createSubUser(h, owner.token, owner.alias);
    const keyed = await createSubUser(h, owner.token, owner.alias);
    const appDevice = await bindDevice(h, (await loginAs(h, appOnly.login)).body.session.token as string);
    // The other member adds a passkey in the console (its first device).
    const keyedTab = browser(h, ORIGIN);
    const keyedKey = createSoftAuthenticator({ origin: ORIGIN });
    expect((await signIn(keyedTab, keyed.login)).headers.location).toBe('/overview');
    expect((await addPasskey(keyedTab, keyedKey, 'Laptop')).statusCode).toBe(200);

    const workspace = (
      await call(h.app, 'POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'Payments' } })
    ).body.workspace.id as string;
    for (const member of [appOnly, keyed])
      await call(h.app, 'POST', `/api/v1/workspaces/${workspace}/members`, {
        token: owner.token,
        body: { userId: member.id, role: 'member' },
      });
    // Phishing-resistant MFA required since now, with 14 days of grace.
    const since = h.clock.now();
    await h.database.db
      .updateTable('workspaces')
      .set({
        mfa_required: 1,
        policy_since: since,
        phishing_resistant: 1,
        phishing_resistant_since: since,
        grace_days: 14,
      })
      .where('id', '=', workspace)
      .execute();
    const deadline = new Date(since + 14 * 86_400_000).toISOString();

    // The member with an app signs in with a code as before, and is told on the overview and the
    // Security Settings when the passkey becomes necessary, with the way to add one.
    const tab = browser(h, ORIGIN);
    expect((await signIn(tab, appOnly.login)).headers.location).toBe('/login/mfa');
    h.clock.nextStep();
    expect(
      (await tab.post('/login/mfa', { code: referenceTotp(appDevice.secret, h.clock.now()) })).headers.location,
    ).toBe('/overview');
    for (const url of ['/overview', '/account/security']) {
      const body = (await tab.get(url)).body;
      expect(body, url).toContain('data-testid="passkey-banner"');
      expect(body, url).toMatch(
        new RegExp(
          `The workspace Payments requires a passkey from <time datetime="${deadline}">[^<]+</time>: add one under <a href="/account/security/devices">MFA devices</a>`,
        ),
      );
    }

    // The member with a passkey sees no such banner.
    const keyedLogin = browser(h, ORIGIN);
    expect((await signIn(keyedLogin, keyed.login)).headers.location).toBe('/login/mfa');
    const signedIn = await keyedLogin.post('/login/mfa', {
      method: 'webauthn',
      credential: JSON.stringify(keyedKey.authenticate(await secondStepOptions(keyedLogin))),
    });
    expect(signedIn.headers.location).toBe('/overview');
    for (const url of ['/overview', '/account/security']) {
      const page = await keyedLogin.get(url);
      expect(page.statusCode).toBe(200);
      expect(page.body, url).not.toContain('passkey-banner');
    }

    // The workspace's passkey step for the member with only an app: nothing to press, but a way on and a Cancel.
    const verify = await tab.get(`/workspaces/${workspace}/verify?with=passkey`);
    expect(verify.statusCode).toBe(200);
    expect(verify.body).toContain('data-testid="no-passkey"');
    expect(verify.body).toContain('data-testid="step-up-cancel"');
    expect(verify.body).toContain('href="/workspaces"');
    // The keyed member's passkey step: the note says what works without JavaScript, and a Cancel.
    const keyedVerify = await keyedLogin.get(`/workspaces/${workspace}/verify?with=passkey`);
    expect(keyedVerify.body).toContain('data-testid="step-up-passkey"');
    expect(keyedVerify.body).toContain('data-testid="webauthn-note"');
    expect(keyedVerify.body).not.toContain('use a code from your authenticator app');
    expect(keyedVerify.body).toContain('data-testid="step-up-cancel"');
    // Removing the keyed member's only passkey names the workspace that requires one.
    const keyedDevices = await keyedLogin.get('/account/security/devices');
    const keyId = /action="\/account\/security\/devices\/([^/]+)\/remove"/.exec(keyedDevices.body)![1]!;
    const removing = await keyedLogin.post(`/account/security/devices/${keyId}/remove`, {});
    expect(removing.body).toContain('This is your only passkey, and the workspace Payments requires one');

    // Once the member with the app adds a passkey too, the banner goes.
    const memberKey = createSoftAuthenticator({ origin: ORIGIN });
    expect((await addPasskey(tab, memberKey, 'Key')).headers.location).toBe(
      '/account/security/devices?notice=passkey-added',
    );
    expect((await tab.get('/overview')).body).not.toContain('passkey-banner');

    // Past the grace period, a member with no device at all is taken to the passkey, never to an app.
    const bare = await createSubUser(h, owner.token, owner.alias);
    await call(h.app, 'POST', `/api/v1/workspaces/${workspace}/members`, {
      token: owner.token,
      body: { userId: bare.id, role: 'member' },
    });
    h.clock.advance(15 * 86_400_000);
    const bareTab = browser(h, ORIGIN);
    expect((await signIn(bareTab, bare.login)).headers.location).toBe('/account/security/mfa/bind');
    const home = await bareTab.get('/overview');
    expect(home.headers.location).toBe('/account/security/passkey-required');
    const bind = await bareTab.get('/account/security/mfa/bind');
    expect(bind.headers.location).toBe('/account/security/passkey-required');
    const bindPost = await bareTab.post('/account/security/mfa/bind', {});
    expect(bindPost.headers.location).toBe('/account/security/passkey-required');
    const required = await bareTab.get('/account/security/passkey-required');
    expect(required.statusCode).toBe(200);
    expect(required.body).toContain('The workspace Payments requires');
    expect(required.body).toContain('data-testid="add-passkey"');
    expect(required.body).not.toContain('Show the QR code');
    // It adds the passkey from there and is in.
    const bareKey = createSoftAuthenticator({ origin: ORIGIN });
    const page = await bareTab.post('/account/security/devices/passkey', { name: 'Key' });
    expect(page.body).toContain('<a href="/account/security/passkey-required">Cancel</a>');
    const enrollmentId = /name="enrollmentId" value="([^"]+)"/.exec(page.body)![1]!;
    const activated = await bareTab.post('/account/security/devices/passkey/activate', {
      enrollmentId,
      credential: JSON.stringify(bareKey.register(optionsIn(page.body))),
    });
    expect(activated.statusCode).toBe(200);
    expect(activated.body).toContain('data-testid="recovery-codes-page"');
    expect((await bareTab.get('/overview')).statusCode).toBe(200);
  });
});

describe('where passkeys cannot work, or passwordless is off', () => {
  let plain: Harness;
  let off: Harness;
  beforeAll(async () => {
    // The harness's own public URL, http://twofold.test: http, and not localhost.
    plain = await createHarness('sqlite');
    off = await createHarness('sqlite', { config: { publicUrl: ORIGIN, passwordless: false } });
  });
  afterAll(async () => {
    await plain.close();
    await off.close();
  });

  it('says why instead of offering a ceremony that would fail', async () => {
    const user = await signupAndLogin(plain);
    const tab = browser(plain, 'http://twofold.test');
    const login = await tab.get('/login');
    expect(login.body).not.toContain('passkey-sign-in');
    expect(login.body).toContain('autocomplete="username"');
    expect(login.body).not.toContain('/assets/webauthn.js');
    await tab.post('/login', { login: user.email, password: PASSWORD });
    const devices = await tab.get('/account/security/devices');
    expect(devices.body).toContain('data-testid="passkeys-unavailable"');
    expect(devices.body).toContain('Passkeys need https');
    // A hand-made post gets the same reason on the devices page.
    const started = await tab.post('/account/security/devices/passkey', {});
    expect(started.headers.location).toBe('/account/security/devices');
    expect((await tab.get('/account/security/devices')).body).toContain('browsers allow WebAuthn only on https');
    // The script and the library are served from our origin, cached, as JavaScript.
    const library = await tab.get('/assets/webauthn.js');
    expect(library.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(library.headers['cache-control']).toBe('public, max-age=3600');
    expect(library.body).toContain('SimpleWebAuthnBrowser');
    expect((await tab.get('/assets/passkeys.js')).body).toContain('startAuthentication');
  });

  it('TWOFOLD_PASSWORDLESS=0: no "Sign in with a passkey", and its endpoints answer 404', async () => {
    const tab = browser(off, ORIGIN);
    const login = await tab.get('/login');
    expect(login.body).not.toContain('passkey-sign-in');
    const options = await tab.post('/login/passkey/options', {});
    expect(options.statusCode).toBe(404);
    expect(options.json().message).toBeTypeOf('string');
  });
});
