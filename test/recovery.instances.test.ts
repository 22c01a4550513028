import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, call, createHarness, openInstancePair, databaseKinds, type Harness } from './helpers/harness.js';
import { multipart, operator, postMultipart, recoveryCode, ticketFields, verifiedOwner } from './helpers/recovery.js';

const databaseUrl = process.env.TWOFOLD_TEST_DATABASE_URL;

/** A ticket through to cooling-off on `h`, approved by two operators. */
async function coolingOffTicket(h: Harness) {
  const opA = await operator(h);
  const opB = await operator(h);
  const owner = await verifiedOwner(h, opA);
  const { id, code } = await recoveryCode(h, owner.email);
  const submitted = await postMultipart(
    h,
    '/api/v1/recovery-tickets',
    multipart(ticketFields(owner.email, id, code!), []),
  );
  expect(submitted.status).toBe(201);
  const ticketId = submitted.body.ticket.id as string;
  for (const op of [opA, opB]) {
    const approved = await call(h.app, 'POST', `/api/v1/support/recovery-tickets/${ticketId}/approve`, {
      token: op.token,
      body: {},
    });
    expect(approved.status).toBe(200);
  }
  return { owner, ticketId, statusToken: submitted.body.statusToken as string };
}

async function effectEvents(h: Harness, userId: string) {
  const rows = await h.database.db
    .selectFrom('audit_events')
    .select('type')
    .where('user_id', '=', userId)
    .where('type', 'in', ['recovery.ticket_effective', 'mfa.unbound'])
    .execute();
  return rows.map((r) => r.type).sort();
}

describe.each(databaseKinds())('a recovery ticket across a restart on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind, { config: { recoveryCoolingOffSeconds: 2 } });
  });
  afterAll(async () => h.close());

  it('a period that ends while the server is down takes effect when it starts again', async () => {
    const { owner, ticketId, statusToken } = await coolingOffTicket(h);
    await h.restart();
    // Down for longer than the period.
    h.clock.advance(5_000);
    h.services.recoveryScheduler.start();
    try {
      await expect
        .poll(
          async () =>
            (await call(h.app, 'GET', `/api/v1/recovery-tickets/${ticketId}`, { token: statusToken })).body.ticket
              .status,
          {
            timeout: 5_000,
          },
        )
        .toBe('completed');
    } finally {
      await h.services.recoveryScheduler.stop();
    }
    expect(await effectEvents(h, owner.userId)).toEqual(['mfa.unbound', 'recovery.ticket_effective']);
    const login = await call(h.app, 'POST', '/api/v1/sessions', { body: { login: owner.email, password: PASSWORD } });
    expect(login.body.status).toBe('mfa_enrollment_required');
    // A period of a day or less gets no separate reminder: the approval's mail already named the time.
    const kinds = (await h.services.outbox(owner.email)).map((m) => m.kind);
    expect(kinds).toEqual(expect.arrayContaining(['recovery.cooling_off', 'recovery.completed']));
    expect(kinds).not.toContain('recovery.reminder');
  });
});

describe('TWOFOLD_RECOVERY_COOLING_OFF=0', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite', { config: { recoveryCoolingOffSeconds: 0 } });
  });
  afterAll(async () => h.close());

  it('the second approval removes the device at once', async () => {
    const { owner, ticketId, statusToken } = await coolingOffTicket(h);
    const status = await call(h.app, 'GET', `/api/v1/recovery-tickets/${ticketId}`, { token: statusToken });
    expect(status.body.ticket.status).toBe('completed');
    expect(await effectEvents(h, owner.userId)).toEqual(['mfa.unbound', 'recovery.ticket_effective']);
  });
});

describe.skipIf(!databaseUrl)('a recovery ticket with two instances on one PostgreSQL database', () => {
  let a: Harness;
  let b: Harness;
  let closePair: () => Promise<void>;
  beforeAll(async () => {
    ({ a, b, close: closePair } = await openInstancePair());
  });
  afterAll(() => closePair());

  it('both schedulers reach the last day together: one reminder', async () => {
    const { owner } = await coolingOffTicket(a);
    a.clock.advance(48 * 3600_000 + 1000);
    b.clock.nowMs = a.clock.nowMs;
    await Promise.all([a.services.recoveryScheduler.runOnce(), b.services.recoveryScheduler.runOnce()]);
    await Promise.all([a.services.recoveryScheduler.runOnce(), b.services.recoveryScheduler.runOnce()]);
    const reminders = (await a.services.outbox(owner.email)).filter((m) => m.kind === 'recovery.reminder');
    expect(reminders).toHaveLength(1);
    // Its link, followed on the other instance, cancels the ticket (and keeps the next test's count clean).
    const link = new URL(/(https?:\/\/\S+\/recovery\/cancel\S+)/.exec(reminders[0]!.text)![1]!);
    const cancelled = await call(b.app, 'POST', `/api/v1/recovery-tickets/${link.searchParams.get('ticket')}/cancel`, {
      body: { token: link.searchParams.get('token') },
    });
    expect(cancelled.body.ticket.status).toBe('cancelled');
  });

  it('both schedulers and a login race at the end of the period: the effect happens exactly once', async () => {
    const { owner, ticketId } = await coolingOffTicket(a);
    a.clock.advance(72 * 3600_000 + 1000);
    b.clock.nowMs = a.clock.nowMs;
    const [fromA, fromB, login] = await Promise.all([
      a.services.recoveryScheduler.runOnce(),
      b.services.recoveryScheduler.runOnce(),
      call(b.app, 'POST', '/api/v1/sessions', { body: { login: owner.email, password: PASSWORD } }),
    ]);
    expect(fromA + fromB).toBeLessThanOrEqual(1);
    expect(login.status).toBeLessThan(500);
    expect(await effectEvents(a, owner.userId)).toEqual(['mfa.unbound', 'recovery.ticket_effective']);
    const row = await a.database.db
      .selectFrom('recovery_tickets')
      .select('status')
      .where('id', '=', ticketId)
      .executeTakeFirst();
    expect(row?.status).toBe('completed');
    const after = await call(a.app, 'POST', '/api/v1/sessions', { body: { login: owner.email, password: PASSWORD } });
    expect(after.body.status).toBe('mfa_enrollment_required');
  });

  it('two operators approving at once on different instances: one ticket in cooling-off with both approvals', async () => {
    const opA = await operator(a);
    const opB = await operator(b);
    const owner = await verifiedOwner(a, opA);
    const { id, code } = await recoveryCode(a, owner.email);
    const submitted = await postMultipart(
      a,
      '/api/v1/recovery-tickets',
      multipart(ticketFields(owner.email, id, code!), []),
    );
    const ticketId = submitted.body.ticket.id as string;
    const answers = await Promise.all([
      call(a.app, 'POST', `/api/v1/support/recovery-tickets/${ticketId}/approve`, { token: opA.token, body: {} }),
      call(b.app, 'POST', `/api/v1/support/recovery-tickets/${ticketId}/approve`, { token: opB.token, body: {} }),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    const statuses = answers.map((r) => r.body.ticket.status).sort();
    expect(statuses).toEqual(['awaiting_second_approval', 'cooling_off']);
  });
});
