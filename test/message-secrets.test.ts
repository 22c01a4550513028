import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createHarness, databaseKinds, signupAndLogin, type Harness } from './helpers/harness.js';
import { dumpDatabase, operator, ownerWithTicket, recoveryCode } from './helpers/recovery.js';

/**
 * Issue 19: reset links, e-mail codes and cancel links waited in clear text in `messages` until a
 * mail server took them — for ever without SMTP. Each is redacted once delivered, or once it stops
 * working: at its expiry, or when its ticket closes.
 */
describe.each(databaseKinds())('secrets in queued messages on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    // No SMTP and no dev mode: nothing is ever delivered, messages wait in the database.
    h = await createHarness(kind, { config: { dev: false } });
  });
  afterAll(async () => h.close());

  const bodies = async (to: string, kindOf: string) =>
    (
      await h.database.db
        .selectFrom('messages')
        .select('text_body')
        .where('to_address', '=', to)
        .where('kind', '=', kindOf)
        .execute()
    ).map((m) => m.text_body);

  /** What the outbox shows (bodies opened with the instance key), by kind. */
  const opened = async (to: string, kindOf: string) =>
    (await h.services.outbox(to)).filter((m) => m.kind === kindOf).map((m) => m.text);

  it('a reset link and an e-mail code are sealed at rest, and removed once expired, delivered or not', async () => {
    const user = await signupAndLogin(h);
    await call(h.app, 'POST', '/api/v1/password-resets', { body: { login: user.email } });
    await h.services.passwordResets.settled();
    const token = /token=([A-Za-z0-9_%-]+)/.exec((await opened(user.email, 'account.password_reset_link'))[0]!)![1]!;
    const { code } = await recoveryCode(h, user.email);
    // Still valid and waiting for its reader, yet a dump (rows, the SQLite file and its WAL) holds neither.
    expect(await dumpDatabase(h)).not.toContain(token);
    expect((await bodies(user.email, 'recovery.code')).join()).not.toContain(code!);
    expect(await bodies(user.email, 'account.password_reset_link')).toEqual(['[sealed: carries a one-time secret]']);

    // A code lives 10 minutes: after that only the link (30 minutes) is left, sealed.
    h.clock.advance(10 * 60_000 + 1_000);
    expect(await h.services.delivery.redactExpired()).toBe(1);
    expect(await opened(user.email, 'recovery.code')).toEqual(['[one-time secret removed: it expired]']);
    expect((await opened(user.email, 'account.password_reset_link'))[0]).toContain(token);
    h.clock.advance(20 * 60_000);
    expect(await h.services.delivery.redactExpired()).toBe(1);
    expect(await opened(user.email, 'account.password_reset_link')).toEqual(['[one-time secret removed: it expired]']);
    expect(await h.services.delivery.redactExpired()).toBe(0);
    // Still waiting for a mail server, they will not be sent: they would bring nothing but a placeholder.
    const states = await h.database.db
      .selectFrom('messages')
      .select(['status', 'last_error'])
      .where('to_address', '=', user.email)
      .where('kind', 'in', ['recovery.code', 'account.password_reset_link'])
      .execute();
    expect(states).toEqual([
      { status: 'failed', last_error: 'expired before it could be delivered' },
      { status: 'failed', last_error: 'expired before it could be delivered' },
    ]);
    const sealed = await h.database.db
      .selectFrom('messages')
      .select('id')
      .where('to_address', '=', user.email)
      .where('body_sealed', 'is not', null)
      .execute();
    expect(sealed).toEqual([]);
  });

  it("a ticket's cancel links are sealed, and removed once the ticket closes", async () => {
    const { owner, ticketId } = await ownerWithTicket(h, await operator(h));
    const [submitted] = await opened(owner.email, 'recovery.submitted');
    const cancelToken = new URL(/(https?:\/\/\S+\/recovery\/cancel\S+)/.exec(submitted!)![1]!).searchParams.get(
      'token',
    )!;
    expect(await dumpDatabase(h)).not.toContain(cancelToken);
    // Open for days: the link must keep working, so it stays (sealed) until delivered or closed.
    h.clock.advance(48 * 3600_000);
    await h.services.delivery.redactExpired();
    expect((await opened(owner.email, 'recovery.submitted'))[0]).toContain(cancelToken);
    const cancelled = await call(h.app, 'POST', `/api/v1/recovery-tickets/${ticketId}/cancel`, {
      body: { token: cancelToken },
    });
    expect(cancelled.status).toBe(200);
    expect(await opened(owner.email, 'recovery.submitted')).toEqual(['[cancel link removed: the request is closed]']);
    const [state] = await h.database.db
      .selectFrom('messages')
      .select('status')
      .where('to_address', '=', owner.email)
      .where('kind', '=', 'recovery.submitted')
      .execute();
    expect(state!.status).toBe('failed');
    // `twofold housekeeping` redacts what expired too, without the delivery worker.
    const { code } = await recoveryCode(h, owner.email);
    h.clock.advance(11 * 60_000);
    expect((await h.services.housekeeping.runOnce()).expiredSecrets).toBe(1);
    expect((await opened(owner.email, 'recovery.code')).join()).not.toContain(code!);
    // The notice that it was cancelled carries no secret and stays readable.
    expect((await opened(owner.email, 'recovery.cancelled'))[0]).toMatch(/cancel/i);
  });
});
