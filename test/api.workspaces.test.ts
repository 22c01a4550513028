import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bindDevice,
  call,
  createHarness,
  createSubUser,
  databaseKinds,
  loginAs,
  loginFull,
  primaryAccount,
  type Harness,
} from './helpers/harness.js';
import { referenceTotp } from './helpers/rfc6238.js';

describe.each(databaseKinds())('workspaces and mandatory MFA on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  /** An owner (primary account) with a workspace, and a plain member without a device. */
  async function workspaceWithMember(memberFields: Record<string, unknown> = {}) {
    const owner = { ...(await primaryAccount(h)) };
    // Requiring MFA from others needs one's own device, proved in this session (which binding rotates).
    const { secret: ownerSecret, token: rotated } = await bindDevice(h, owner.token);
    owner.token = rotated;
    const created = await call(h.app, 'POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'Research' } });
    expect(created.status).toBe(201);
    expect(created.body.workspace).toMatchObject({ name: 'Research', mfaRequired: false });
    const sub = await createSubUser(h, owner.token, owner.alias, {
      email: `member.${owner.alias}@example.com`,
      ...memberFields,
    });
    const added = await call(h.app, 'POST', `/api/v1/workspaces/${created.body.workspace.id}/members`, {
      token: owner.token,
      body: { userId: sub.id, role: 'member' },
    });
    expect(added.status).toBe(201);
    expect(added.body.member).toMatchObject({ userId: sub.id, role: 'member', mfa: { bound: false } });
    return { owner: { ...owner, secret: ownerSecret }, workspaceId: created.body.workspace.id as string, member: sub };
  }

  const policy = (token: string, id: string, body: Record<string, unknown>) =>
    call(h.app, 'PATCH', `/api/v1/workspaces/${id}`, { token, body });

  it('create, rename, list, members, and the rules on who may do what', async () => {
    const { owner, workspaceId, member } = await workspaceWithMember();
    expect((await policy(owner.token, workspaceId, { name: 'Research & Development' })).body.workspace.name).toBe(
      'Research & Development',
    );
    const memberToken = (await loginAs(h, member.login)).body.session.token;
    expect((await call(h.app, 'GET', '/api/v1/workspaces', { token: memberToken })).body.workspaces).toEqual([
      expect.objectContaining({ id: workspaceId, role: 'member' }),
    ]);
    expect((await call(h.app, 'GET', `/api/v1/workspaces/${workspaceId}`, { token: memberToken })).status).toBe(200);
    // A member may not manage; an outsider sees nothing.
    expect((await policy(memberToken, workspaceId, { name: 'Mine' })).status).toBe(403);
    expect((await call(h.app, 'GET', `/api/v1/workspaces/${workspaceId}/members`, { token: memberToken })).status).toBe(
      403,
    );
    const outsider = await primaryAccount(h);
    expect((await call(h.app, 'GET', `/api/v1/workspaces/${workspaceId}`, { token: outsider.token })).status).toBe(404);
    expect(
      (
        await call(h.app, 'POST', `/api/v1/workspaces/${workspaceId}/members`, {
          token: owner.token,
          body: { userId: outsider.userId, role: 'member' },
        })
      ).status,
    ).toBe(404);
    const again = await call(h.app, 'POST', `/api/v1/workspaces/${workspaceId}/members`, {
      token: owner.token,
      body: { userId: member.id, role: 'admin' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('workspace.member_exists');
    expect((await call(h.app, 'POST', '/api/v1/workspaces', { token: owner.token, body: { name: '' } })).status).toBe(
      400,
    );
    expect((await policy(owner.token, workspaceId, { graceDays: 91 })).status).toBe(400);
  });

  it("turning mandatory MFA on needs a fresh step-up and one's own proved device, notifies unbound members, and shows compliance", async () => {
    const { owner, workspaceId, member } = await workspaceWithMember();
    h.clock.advance(301_000);
    const stale = await policy(owner.token, workspaceId, { mfaRequired: true });
    expect(stale.status).toBe(401);
    expect(stale.body.error).toMatchObject({ code: 'auth.step_up_required', methods: ['totp'] });
    h.clock.nextStep();
    await call(h.app, 'POST', '/api/v1/me/step-up', {
      token: owner.token,
      body: { method: 'totp', code: referenceTotp(owner.secret, h.clock.now()) },
    });
    // An owner without a device cannot require one from others.
    const other = await primaryAccount(h);
    const ws = (await call(h.app, 'POST', '/api/v1/workspaces', { token: other.token, body: { name: 'No device' } }))
      .body.workspace.id;
    const refused = await policy(other.token, ws, { mfaRequired: true });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('workspace.mfa_required');
    const on = await policy(owner.token, workspaceId, { mfaRequired: true, graceDays: 7 });
    expect(on.status).toBe(200);
    expect(on.body.workspace).toMatchObject({
      mfaRequired: true,
      graceDays: 7,
      mfaDeadline: new Date(h.clock.now() + 7 * 86_400_000).toISOString(),
    });
    await h.services.delivery.runOnce();
    const mails = (
      await call(h.app, 'GET', `/api/v1/dev/outbox?to=${encodeURIComponent(`member.${owner.alias}@example.com`)}`)
    ).body.messages;
    expect(mails.map((m: { subject: string }) => m.subject)).toContain(
      'twofold test: The workspace Research now requires MFA',
    );
    const members = await call(h.app, 'GET', `/api/v1/workspaces/${workspaceId}/members`, { token: owner.token });
    expect(members.status).toBe(200);
    expect(members.body.members).toEqual([
      expect.objectContaining({
        userId: owner.userId,
        role: 'owner',
        mfa: expect.objectContaining({ bound: true, types: ['totp'] }),
      }),
      expect.objectContaining({ userId: member.id, role: 'member', mfa: { bound: false, types: [] } }),
    ]);
    const events = await call(h.app, 'GET', '/api/v1/audit-events?type=workspace.policy_changed', {
      token: owner.token,
    });
    expect(events.body.events[0].details).toMatchObject({ workspaceId, mfaRequired: true, graceDays: 7 });
  });

  it('with the policy on, only a session that proved a bound device reaches the workspace', async () => {
    const { owner, workspaceId, member } = await workspaceWithMember();
    await policy(owner.token, workspaceId, { mfaRequired: true, graceDays: 30 });
    // During the grace period the member logs in normally but cannot enter.
    const login = await loginAs(h, member.login);
    expect(login.body.status, JSON.stringify(login.body)).toBe('authenticated');
    const denied = await call(h.app, 'GET', `/api/v1/workspaces/${workspaceId}`, { token: login.body.session.token });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('workspace.mfa_required');
    // Binding in this session proves the device: the workspace opens.
    const { secret, token: rotated } = await bindDevice(h, login.body.session.token);
    expect((await call(h.app, 'GET', `/api/v1/workspaces/${workspaceId}`, { token: rotated })).status).toBe(200);
    // A later login with password + code also opens it.
    const next = await loginAs(h, member.login);
    const full = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
      body: { challengeId: next.body.challenge.id, code: referenceTotp(secret, h.clock.now()) },
    });
    expect(
      (await call(h.app, 'GET', `/api/v1/workspaces/${workspaceId}`, { token: full.body.session.token })).status,
    ).toBe(200);
  });

  it('members: the owner sets roles and removes anyone but itself, an admin removes members; rename and delete are audited', async () => {
    const { owner, workspaceId, member } = await workspaceWithMember();
    const other = await createSubUser(h, owner.token, owner.alias, { email: `other.${owner.alias}@example.com` });
    await call(h.app, 'POST', `/api/v1/workspaces/${workspaceId}/members`, {
      token: owner.token,
      body: { userId: other.id, role: 'member' },
    });
    const role = (token: string, userId: string, to: string) =>
      call(h.app, 'PATCH', `/api/v1/workspaces/${workspaceId}/members/${userId}`, { token, body: { role: to } });
    const remove = (token: string, userId: string) =>
      call(h.app, 'DELETE', `/api/v1/workspaces/${workspaceId}/members/${userId}`, { token });
    // The owner makes the member an admin.
    const promoted = await role(owner.token, member.id, 'admin');
    expect(promoted.status).toBe(200);
    expect(promoted.body.member).toEqual({ userId: member.id, role: 'admin' });
    const admin = (await loginAs(h, member.login)).body.session.token as string;
    // An admin changes no roles, removes no admin and never the owner; it removes plain members.
    expect((await role(admin, other.id, 'admin')).status).toBe(403);
    expect((await remove(admin, owner.userId)).body.error.code).toBe('auth.forbidden');
    expect((await remove(owner.token, owner.userId)).status).toBe(403);
    expect((await remove(admin, other.id)).status).toBe(204);
    expect((await remove(admin, other.id)).body.error.code).toBe('workspace.member_not_found');
    // The owner removes the admin; users of other accounts are not members anywhere here.
    expect((await remove(owner.token, member.id)).status).toBe(204);
    const stranger = await primaryAccount(h);
    expect((await remove(owner.token, stranger.userId)).status).toBe(404);
    expect((await call(h.app, 'GET', `/api/v1/workspaces/${workspaceId}`, { token: admin })).status).toBe(404);
    // Rename, then delete: the owner only, and deleting asks for a fresh step-up.
    expect(
      (await call(h.app, 'PATCH', `/api/v1/workspaces/${workspaceId}`, { token: owner.token, body: { name: 'Lab' } }))
        .body.workspace.name,
    ).toBe('Lab');
    h.clock.advance(301_000);
    const stale = await call(h.app, 'DELETE', `/api/v1/workspaces/${workspaceId}`, { token: owner.token });
    expect(stale.status).toBe(401);
    expect(stale.body.error.operation).toBe('workspaces.delete');
    h.clock.nextStep();
    await call(h.app, 'POST', '/api/v1/me/step-up', {
      token: owner.token,
      body: { method: 'totp', code: referenceTotp(owner.secret, h.clock.now()) },
    });
    expect((await call(h.app, 'DELETE', `/api/v1/workspaces/${workspaceId}`, { token: owner.token })).status).toBe(204);
    expect((await call(h.app, 'GET', `/api/v1/workspaces/${workspaceId}`, { token: owner.token })).status).toBe(404);
    const types = (await call(h.app, 'GET', '/api/v1/audit-events?limit=50', { token: owner.token })).body.events.map(
      (e: { type: string }) => e.type,
    );
    expect(types).toEqual(
      expect.arrayContaining([
        'workspace.member_role_changed',
        'workspace.member_removed',
        'workspace.renamed',
        'workspace.deleted',
      ]),
    );
  });

  it('deleting a sub-user who owns a workspace hands the workspace to the primary account', async () => {
    const primary = await primaryAccount(h);
    const sub = await createSubUser(h, primary.token, primary.alias);
    const subToken = (await loginAs(h, sub.login)).body.session.token as string;
    const id = (await call(h.app, 'POST', '/api/v1/workspaces', { token: subToken, body: { name: 'Orphan?' } })).body
      .workspace.id as string;
    expect((await call(h.app, 'DELETE', `/api/v1/users/${sub.id}`, { token: primary.token })).status).toBe(204);
    const mine = await call(h.app, 'GET', `/api/v1/workspaces/${id}`, { token: primary.token });
    expect(mine.status).toBe(200);
    expect(mine.body.workspace.role).toBe('owner');
    const members = await call(h.app, 'GET', `/api/v1/workspaces/${id}/members`, { token: primary.token });
    expect(members.body.members.map((m: { userId: string }) => m.userId)).toEqual([primary.userId]);
  });

  it('"Remind" e-mails the members who have not bound MFA, at most once an hour', async () => {
    const { owner, workspaceId, member } = await workspaceWithMember();
    const bound = await createSubUser(h, owner.token, owner.alias, { email: `bound.${owner.alias}@example.com` });
    await bindDevice(h, (await loginAs(h, bound.login)).body.session.token);
    await call(h.app, 'POST', `/api/v1/workspaces/${workspaceId}/members`, {
      token: owner.token,
      body: { userId: bound.id, role: 'member' },
    });
    // A member no e-mail reaches is not counted as reminded.
    const silent = await createSubUser(h, owner.token, owner.alias);
    await call(h.app, 'POST', `/api/v1/workspaces/${workspaceId}/members`, {
      token: owner.token,
      body: { userId: silent.id, role: 'member' },
    });
    const remind = () => call(h.app, 'POST', `/api/v1/workspaces/${workspaceId}/reminders`, { token: owner.token });
    const sent = await remind();
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ reminded: 1 });
    await h.services.delivery.runOnce();
    const mails = (await h.services.outbox(`member.${owner.alias}@example.com`)).map((m) => m.subject);
    expect(mails).toContain('twofold test: Reminder: bind an authenticator app for the workspace Research');
    expect(
      (await h.services.outbox(`bound.${owner.alias}@example.com`)).some((m) => m.subject.includes('Reminder')),
    ).toBe(false);
    const again = await remind();
    expect(again.status).toBe(429);
    expect(again.body.error.code).toBe('workspace.reminded_recently');
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    // A plain member may not send reminders.
    const plain = (await loginAs(h, member.login)).body.session.token;
    expect((await call(h.app, 'POST', `/api/v1/workspaces/${workspaceId}/reminders`, { token: plain })).status).toBe(
      403,
    );
    h.clock.advance(3_600_000 + 1_000);
    owner.token = (await loginFull(h, owner)).token; // the session went idle meanwhile
    expect((await remind()).status).toBe(202);
  });

  it('a step-up with a recovery code proves the second factor like a TOTP code: the workspace opens, the session rotates', async () => {
    const { owner, workspaceId, member } = await workspaceWithMember();
    await policy(owner.token, workspaceId, { mfaRequired: true, graceDays: 30 });
    const { recoveryCodes, token: before } = await bindDevice(h, (await loginAs(h, member.login)).body.session.token);
    // A session with a bound device that has proved no second factor. The flows end such sessions
    // when a device is bound, so it is set up directly: what counts is only how the step-up proves one.
    await h.database.db
      .updateTable('sessions')
      .set({ mfa_verified: 0 })
      .where('id', '=', before.split('.')[0]!)
      .execute();
    const denied = await call(h.app, 'GET', `/api/v1/workspaces/${workspaceId}`, { token: before });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('workspace.mfa_required');
    // A recovery code is a look-up secret, a second factor (NIST SP 800-63B §5.1.2), as at login.
    const stepUp = await call(h.app, 'POST', '/api/v1/me/step-up', {
      token: before,
      body: { method: 'recovery_code', code: recoveryCodes[0] },
    });
    expect(stepUp.status).toBe(200);
    const rotated = stepUp.body.session.token as string;
    expect(rotated).not.toBe(before);
    expect((await call(h.app, 'GET', '/api/v1/me', { token: before })).status).toBe(401);
    expect((await call(h.app, 'GET', `/api/v1/workspaces/${workspaceId}`, { token: rotated })).status).toBe(200);
    // A second step-up in the now-proved session refreshes it without another rotation.
    const again = await call(h.app, 'POST', '/api/v1/me/step-up', {
      token: rotated,
      body: { method: 'recovery_code', code: recoveryCodes[1] },
    });
    expect(again.status).toBe(200);
    expect(again.body.session).toBeUndefined();
  });

  it('after the grace period an unbound member gets a restricted session at login, and open sessions are re-checked when the policy changes', async () => {
    const { owner, workspaceId, member } = await workspaceWithMember();
    const open = (await loginAs(h, member.login)).body.session.token;
    expect((await call(h.app, 'GET', '/api/v1/audit-events', { token: open })).status).toBe(200);
    await policy(owner.token, workspaceId, { mfaRequired: true, graceDays: 0 });
    // The open session may now only bind.
    const recheck = await call(h.app, 'GET', '/api/v1/audit-events', { token: open });
    expect(recheck.status).toBe(403);
    expect(recheck.body.error.code).toBe('mfa.enrollment_required');
    const login = await loginAs(h, member.login);
    expect(login.body).toMatchObject({ status: 'mfa_enrollment_required', session: { restricted: true } });
    expect(
      (await call(h.app, 'GET', `/api/v1/workspaces/${workspaceId}`, { token: login.body.session.token })).status,
    ).toBe(403);
  });

  it('a grace period that ends later forces binding from then on; the strictest of several workspaces wins', async () => {
    const { owner, workspaceId, member } = await workspaceWithMember();
    await policy(owner.token, workspaceId, { mfaRequired: true, graceDays: 10 });
    const second = (await call(h.app, 'POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'Strict' } }))
      .body.workspace.id;
    await call(h.app, 'POST', `/api/v1/workspaces/${second}/members`, {
      token: owner.token,
      body: { userId: member.id, role: 'member' },
    });
    expect((await loginAs(h, member.login)).body.status).toBe('authenticated');
    await policy(owner.token, second, { mfaRequired: true, graceDays: 2 });
    h.clock.advance(2 * 86_400_000 + 1000);
    expect((await loginAs(h, member.login)).body.status).toBe('mfa_enrollment_required');
    // Turning the strict one off leaves the 10-day one, still in grace.
    const ownerFresh = (await loginFull(h, { email: owner.email, secret: owner.secret })).token;
    expect((await policy(ownerFresh, second, { mfaRequired: false })).status).toBe(200);
    expect((await loginAs(h, member.login)).body.status).toBe('authenticated');
  });
});
