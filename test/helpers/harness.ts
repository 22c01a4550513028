import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import {
  openDatabase,
  migrateToLatest,
  type DatabaseTarget,
  type OpenDatabase,
  type PostgresLimits,
} from '../../src/db/database.js';
import { servicesFor, type ChannelConfig } from '../../src/main.js';
import type { Services } from '../../src/domain/services.js';
import { buildApp, logRedactPaths, type AppConfig } from '../../src/http/app.js';
import type { MailTransport } from '../../src/mail/transport.js';
import type { SmsSender } from '../../src/mail/sms.js';
import { createPasswordHasher, type PasswordHasher } from '../../src/crypto/password.js';
import { referenceBase32Decode, referenceTotp } from './rfc6238.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** SQLite always; PostgreSQL when TWOFOLD_TEST_DATABASE_URL is set (`.ci/run` sets it). */
export function databaseKinds(): DatabaseKind[] {
  return process.env.TWOFOLD_TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface HarnessOptions {
  config?: Partial<ChannelConfig & AppConfig>;
  /** Capture JSON log lines (for the log-leak test). */
  captureLogs?: boolean;
  /** Use the wall clock (browser tests, where a person's authenticator runs in real time). */
  realClock?: boolean;
  /** A mail transport (e.g. SMTP to a test sink); default: the outbox. */
  transport?: MailTransport;
  /** An SMS sender (e.g. the webhook to a test server); default: the outbox. */
  sms?: SmsSender;
  /** A password hasher of the test's own (e.g. one that counts its calls). */
  hasher?: PasswordHasher;
  /** Start the delivery worker as the server does (otherwise tests call `delivery.runOnce()`). */
  startDelivery?: boolean;
  /**
   * PostgreSQL only: connect through this URL (e.g. a fault-injecting proxy), with these limits,
   * and in this schema — given, it is shared with another harness (a second instance) and neither
   * creates nor drops it.
   */
  postgres?: { url?: string; limits?: Partial<PostgresLimits>; schema?: string; onError?: (error: Error) => void };
}

/** A controllable clock: tests move time instead of sleeping. */
export class TestClock {
  constructor(
    public nowMs = Date.now(),
    private readonly real = false,
  ) {}
  now = () => (this.real ? Date.now() : this.nowMs);
  advance(ms: number) {
    this.nowMs += ms;
  }
  /** Moves to the start of the next 30-second step (+1 s), so codes for "now" are fresh. */
  nextStep() {
    this.nowMs = (Math.floor(this.nowMs / 30_000) + 1) * 30_000 + 1_000;
  }
}

export interface Harness {
  kind: DatabaseKind;
  app: FastifyInstance;
  services: Services;
  clock: TestClock;
  logs: string[];
  database: OpenDatabase;
  /** Close app and database, then open them again on the same data (a process restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const baseConfig: ChannelConfig & AppConfig = {
  secretKeys: [{ id: 'testkey1', key: randomBytes(32) }],
  signupOpen: true,
  passwordless: true,
  webhooksAllowPrivate: false,
  timeZone: 'UTC',
  sessionIdleSeconds: 1800,
  sessionAbsoluteSeconds: 12 * 3600,
  stepUpMaxAgeSeconds: 300,
  issuer: 'twofold test',
  mfaActivationCodes: 2,
  publicUrl: 'http://twofold.test',
  smtpUrl: null,
  mailFrom: 'twofold test <no-reply@twofold.test>',
  smsWebhookUrl: null,
  smsWebhookToken: null,
  secureCookies: false,
  hstsIncludeSubDomains: false,
  trustProxy: false,
  dev: true,
  // Every injected request comes from 127.0.0.1: the per-address cap is tested on a harness of its own.
  codeSendsPerAddressHour: 100_000,
  codeSendsPerHour: 100_000,
  signupsPerAddressHour: 100_000,
  recoveryCoolingOffSeconds: 72 * 3600,
  recoveryEvidenceDays: 30,
  supportContact: 'mailto:support@twofold.test',
};

/** A PostgreSQL schema of its own for a test (directly, never through a test's proxy). */
export async function createSchema(schema: string) {
  const admin = new pg.Client({ connectionString: process.env.TWOFOLD_TEST_DATABASE_URL! });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
}

export async function dropSchema(schema: string) {
  const dropper = new pg.Client({ connectionString: process.env.TWOFOLD_TEST_DATABASE_URL! });
  await dropper.connect();
  await dropper.query(`drop schema if exists ${schema} cascade`);
  await dropper.end();
}

/** Two instances (two pools, two schedulers) on one PostgreSQL schema of their own, dropped by `close`. */
export async function openInstancePair(): Promise<{ a: Harness; b: Harness; close: () => Promise<void> }> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await createSchema(schema);
  const a = await createHarness('postgres', { postgres: { schema } });
  const b = await createHarness('postgres', { postgres: { schema } });
  return {
    a,
    b,
    close: async () => {
      await a.close();
      await b.close();
      await dropSchema(schema);
    },
  };
}

export async function createHarness(kind: DatabaseKind, options: HarnessOptions = {}): Promise<Harness> {
  const config = { ...baseConfig, ...options.config };
  const clock = new TestClock(Date.now(), options.realClock === true);
  const logs: string[] = [];
  let target: DatabaseTarget;
  let cleanup: () => Promise<void>;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'twofold-test-'));
    target = { kind: 'sqlite', file: path.join(dir, 'twofold.db') };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    // Each harness gets its own schema, so parallel test files never see each other's rows.
    const shared = options.postgres?.schema;
    const schema = shared ?? `t_${randomBytes(6).toString('hex')}`;
    const url = process.env.TWOFOLD_TEST_DATABASE_URL!;
    if (!shared) await createSchema(schema);
    target = {
      kind: 'postgres',
      url: options.postgres?.url ?? url,
      schema,
      limits: { poolSize: 10, ...options.postgres?.limits },
      ...(options.postgres?.onError ? { onError: options.postgres.onError } : {}),
    };
    cleanup = async () => {
      if (!shared) await dropSchema(schema);
    };
  }

  const open = async () => {
    const database = openDatabase(target);
    await migrateToLatest(database.db, database.schema);
    const services = await servicesFor(database, config, {
      clock: clock.now,
      ...(options.transport ? { transport: options.transport } : {}),
      ...(options.sms ? { sms: options.sms } : {}),
      ...(options.hasher ? { hasher: options.hasher } : {}),
    });
    if (options.startDelivery) services.delivery.start();
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    const app = await buildApp({
      config,
      services,
      logger: options.captureLogs ? { level: 'trace', redact: logRedactPaths, stream } : false,
    });
    await app.ready();
    return { database, services, app };
  };

  let current = await open();
  const harness: Harness = {
    kind,
    clock,
    logs,
    get app() {
      return current.app;
    },
    get services() {
      return current.services;
    },
    get database() {
      return current.database;
    },
    async restart() {
      await current.services.delivery.stop();
      await current.app.close();
      await current.database.close();
      current = await open();
    },
    async close() {
      try {
        await current.services.delivery.stop();
        await current.app.close();
        await current.database.close().catch(() => undefined); // a test may have closed it on purpose
      } finally {
        await cleanup(); // the PostgreSQL schema is dropped whatever happened above
      }
    },
  };
  return harness;
}

/** The real Argon2id hasher, counting how many hashes it computed (CPU-cost tests). */
export async function countingHasher(): Promise<PasswordHasher & { hashes: number }> {
  const real = await createPasswordHasher();
  const counting = {
    hashes: 0,
    hash: (password: string) => {
      counting.hashes += 1;
      return real.hash(password);
    },
    verify: real.verify,
    verifyDecoy: real.verifyDecoy,
  };
  return counting;
}

// ---- a small API client over app.inject -------------------------------------------------------

export interface JsonResponse {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

export async function call(
  app: FastifyInstance,
  method: string,
  url: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const response = await app.inject({
    method: method as 'GET',
    url,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined
      ? { payload: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
      : {}),
  });
  let body: any = null;
  if (response.body) {
    try {
      body = JSON.parse(response.body);
    } catch {
      body = response.body;
    }
  }
  return { status: response.statusCode, body, headers: response.headers as JsonResponse['headers'] };
}

/** A JSON POST from a given client address (per-address limits). */
export function postFrom(h: Harness, address: string, url: string, payload: object) {
  return h.app.inject({
    method: 'POST',
    url,
    remoteAddress: address,
    headers: { 'content-type': 'application/json' },
    payload,
  });
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${counter}.${randomBytes(3).toString('hex')}@example.com`;
}

export const PASSWORD = 'correct horse battery';

/** Signs up and logs in; returns the session token. */
export async function signupAndLogin(h: Harness, email = uniqueEmail()) {
  const signup = await call(h.app, 'POST', '/api/v1/accounts', { body: { email, password: PASSWORD } });
  if (signup.status !== 201) throw new Error(`signup failed: ${JSON.stringify(signup.body)}`);
  const login = await call(h.app, 'POST', '/api/v1/sessions', { body: { login: email, password: PASSWORD } });
  if (login.status !== 201) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return {
    email,
    token: login.body.session.token as string,
    userId: signup.body.user.id as string,
    accountId: signup.body.account.id as string,
  };
}

/** Binds a device through the API with two consecutive codes; returns the secret (from the one response that shows it). */
export async function bindDevice(h: Harness, token: string) {
  const enrollment = await call(h.app, 'POST', '/api/v1/me/mfa-device', { token });
  if (enrollment.status !== 201) throw new Error(`enrollment failed: ${JSON.stringify(enrollment.body)}`);
  const secret = referenceBase32Decode(enrollment.body.enrollment.secret);
  const now = h.clock.now();
  const activation = await call(h.app, 'POST', '/api/v1/me/mfa-device/activate', {
    token,
    body: {
      enrollmentId: enrollment.body.enrollment.id,
      codes: [referenceTotp(secret, now, -1), referenceTotp(secret, now)],
    },
  });
  if (activation.status !== 200) throw new Error(`activation failed: ${JSON.stringify(activation.body)}`);
  // Activation burned the current step; the next code the tests use is the next step's.
  h.clock.nextStep();
  // Activation rotates the session (the old token has stopped working): go on with the new one.
  return {
    secret,
    deviceId: activation.body.device.id as string,
    enrollment: enrollment.body,
    token: activation.body.session.token as string,
    recoveryCodes: activation.body.recoveryCodes as string[],
  };
}

/** A user with a bound device, logged out: ready for password + code logins. */
export async function userWithDevice(h: Harness) {
  const user = await signupAndLogin(h);
  const device = await bindDevice(h, user.token);
  return { ...user, ...device };
}

export async function passwordStep(h: Harness, email: string) {
  const response = await call(h.app, 'POST', '/api/v1/sessions', { body: { login: email, password: PASSWORD } });
  if (response.status !== 200) throw new Error(`password step: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.challenge.id as string;
}

export function wrongCode(secret: Uint8Array, now: number): string {
  // A code that matches no step within ±20 of now, so it is wrong without a clock-skew hint.
  const near = new Set<string>();
  for (let s = -20; s <= 20; s++) near.add(referenceTotp(secret, now, s));
  for (let n = 0; ; n++) {
    const candidate = String((123457 + n * 7919) % 1_000_000).padStart(6, '0');
    if (!near.has(candidate)) return candidate;
  }
}

/** Password + current code; advances the test clock so the code's step is new. */
export async function loginFull(h: Harness, user: { email: string; secret: Uint8Array }) {
  h.clock.nextStep();
  const challengeId = await passwordStep(h, user.email);
  const res = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
    body: { challengeId, code: referenceTotp(user.secret, h.clock.now()) },
  });
  if (res.status !== 201) throw new Error(`login failed: ${JSON.stringify(res.body)}`);
  return { token: res.body.session.token as string };
}

/** A primary account with a fresh session (its login counts as a step-up for 5 minutes). */
export async function primaryAccount(h: Harness) {
  const user = await signupAndLogin(h);
  const me = await call(h.app, 'GET', '/api/v1/me', { token: user.token });
  return { ...user, alias: me.body.account.alias as string };
}

/** Creates a sub-user through the API as `token`; returns its id and login name. */
export async function createSubUser(h: Harness, token: string, alias: string, fields: Record<string, unknown> = {}) {
  const username = (fields.username as string | undefined) ?? `sub${randomBytes(4).toString('hex')}`;
  const res = await call(h.app, 'POST', '/api/v1/users', { token, body: { username, password: PASSWORD, ...fields } });
  if (res.status !== 201) throw new Error(`create sub-user: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id as string, username, login: `${username}@${alias}` };
}

export async function loginAs(h: Harness, login: string) {
  const res = await call(h.app, 'POST', '/api/v1/sessions', { body: { login, password: PASSWORD } });
  return res;
}
