import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { knownMigrations } from '../src/db/database.js';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';

/**
 * The real `twofold serve` process, as an operator runs it: safe defaults, prompt logs, schema
 * checks at start and graceful shutdown on SIGTERM (issue 10).
 */
const bin = path.resolve(import.meta.dirname, '../bin/twofold.cjs');
const running = new Set<ChildProcess>();
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
});

interface Served {
  child: ChildProcess;
  base: string;
  /** Everything printed on stdout so far. */
  stdout: () => string;
  exited: Promise<{ code: number | null; at: number }>;
}

function environment(env: Record<string, string | undefined>) {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    TWOFOLD_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'twofold-serve-')),
    TWOFOLD_PORT: '0',
    TWOFOLD_LOG_LEVEL: 'info',
    TWOFOLD_DEV: undefined,
    ...env,
  };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >;
}

/** Starts `twofold serve` and resolves once it prints where it listens. */
async function serve(env: Record<string, string | undefined> = {}): Promise<Served> {
  const child = spawn(process.execPath, [bin, 'serve'], { env: environment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    // 'close', not 'exit': it comes after the last of stdout was read, so checks on it see all of it.
    child.on('close', (code) => {
      running.delete(child);
      resolve({ code, at: Date.now() });
    }),
  );
  const base = await new Promise<string>((resolve, reject) => {
    const poll = setInterval(() => {
      const where = /serving the console at (http:\/\/\S+)\//.exec(out);
      if (where) {
        clearInterval(poll);
        resolve(where[1]!);
      }
    }, 20);
    void exited.then(({ code }) => {
      clearInterval(poll);
      reject(new Error(`serve exited with ${code}: ${out}${err}`));
    });
  });
  return { child, base, stdout: () => out, exited };
}

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe('twofold serve, as an operator runs it', () => {
  it('keeps the dev outbox closed by default, and announces it loudly when TWOFOLD_DEV=1 opens it', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'twofold-serve-'));
    const plain = await serve({ TWOFOLD_DATA_DIR: dataDir });
    try {
      expect(plain.stdout()).not.toMatch(/dev mode/i);
      // A security e-mail (a password lockout) is queued, with no SMTP server to take it.
      const json = { 'content-type': 'application/json' };
      expect(
        (
          await fetch(`${plain.base}/api/v1/accounts`, {
            method: 'POST',
            headers: json,
            body: JSON.stringify({ email: 'kept@example.com', password: 'a long password' }),
          })
        ).status,
      ).toBe(201);
      for (let i = 0; i < 10; i++)
        await fetch(`${plain.base}/api/v1/sessions`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ login: 'kept@example.com', password: 'not the password' }),
        });
      expect((await fetch(`${plain.base}/dev/outbox`)).status).toBe(404);
      const api = await fetch(`${plain.base}/api/v1/dev/outbox`);
      expect(api.status).toBe(404);
      expect((await api.json()).error.code).toBe('request.not_found');
      // Without SMTP and without dev mode the mail stays in the database, and the log says so.
      expect(await waitFor(() => /TWOFOLD_SMTP_URL is not set/.test(plain.stdout()), 2000)).toBe(true);
      expect(plain.stdout()).not.toMatch(/dev mode/i);
    } finally {
      plain.child.kill('SIGKILL');
      await plain.exited;
    }
    // It stays in the database, and the operator finds it there.
    const mail = spawnSync(process.execPath, [bin, 'mail'], {
      env: environment({ TWOFOLD_DATA_DIR: dataDir }),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(mail.stdout).toMatch(/(kept|pending)\s+attempts \d+\s+login\.locked\s+to kept@example\.com/);
    const dev = await serve({ TWOFOLD_DEV: '1' });
    try {
      // Printed before the address, so it is there as soon as the address is.
      expect(dev.stdout()).toMatch(/WARNING: dev mode is on[^]*serving the console at/);
      expect(await waitFor(() => /DEV MODE/.test(dev.stdout()), 2000)).toBe(true);
      expect((await fetch(`${dev.base}/api/v1/dev/outbox`)).status).toBe(200);
    } finally {
      dev.child.kill('SIGKILL');
    }
  }, 60_000);

  it('break-glass: twofold account reset-mfa removes the device and codes, ends sessions, audits the reason, mails the user', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'twofold-serve-'));
    const served = await serve({ TWOFOLD_DATA_DIR: dataDir });
    const json = { 'content-type': 'application/json' };
    const api = (method: string, url: string, body?: unknown, token?: string) =>
      fetch(`${served.base}/api/v1${url}`, {
        method,
        headers: { ...(body ? json : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }).then(async (r) => ({ status: r.status, body: r.status === 204 ? null : await r.json() }));
    let session: string;
    try {
      await api('POST', '/accounts', { email: 'glass@example.com', password: 'a long password' });
      const login = await api('POST', '/sessions', { login: 'glass@example.com', password: 'a long password' });
      const enrollment = await api('POST', '/me/mfa-device', undefined, login.body.session.token);
      const secret = referenceBase32Decode(enrollment.body.enrollment.secret);
      const now = Date.now();
      const bound = await api(
        'POST',
        '/me/mfa-device/activate',
        {
          enrollmentId: enrollment.body.enrollment.id,
          codes: [referenceTotp(secret, now, -1), referenceTotp(secret, now)],
        },
        login.body.session.token,
      );
      expect(bound.status).toBe(200);
      session = bound.body.session.token;
    } finally {
      served.child.kill('SIGKILL');
      await served.exited;
    }
    const run = (args: string[]) =>
      spawnSync(process.execPath, [bin, ...args], {
        env: environment({ TWOFOLD_DATA_DIR: dataDir }),
        encoding: 'utf8',
        timeout: 30_000,
      });
    expect(run(['account', 'reset-mfa', '--login', 'glass@example.com', '--reason', 'x']).stderr).toMatch(
      /Give a reason/,
    );
    expect(run(['account', 'reset-mfa', '--login', 'nobody@example.com', '--reason', 'phone lost']).stderr).toMatch(
      /No user logs in as/,
    );
    const reset = run(['account', 'reset-mfa', '--login', 'glass@example.com', '--reason', 'phone lost, ticket 12']);
    expect(reset.status).toBe(0);
    expect(reset.stdout).toMatch(/device and recovery codes removed, sessions ended/);
    expect(run(['mail']).stdout).toMatch(/mfa\.reset_by_admin\s+to glass@example\.com/);
    // Back up: the old session is gone, the login asks for the password only, the audit has the reason.
    const again = await serve({ TWOFOLD_DATA_DIR: dataDir });
    try {
      const old = await fetch(`${again.base}/api/v1/me`, { headers: { authorization: `Bearer ${session!}` } });
      expect(old.status).toBe(401);
      const login = await fetch(`${again.base}/api/v1/sessions`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ login: 'glass@example.com', password: 'a long password' }),
      });
      const body = await login.json();
      // Like an administrator's reset and a lost-device ticket: the next login binds a new device.
      expect(body).toMatchObject({ status: 'mfa_enrollment_required', session: { restricted: true } });
      const post = (url: string, token: string, payload?: unknown) =>
        fetch(`${again.base}/api/v1${url}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, ...(payload ? json : {}) },
          ...(payload ? { body: JSON.stringify(payload) } : {}),
        }).then((r) => r.json());
      const enrollment = await post('/me/mfa-device', body.session.token);
      const secret = referenceBase32Decode(enrollment.enrollment.secret);
      const now = Date.now();
      const bound = await post('/me/mfa-device/activate', body.session.token, {
        enrollmentId: enrollment.enrollment.id,
        codes: [referenceTotp(secret, now, -1), referenceTotp(secret, now)],
      });
      const events = await (
        await fetch(`${again.base}/api/v1/audit-events?type=mfa.reset_by_admin`, {
          headers: { authorization: `Bearer ${bound.session.token}` },
        })
      ).json();
      expect(events.events[0].details).toMatchObject({ by: 'operator-cli', reason: 'phone lost, ticket 12' });
    } finally {
      again.child.kill('SIGKILL');
    }
  }, 60_000);

  it('writes each log line to stdout promptly, not when 4 KiB have piled up', async () => {
    const served = await serve();
    try {
      const before = served.stdout().length;
      expect((await fetch(`${served.base}/healthz`)).status).toBe(200);
      // One short access-log line, far below any buffer threshold, is out within seconds (never waits for 4 KiB).
      expect(await waitFor(() => served.stdout().slice(before).includes('"path":"/healthz"'), 3000)).toBe(true);
    } finally {
      served.child.kill('SIGKILL');
    }
  }, 30_000);

  it('on SIGTERM closes idle keep-alive connections and exits 0 at once', async () => {
    const served = await serve();
    const socket = connect(Number(new URL(served.base).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const sent = Date.now();
    served.child.kill('SIGTERM');
    const { code, at } = await served.exited;
    await closed;
    expect(code).toBe(0);
    expect(at - sent).toBeLessThan(3000);
  }, 30_000);

  it('on SIGTERM lets a request in flight hold the process only until the deadline', async () => {
    const served = await serve({ TWOFOLD_SHUTDOWN_TIMEOUT_MS: '1500' });
    // A client that sent its headers and never sends the promised body: a request in flight.
    const socket = connect(Number(new URL(served.base).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.on('error', () => {});
    socket.write(
      'POST /api/v1/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"login":',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const sent = Date.now();
    served.child.kill('SIGTERM');
    const { code, at } = await served.exited;
    await closed;
    // The deadline (1.5 s) cut the held connection; exit status 1 says the stop was not clean.
    expect(code).toBe(1);
    expect(at - sent).toBeGreaterThanOrEqual(1400);
    expect(at - sent).toBeLessThan(4000);
    expect(served.stdout()).toMatch(/shutdown deadline passed/);
  }, 30_000);
});

const databaseUrl = process.env.TWOFOLD_TEST_DATABASE_URL;

describe.skipIf(!databaseUrl)('twofold serve against a PostgreSQL schema that is behind', () => {
  it('refuses to start on an unmigrated database, naming `twofold migrate`; after it, starts; /readyz reports a schema that falls behind', async () => {
    const name = `twofold_schema_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(databaseUrl!);
    url.pathname = `/${name}`;
    const env = { TWOFOLD_DATABASE_URL: url.toString() };
    try {
      const refused = spawnSync(process.execPath, [bin, 'serve'], {
        env: environment(env),
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/schema is behind this release .*twofold migrate/);

      const migrated = spawnSync(process.execPath, [bin, 'migrate'], {
        env: environment(env),
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(migrated.stdout).toMatch(/applied: 0001-initial/);
      const served = await serve(env);
      try {
        expect(await (await fetch(`${served.base}/readyz`)).json()).toEqual({ status: 'ready' });
        // An older schema under a running instance (a restored backup): not ready, and it says why.
        const db = new pg.Client({ connectionString: url.toString() });
        await db.connect();
        await db.query(`delete from kysely_migration where name = (select max(name) from kysely_migration)`);
        await db.end();
        const behind = await fetch(`${served.base}/readyz`);
        expect(behind.status).toBe(503);
        expect((await behind.json()).error).toMatchObject({
          code: 'service.unavailable',
          reason: 'schema_behind',
          message: expect.stringMatching(/twofold migrate/),
        });
      } finally {
        served.child.kill('SIGKILL');
        await served.exited;
      }
      const older = spawnSync(process.execPath, [bin, 'serve'], {
        env: environment(env),
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(older.status).toBe(1);
      expect(older.stderr).toContain(`missing ${knownMigrations.at(-1)}`);
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }, 90_000);
});
