import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  PASSWORD,
  bindDevice,
  call,
  createHarness,
  createSubUser,
  databaseKinds,
  loginAs,
  openInstancePair,
  primaryAccount,
  type Harness,
} from './helpers/harness.js';
import { isWellFormedApiToken } from '../src/crypto/api-token.js';

const DAY = 24 * 3600_000;

async function createToken(h: Harness, session: string, scopes: string[], expiresInDays = 30, name = 'HR sync') {
  const res = await call(h.app, 'POST', '/api/v1/api-tokens', {
    token: session,
    body: { name, scopes, expiresInDays },
  });
  if (res.status !== 201) throw new Error(`create token: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.token.id as string, secret: res.body.secret as string };
}

/** The subjects of the mail `to` got, without the issuer's prefix. */
async function mail(h: Harness, to: string) {
  return (await h.services.outbox(to)).map((m) => m.subject.replace(/^twofold test: /, ''));
}

describe.each(databaseKinds())('API tokens on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  describe('creating, listing and revoking', () => {
    it('shows the secret once in the tfk_ format, lists the token without it, e-mails and audits its creation', async () => {
      const primary = await primaryAccount(h);
      const created = await call(h.app, 'POST', '/api/v1/api-tokens', {
        token: primary.token,
        body: { name: ' HR sync ', scopes: ['users:write', 'users:read'], expiresInDays: 90 },
      });
      expect(created.status).toBe(201);
      expect(created.headers['cache-control']).toBe('no-store');
      const secret = created.body.secret as string;
      expect(secret).toMatch(/^tfk_[0-9A-Za-z]{46}$/);
      expect(isWellFormedApiToken(secret)).toBe(true);
      expect(created.body.token).toMatchObject({ name: 'HR sync', scopes: ['users:read', 'users:write'] });
      expect(Date.parse(created.body.token.expiresAt) - h.clock.now()).toBe(90 * DAY);

      const listed = await call(h.app, 'GET', '/api/v1/api-tokens', { token: primary.token });
      expect(listed.status).toBe(200);
      expect(listed.body.tokens).toEqual([
        expect.objectContaining({ id: created.body.token.id, name: 'HR sync', lastUsedAt: null }),
      ]);
      expect(JSON.stringify(listed.body)).not.toContain(secret);
      expect(JSON.stringify(listed.body)).not.toContain(secret.slice(4, 20));
      expect(await mail(h, primary.email)).toContain('An API token was created: HR sync');
      const audit = await call(h.app, 'GET', '/api/v1/audit-events?type=api_token.created', { token: primary.token });
      expect(audit.body.events[0].details).toMatchObject({ tokenId: created.body.token.id, name: 'HR sync' });
      expect(JSON.stringify(audit.body)).not.toContain(secret);
    });

    it('needs a fresh step-up, valid scopes and 1–365 days, and refuses plain sub-users', async () => {
      const primary = await primaryAccount(h);
      for (const body of [
        { name: 'x', scopes: ['users:read'], expiresInDays: 0 },
        { name: 'x', scopes: ['users:read'], expiresInDays: 366 },
        { name: 'x', scopes: [], expiresInDays: 30 },
        { name: 'x', scopes: ['users:admin'], expiresInDays: 30 },
        { name: 'x', scopes: ['users:read', 'users:read'], expiresInDays: 30 },
        { name: '', scopes: ['users:read'], expiresInDays: 30 },
        { name: 'x', scopes: ['users:read'] },
      ]) {
        const res = await call(h.app, 'POST', '/api/v1/api-tokens', { token: primary.token, body });
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.code).toBe('validation.failed');
      }
      const plain = await createSubUser(h, primary.token, primary.alias);
      const plainSession = (await loginAs(h, plain.login)).body.session.token as string;
      const refused = await call(h.app, 'POST', '/api/v1/api-tokens', {
        token: plainSession,
        body: { name: 'mine', scopes: ['users:read'], expiresInDays: 30 },
      });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('auth.forbidden');
      expect((await call(h.app, 'GET', '/api/v1/api-tokens', { token: plainSession })).body.error.code).toBe(
        'auth.forbidden',
      );

      h.clock.advance(301_000);
      const stale = await call(h.app, 'POST', '/api/v1/api-tokens', {
        token: primary.token,
        body: { name: 'late', scopes: ['users:read'], expiresInDays: 30 },
      });
      expect(stale.status).toBe(401);
      expect(stale.body.error).toMatchObject({ code: 'auth.step_up_required', operation: 'api_tokens.create' });
      expect((await call(h.app, 'GET', '/api/v1/api-tokens', { token: primary.token })).body.tokens).toEqual([]);
    });

    it('revokes: the token stops at once; unknown and other people’s tokens are 404 token.not_found', async () => {
      const primary = await primaryAccount(h);
      const other = await primaryAccount(h);
      const token = await createToken(h, primary.token, ['users:read']);
      expect((await call(h.app, 'GET', '/api/v1/users', { token: token.secret })).status).toBe(200);

      const foreign = await call(h.app, 'DELETE', `/api/v1/api-tokens/${token.id}`, { token: other.token });
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe('token.not_found');
      expect((await call(h.app, 'DELETE', '/api/v1/api-tokens/nope', { token: primary.token })).body.error.code).toBe(
        'token.not_found',
      );

      expect((await call(h.app, 'DELETE', `/api/v1/api-tokens/${token.id}`, { token: primary.token })).status).toBe(
        204,
      );
      const after = await call(h.app, 'GET', '/api/v1/users', { token: token.secret });
      expect(after.status).toBe(401);
      expect(after.body.error.code).toBe('auth.unauthenticated');
      expect((await call(h.app, 'DELETE', `/api/v1/api-tokens/${token.id}`, { token: primary.token })).status).toBe(
        404,
      );
      const audit = await call(h.app, 'GET', '/api/v1/audit-events?type=api_token.revoked', { token: primary.token });
      expect(audit.body.events).toHaveLength(1);
    });
  });

  describe('what a token may do', () => {
    it('reads sub-users with users:read, and nothing its scopes do not name (403 token.scope)', async () => {
      const primary = await primaryAccount(h);
      const sub = await createSubUser(h, primary.token, primary.alias);
      const { secret } = await createToken(h, primary.token, ['users:read']);
      const users = await call(h.app, 'GET', '/api/v1/users', { token: secret });
      expect(users.status).toBe(200);
      expect(users.body.users.map((u: { id: string }) => u.id)).toEqual([sub.id]);
      expect((await call(h.app, 'GET', `/api/v1/users/${sub.id}`, { token: secret })).status).toBe(200);

      const refused: [string, string, unknown?][] = [
        ['POST', '/api/v1/users', { username: 'newbie', password: PASSWORD }],
        ['GET', '/api/v1/audit-events'],
        ['GET', '/api/v1/workspaces'],
        ['DELETE', `/api/v1/users/${sub.id}/mfa-device`, { reason: 'lost phone' }],
        // No scope covers these: a token never steps up, touches its owner, devices, tokens or support.
        ['GET', '/api/v1/me'],
        ['POST', '/api/v1/me/step-up', { method: 'password', password: PASSWORD }],
        ['PATCH', '/api/v1/me', { password: 'another long password' }],
        ['POST', '/api/v1/me/mfa-device'],
        ['POST', `/api/v1/users/${sub.id}/mfa-device`],
        ['POST', `/api/v1/users/${sub.id}/password-reset`],
        ['POST', '/api/v1/api-tokens', { name: 'child', scopes: ['users:read'], expiresInDays: 1 }],
        ['GET', '/api/v1/api-tokens'],
        ['GET', '/api/v1/support/recovery-tickets'],
        ['DELETE', '/api/v1/me/sessions'],
      ];
      for (const [method, url, body] of refused) {
        const res = await call(h.app, method, url, { token: secret, ...(body !== undefined ? { body } : {}) });
        expect(res.status, `${method} ${url}`).toBe(403);
        expect(res.body.error.code, `${method} ${url}`).toBe('token.scope');
      }
      // Nothing was made meanwhile.
      expect((await call(h.app, 'GET', '/api/v1/api-tokens', { token: primary.token })).body.tokens).toHaveLength(1);
      expect((await call(h.app, 'GET', '/api/v1/users', { token: primary.token })).body.users).toHaveLength(1);
    });

    it('manages sub-users with users:write without a step-up, but never their password, email, phone or roles', async () => {
      const primary = await primaryAccount(h);
      const { secret } = await createToken(h, primary.token, ['users:write', 'users:read']);
      h.clock.advance(3600_000); // long past the owner's step-up: the token needs none
      const created = await call(h.app, 'POST', '/api/v1/users', {
        token: secret,
        body: { username: 'hr.sync', password: PASSWORD, displayName: 'From HR', email: 'hr.sync@example.com' },
      });
      expect(created.status).toBe(201);
      const id = created.body.user.id as string;
      const renamed = await call(h.app, 'PATCH', `/api/v1/users/${id}`, {
        token: secret,
        body: { displayName: 'Renamed', disabled: true, mfaRequired: true },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.user).toMatchObject({ displayName: 'Renamed', mfaRequired: true });
      for (const body of [
        { password: 'another long password' },
        { email: 'elsewhere@example.com' },
        { phone: '+4915112345678' },
        { roles: ['user-admin'] },
        { displayName: 'ok', email: 'sneaky@example.com' },
      ]) {
        const res = await call(h.app, 'PATCH', `/api/v1/users/${id}`, { token: secret, body });
        expect(res.status, JSON.stringify(body)).toBe(403);
        expect(res.body.error.code).toBe('token.scope');
      }
      const user = await call(h.app, 'GET', `/api/v1/users/${id}`, { token: secret });
      expect(user.body.user).toMatchObject({ displayName: 'Renamed', email: 'hr.sync@example.com', roles: [] });
      expect((await call(h.app, 'DELETE', `/api/v1/users/${id}`, { token: secret })).status).toBe(204);
    });

    it('resets a sub-user’s MFA with mfa:reset only with a reason; the audit log names the token as the actor', async () => {
      const primary = await primaryAccount(h);
      const sub = await createSubUser(h, primary.token, primary.alias, { email: 'lost.phone@example.com' });
      const subSession = (await loginAs(h, sub.login)).body.session.token as string;
      await bindDevice(h, subSession);
      const { id, secret } = await createToken(h, primary.token, ['mfa:reset'], 30, 'Helpdesk bot');
      h.clock.advance(3600_000);

      const bare = await call(h.app, 'DELETE', `/api/v1/users/${sub.id}/mfa-device`, { token: secret });
      expect(bare.status).toBe(400);
      expect(bare.body.error.code).toBe('validation.failed');
      const blank = await call(h.app, 'DELETE', `/api/v1/users/${sub.id}/mfa-device`, {
        token: secret,
        body: { reason: '   ' },
      });
      expect(blank.status).toBe(400);

      const reset = await call(h.app, 'DELETE', `/api/v1/users/${sub.id}/mfa-device`, {
        token: secret,
        body: { reason: 'Ticket 4711: phone lost' },
      });
      expect(reset.status).toBe(204);
      // The owner reads its audit log with its own session and sees the token as the actor.
      const relogin = await call(h.app, 'POST', '/api/v1/sessions', {
        body: { login: primary.email, password: PASSWORD },
      });
      const audit = await call(h.app, 'GET', '/api/v1/audit-events?type=mfa.reset_by_admin', {
        token: relogin.body.session.token,
      });
      expect(audit.body.events).toHaveLength(1);
      expect(audit.body.events[0]).toMatchObject({
        userId: sub.id,
        actor: 'api_token',
        actorId: primary.userId,
        details: { apiTokenId: id, apiTokenName: 'Helpdesk bot', reason: 'Ticket 4711: phone lost' },
      });
      expect(await mail(h, 'lost.phone@example.com')).toContain(
        'Your virtual MFA device was reset by an administrator',
      );
    });

    it('reads and manages workspaces with workspaces:read and workspaces:write, and the audit log with audit:read', async () => {
      const primary = await primaryAccount(h);
      // Requiring MFA of members takes an owner with a device of its own (decision 010).
      const session = (await bindDevice(h, primary.token)).token;
      const reader = await createToken(h, session, ['workspaces:read', 'audit:read']);
      const writer = await createToken(h, session, ['workspaces:write', 'workspaces:read']);
      const refused = await call(h.app, 'POST', '/api/v1/workspaces', { token: reader.secret, body: { name: 'Ops' } });
      expect(refused.body.error.code).toBe('token.scope');
      const created = await call(h.app, 'POST', '/api/v1/workspaces', { token: writer.secret, body: { name: 'Ops' } });
      expect(created.status).toBe(201);
      const workspaceId = created.body.workspace.id as string;
      const policy = await call(h.app, 'PATCH', `/api/v1/workspaces/${workspaceId}`, {
        token: writer.secret,
        body: { mfaRequired: true, graceDays: 3 },
      });
      expect(policy.status).toBe(200);
      const listed = await call(h.app, 'GET', '/api/v1/workspaces', { token: reader.secret });
      expect(listed.body.workspaces.map((w: { id: string }) => w.id)).toContain(workspaceId);
      const events = await call(h.app, 'GET', '/api/v1/audit-events?type=workspace.policy_changed', {
        token: reader.secret,
      });
      expect(events.status).toBe(200);
      expect(events.body.events[0]).toMatchObject({ actor: 'api_token', details: { apiTokenId: writer.id } });
      expect((await call(h.app, 'DELETE', `/api/v1/workspaces/${workspaceId}`, { token: writer.secret })).status).toBe(
        204,
      );
    });

    it('lets a user administrator own tokens within its own rights, and see what they did', async () => {
      const primary = await primaryAccount(h);
      const admin = await createSubUser(h, primary.token, primary.alias);
      await call(h.app, 'PATCH', `/api/v1/users/${admin.id}`, {
        token: primary.token,
        body: { roles: ['user-admin'] },
      });
      const adminSession = (await loginAs(h, admin.login)).body.session.token as string;
      const { secret } = await createToken(h, adminSession, ['users:write', 'users:read', 'audit:read']);
      const created = await call(h.app, 'POST', '/api/v1/users', {
        token: secret,
        body: { username: 'by.admin.token', password: PASSWORD },
      });
      expect(created.status).toBe(201);
      // An administrator's token manages neither itself nor the primary account.
      const self = await call(h.app, 'PATCH', `/api/v1/users/${admin.id}`, {
        token: secret,
        body: { displayName: 'Me' },
      });
      expect(self.status).toBe(403);
      expect(self.body.error.code).toBe('auth.forbidden');
      const audit = await call(h.app, 'GET', '/api/v1/audit-events?type=user.created', { token: secret });
      expect(audit.body.events.map((e: { userId: string }) => e.userId)).toContain(created.body.user.id);
    });
  });

  it('keeps at most 25 working tokens per user (409 token.too_many); a revoked one makes room', async () => {
    const primary = await primaryAccount(h);
    const ids: string[] = [];
    for (let i = 0; i < 25; i += 1) ids.push((await createToken(h, primary.token, ['users:read'], 30, `t${i}`)).id);
    const over = await call(h.app, 'POST', '/api/v1/api-tokens', {
      token: primary.token,
      body: { name: 'one more', scopes: ['users:read'], expiresInDays: 30 },
    });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('token.too_many');
    await call(h.app, 'DELETE', `/api/v1/api-tokens/${ids[0]}`, { token: primary.token });
    expect((await createToken(h, primary.token, ['users:read'], 30, 'room')).id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('says in the OpenAPI description which scope each operation takes', async () => {
    const spec = (await call(h.app, 'GET', '/api/v1/openapi.json')).body;
    expect(spec.paths['/api/v1/users'].get.description).toContain('`users:read`');
    expect(spec.paths['/api/v1/users/{id}/mfa-device'].delete.description).toContain('`mfa:reset`');
    expect(spec.paths['/api/v1/me'].get.description ?? '').not.toContain('scope');
  });

  describe('refusals and endings', () => {
    it('refuses a malformed token before any database read, and an unknown one after', async () => {
      const primary = await primaryAccount(h);
      const { secret } = await createToken(h, primary.token, ['users:read']);
      const lookup = vi.spyOn(h.services.store.repos.apiTokens, 'findBySecretHash');
      const flipped = `${secret.slice(0, 10)}${secret[10] === 'a' ? 'b' : 'a'}${secret.slice(11)}`;
      for (const bad of [flipped, `${secret}x`, 'tfk_short', `${secret.slice(0, -1)}!`]) {
        const res = await call(h.app, 'GET', '/api/v1/users', { token: bad });
        expect(res.status, bad).toBe(401);
        expect(res.body.error.code).toBe('auth.unauthenticated');
        expect(res.body.error.message).toMatch(/malformed/);
      }
      expect(lookup).not.toHaveBeenCalled();
      // Well-formed but never issued: read, then refused.
      const { newApiTokenSecret } = await import('../src/crypto/api-token.js');
      const stranger = newApiTokenSecret((n) => Buffer.alloc(n, 7));
      const unknown = await call(h.app, 'GET', '/api/v1/users', { token: stranger });
      expect(unknown.status).toBe(401);
      expect(lookup).toHaveBeenCalledTimes(1);
      lookup.mockRestore();
      // Public routes ignore a token, like a session.
      expect((await call(h.app, 'GET', '/healthz', { token: flipped })).status).toBe(200);
    });

    it('stops at its expiry, after telling the owner once, 7 days ahead', async () => {
      const primary = await primaryAccount(h);
      const { secret } = await createToken(h, primary.token, ['users:read'], 10, 'Short lived');
      // A token that lives 7 days or less was announced with its end: no reminder follows at once.
      await createToken(h, primary.token, ['users:read'], 7, 'One week');
      expect(await h.services.apiTokens.remindExpiring()).toBe(0);
      h.clock.advance(3 * DAY + 60_000);
      expect(await h.services.apiTokens.remindExpiring()).toBeGreaterThanOrEqual(1);
      expect(await h.services.apiTokens.remindExpiring()).toBe(0);
      const subjects = await mail(h, primary.email);
      expect(subjects.filter((s) => s.startsWith('Your API token "Short lived" stops working'))).toHaveLength(1);
      expect(subjects.filter((s) => s.startsWith('Your API token "One week"'))).toHaveLength(0);
      const used = await call(h.app, 'GET', '/api/v1/users', { token: secret });
      expect(used.status).toBe(200);
      const listed = await call(h.app, 'POST', '/api/v1/sessions', {
        body: { login: primary.email, password: PASSWORD },
      });
      const tokens = await call(h.app, 'GET', '/api/v1/api-tokens', { token: listed.body.session.token });
      const byName = (name: string) => tokens.body.tokens.find((t: { name: string }) => t.name === name);
      expect(byName('Short lived').lastUsedAt).not.toBeNull();
      expect(byName('One week').lastUsedAt).toBeNull();
      h.clock.advance(7 * DAY);
      const late = await call(h.app, 'GET', '/api/v1/users', { token: secret });
      expect(late.status).toBe(401);
      expect(late.body.error.code).toBe('auth.unauthenticated');
    });

    it('ends when its owner is disabled, loses the role, has its MFA reset or gets a new password', async () => {
      const primary = await primaryAccount(h);
      const admins = [];
      for (let i = 0; i < 4; i += 1) {
        const admin = await createSubUser(h, primary.token, primary.alias);
        await call(h.app, 'PATCH', `/api/v1/users/${admin.id}`, {
          token: primary.token,
          body: { roles: ['user-admin'] },
        });
        let session = (await loginAs(h, admin.login)).body.session.token as string;
        if (i === 2) session = (await bindDevice(h, session)).token; // the one whose MFA is reset
        admins.push({ ...admin, token: await createToken(h, session, ['users:read']) });
      }
      for (const admin of admins)
        expect((await call(h.app, 'GET', '/api/v1/users', { token: admin.token.secret })).status).toBe(200);
      const [disabled, demoted, reset, repassworded] = admins as [
        (typeof admins)[0],
        (typeof admins)[0],
        (typeof admins)[0],
        (typeof admins)[0],
      ];
      const fresh = (
        await call(h.app, 'POST', '/api/v1/sessions', { body: { login: primary.email, password: PASSWORD } })
      ).body.session.token as string;
      expect(
        (await call(h.app, 'PATCH', `/api/v1/users/${disabled.id}`, { token: fresh, body: { disabled: true } })).status,
      ).toBe(200);
      expect(
        (await call(h.app, 'PATCH', `/api/v1/users/${demoted.id}`, { token: fresh, body: { roles: [] } })).status,
      ).toBe(200);
      expect(
        (
          await call(h.app, 'DELETE', `/api/v1/users/${reset.id}/mfa-device`, {
            token: fresh,
            body: { reason: 'left' },
          })
        ).status,
      ).toBe(204);
      expect(
        (
          await call(h.app, 'PATCH', `/api/v1/users/${repassworded.id}`, {
            token: fresh,
            body: { password: 'a brand new password' },
          })
        ).status,
      ).toBe(200);
      for (const admin of admins) {
        const res = await call(h.app, 'GET', '/api/v1/users', { token: admin.token.secret });
        expect(res.status).toBe(401);
      }
      // Enabling the user again does not bring its token back.
      await call(h.app, 'PATCH', `/api/v1/users/${disabled.id}`, { token: fresh, body: { disabled: false } });
      expect((await call(h.app, 'GET', '/api/v1/users', { token: disabled.token.secret })).status).toBe(401);
    });
  });
});

describe.runIf(process.env.TWOFOLD_TEST_DATABASE_URL)('API tokens across two instances on PostgreSQL', () => {
  let pair: Awaited<ReturnType<typeof openInstancePair>>;
  beforeAll(async () => {
    pair = await openInstancePair();
  });
  afterAll(async () => pair.close());

  it('a token revoked on one instance is refused by the other at its next call', async () => {
    const { a, b } = pair;
    const primary = await primaryAccount(a);
    const { id, secret } = await createToken(a, primary.token, ['users:read']);
    // Warm both: the second instance has answered with this token before the revocation.
    expect((await call(b.app, 'GET', '/api/v1/users', { token: secret })).status).toBe(200);
    expect((await call(a.app, 'DELETE', `/api/v1/api-tokens/${id}`, { token: primary.token })).status).toBe(204);
    const refused = await call(b.app, 'GET', '/api/v1/users', { token: secret });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('auth.unauthenticated');
  });
});
