import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, postFrom, signupAndLogin, type Harness } from './helpers/harness.js';
import { STATEMENT_CACHE_LIMIT } from '../src/db/database.js';
import { createAfterAnswer } from '../src/domain/notify/after-answer.js';

/**
 * Issue 21: every in-memory map and cache of a long-lived server is bounded by what is in flight or
 * by a fixed limit, never by what it has served.
 */
describe('in-memory state stays bounded', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(async () => h.close());

  it('password checks in flight: the map is empty again once 120 concurrent logins of 12 names are done', async () => {
    const user = await signupAndLogin(h);
    // From many addresses, so no address is locked out (the other tests log in from 127.0.0.1).
    const logins = Array.from({ length: 120 }, (_, i) =>
      postFrom(h, `10.0.${i}.1`, '/api/v1/sessions', {
        login: i % 12 === 0 ? user.email : `nobody${i % 12}@example.com`,
        password: 'not the password',
      }),
    );
    // The most entries seen while they run: at most one per name.
    let most = 0;
    let done = false;
    const watch = (async () => {
      while (!done) {
        most = Math.max(most, h.services.logins.passwordChecksInFlight());
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    await Promise.all(logins);
    done = true;
    await watch;
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(12);
    expect(h.services.logins.passwordChecksInFlight()).toBe(0);
  });

  it('mails queued after the answer are forgotten once queued (no chain of every request kept alive)', async () => {
    const user = await signupAndLogin(h);
    for (let i = 0; i < 30; i++)
      await postFrom(h, `198.51.100.${i}`, '/api/v1/password-resets', {
        login: i % 2 ? user.email : `x${i}@example.com`,
      });
    expect(h.services.passwordResets.pendingAfterAnswer()).toBeGreaterThan(0);
    await h.services.passwordResets.settled();
    expect(h.services.passwordResets.pendingAfterAnswer()).toBe(0);
    for (let i = 0; i < 10; i++)
      await postFrom(h, `198.51.101.${i}`, '/api/v1/recovery/verifications', { login: `y${i}@example.com` });
    await h.services.recoveryTickets.settled();
    expect(h.services.recoveryTickets.pendingAfterAnswer()).toBe(0);
  });

  it('work after the answer: a failure is logged and forgotten too', async () => {
    const logged: unknown[] = [];
    const after = createAfterAnswer((error) => logged.push(error));
    after.run(Promise.reject(new Error('mail server gone')));
    after.run(Promise.resolve());
    expect(after.size).toBe(2);
    await after.settled();
    await new Promise((resolve) => setImmediate(resolve));
    expect(after.size).toBe(0);
    expect(logged).toHaveLength(1);
  });

  it(`SQLite keeps at most ${STATEMENT_CACHE_LIMIT} statements prepared, however many distinct ones ran`, async () => {
    for (let i = 0; i < STATEMENT_CACHE_LIMIT + 100; i++) await sql.raw(`select ${i} as n`).execute(h.database.db);
    expect(h.database.sqlite!.size).toBeLessThanOrEqual(STATEMENT_CACHE_LIMIT);
    expect(h.database.sqlite!.size).toBeGreaterThan(STATEMENT_CACHE_LIMIT / 2);
  });

  it('the upload gate holds no address once uploads are over', async () => {
    for (let i = 0; i < 5; i++)
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/recovery-tickets',
        remoteAddress: `203.0.113.${i}`,
        headers: { 'content-type': 'multipart/form-data; boundary=b' },
        payload: 'garbage',
      });
    expect(h.app.uploadGate.inUse()).toEqual({ total: 0, addresses: 0 });
  });
});
