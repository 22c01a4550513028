import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  call,
  createHarness,
  databaseKinds,
  loginFull,
  passwordStep,
  signupAndLogin,
  userWithDevice,
  wrongCode,
  type Harness,
} from './helpers/harness.js';
import { referenceTotp } from './helpers/rfc6238.js';

const DAY = 24 * 3600_000;

describe.each(databaseKinds())('housekeeping on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  const count = async (
    table: 'login_challenges' | 'sessions' | 'mfa_devices' | 'throttles' | 'audit_events' | 'messages',
  ) =>
    Number(
      (
        await h.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('removes what can no longer be used, keeps what still decides something, and a second pass finds nothing', async () => {
    // Old state: an abandoned login, an ended and an expired session, an enrollment never confirmed,
    // a throttle row reset by a success, and one user with consecutive wrong codes on record.
    const alice = await userWithDevice(h);
    await passwordStep(h, alice.email); // never completed
    const aliceSession = await loginFull(h, alice);
    await call(h.app, 'DELETE', '/api/v1/sessions/current', { token: aliceSession.token });
    const bob = await signupAndLogin(h);
    expect((await call(h.app, 'POST', '/api/v1/me/mfa-device', { token: bob.token })).status).toBe(201);
    const carol = await userWithDevice(h);
    const carolChallenge = await passwordStep(h, carol.email);
    for (let i = 0; i < 3; i++) {
      const res = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId: carolChallenge, code: wrongCode(carol.secret, h.clock.now()) },
      });
      expect(res.status).toBe(401);
    }
    const carolFailures = await h.database.db
      .selectFrom('throttles')
      .select('failures')
      .where('key', 'like', `%${carol.userId}%`)
      .executeTakeFirstOrThrow();
    expect(carolFailures.failures).toBe(3);

    h.clock.advance(31 * DAY);
    // Fresh state that must survive: a new session and a pending login of Alice's.
    const fresh = await loginFull(h, alice);
    const pending = await passwordStep(h, alice.email);
    const auditBefore = await count('audit_events');
    const before = {
      challenges: await count('login_challenges'),
      sessions: await count('sessions'),
      devices: await count('mfa_devices'),
    };

    // A passkey ceremony never answered, and one still running.
    const now = h.clock.now();
    await h.database.db
      .insertInto('webauthn_challenges')
      .values([
        {
          id_hash: 'stale',
          purpose: 'passwordless',
          user_id: null,
          device_id: null,
          created_at: now - 600_000,
          expires_at: now - 300_000,
        },
        {
          id_hash: 'live',
          purpose: 'passwordless',
          user_id: null,
          device_id: null,
          created_at: now,
          expires_at: now + 300_000,
        },
      ])
      .execute();

    const purged = await h.services.housekeeping.runOnce();
    expect(purged.webauthnChallenges).toBe(1);
    expect(
      (await h.database.db.selectFrom('webauthn_challenges').select('id_hash').execute()).map((r) => r.id_hash),
    ).toEqual(['live']);
    expect(purged.loginChallenges).toBeGreaterThanOrEqual(3);
    expect(purged.sessions).toBeGreaterThanOrEqual(3); // Alice's ended one, Bob's and Carol's expired ones
    expect(purged.abandonedEnrollments).toBe(1);
    expect(purged.idleThrottles).toBeGreaterThanOrEqual(1);
    expect(await count('login_challenges')).toBe(before.challenges - purged.loginChallenges);
    expect(await count('sessions')).toBe(before.sessions - purged.sessions);
    expect(await count('mfa_devices')).toBe(before.devices - 1);
    const bobDevices = await h.database.db
      .selectFrom('mfa_devices')
      .select('status')
      .where('user_id', '=', bob.userId)
      .execute();
    expect(bobDevices).toEqual([]);

    // Still working: the fresh session, the pending login, Carol's failure count, the audit trail.
    expect((await call(h.app, 'GET', '/api/v1/me', { token: fresh.token })).status).toBe(200);
    h.clock.nextStep();
    const completed = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
      body: { challengeId: pending, code: referenceTotp(alice.secret, h.clock.now()) },
    });
    expect(completed.status).toBe(201);
    expect(
      (
        await h.database.db
          .selectFrom('throttles')
          .select('failures')
          .where('key', 'like', `%${carol.userId}%`)
          .executeTakeFirstOrThrow()
      ).failures,
    ).toBe(3);
    expect(await count('audit_events')).toBeGreaterThanOrEqual(auditBefore);
    expect(
      (await call(h.app, 'POST', '/api/v1/sessions', { body: { login: carol.email, password: PASSWORD } })).status,
    ).toBe(200);

    expect(Object.values(await h.services.housekeeping.runOnce()).every((n) => n === 0)).toBe(true);
  });

  it('deletes in bounded batches until nothing is left (more rows than one batch)', async () => {
    const user = await signupAndLogin(h);
    const now = h.clock.now();
    const rows = Array.from({ length: 2300 }, (_, i) => ({
      id_hash: `old-${kind}-${i}`,
      user_id: user.userId,
      created_at: now - 3 * DAY,
      expires_at: now - 2 * DAY,
      attempts: 0,
      consumed_at: null,
      ip: null,
      user_agent: null,
      must_add_passkey: 0,
    }));
    for (let i = 0; i < rows.length; i += 500)
      await h.database.db
        .insertInto('login_challenges')
        .values(rows.slice(i, i + 500))
        .execute();
    const purged = await h.services.housekeeping.runOnce();
    expect(purged.loginChallenges).toBeGreaterThanOrEqual(2300);
    expect(
      Number(
        (
          await h.database.db
            .selectFrom('login_challenges')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('id_hash', 'like', `old-${kind}-%`)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(0);
  });
});
