import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  call,
  createHarness,
  createSchema,
  dropSchema,
  passwordStep,
  userWithDevice,
  type Harness,
} from './helpers/harness.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';
import { referenceTotp } from './helpers/rfc6238.js';

const databaseUrl = process.env.TWOFOLD_TEST_DATABASE_URL;

/**
 * How many times one login waits for PostgreSQL (decision 020): counted on the wire, by a proxy
 * between the service and the database that counts the Sync and Query messages the service sends.
 * Each is one round trip, whatever the statement. The numbers are a budget: a change that adds a
 * round trip to the password step or the code step fails here and has to say why.
 */
describe.skipIf(!databaseUrl)('round trips of one login on PostgreSQL', () => {
  let h: Harness;
  let proxy: TcpProxy;
  const schema = `rt_${randomBytes(6).toString('hex')}`;
  beforeAll(async () => {
    await createSchema(schema);
    const url = new URL(databaseUrl!);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    h = await createHarness('postgres', { postgres: { url: proxy.url(databaseUrl!), schema } });
  });
  afterAll(async () => {
    await h.close();
    await proxy.close();
    await dropSchema(schema);
  });

  /** Round trips the work made, with no other traffic (no delivery worker runs in a harness). */
  async function roundTripsOf<T>(work: () => Promise<T>): Promise<{ result: T; roundTrips: number }> {
    const before = proxy.roundTrips;
    const result = await work();
    return { result, roundTrips: proxy.roundTrips - before };
  }

  it('the password step takes at most 11 round trips and the code step at most 5', async () => {
    const user = await userWithDevice(h);
    // A first login from this browser warms the connections' named statements and knows the browser.
    h.clock.nextStep();
    const warm = await passwordStep(h, user.email);
    await call(h.app, 'POST', '/api/v1/sessions/mfa', {
      body: { challengeId: warm, code: referenceTotp(user.secret, h.clock.now()) },
    });
    h.clock.nextStep();
    const password = await roundTripsOf(() => passwordStep(h, user.email));
    const code = await roundTripsOf(() =>
      call(h.app, 'POST', '/api/v1/sessions/mfa', {
        body: { challengeId: password.result, code: referenceTotp(user.secret, h.clock.now()) },
      }),
    );
    expect(code.result.status).toBe(201);
    console.log(`round trips: password step ${password.roundTrips}, code step ${code.roundTrips}`);
    expect(password.roundTrips).toBeLessThanOrEqual(11);
    expect(code.roundTrips).toBeLessThanOrEqual(5);
    // A wrong code costs no more than a right one.
    h.clock.nextStep();
    const challengeId = await passwordStep(h, user.email);
    const wrong = await roundTripsOf(() =>
      call(h.app, 'POST', '/api/v1/sessions/mfa', { body: { challengeId, code: '000000' } }),
    );
    expect(wrong.result.status).toBe(401);
    expect(wrong.roundTrips).toBeLessThanOrEqual(5);
  });
});
