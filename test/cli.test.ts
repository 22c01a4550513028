import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databaseKinds, type DatabaseKind } from './helpers/harness.js';

const bin = path.resolve(import.meta.dirname, '../bin/twofold.cjs');

function twofold(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    input: options.input ?? '',
    env: { ...process.env, ...options.env },
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Starts `twofold serve` on a free port and, once it answers /healthz, returns what it printed and
 * how many threads its process has (Linux). `undefined` in `env` removes a variable.
 */
async function serve(env: Record<string, string | undefined>): Promise<{ output: string; threads: number }> {
  const merged = {
    ...process.env,
    TWOFOLD_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'twofold-cli-')),
    TWOFOLD_PORT: '0',
    TWOFOLD_LOG_LEVEL: 'warn',
    ...env,
  };
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  try {
    return await new Promise((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        const where = /serving the console at (http:\/\/\S+)\//.exec(output);
        if (!where || !output.includes('First time?')) return;
        fetch(`${where[1]}/healthz`).then((response) => {
          if (!response.ok) return reject(new Error(`healthz answered ${response.status}`));
          resolve({ output, threads: readdirSync(`/proc/${child.pid}/task`).length });
        }, reject);
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
    });
  } finally {
    child.kill();
  }
}

describe('twofold CLI', () => {
  // libuv reads UV_THREADPOOL_SIZE once, when its pool starts (the decoy hash at start starts it):
  // set too late, the variable would be shown but the pool would have libuv's 4 threads.
  it.skipIf(!existsSync('/proc/self/task'))(
    'serve runs one hashing thread per core (at least 2), or UV_THREADPOOL_SIZE when set',
    async () => {
      const cores = Math.max(2, availableParallelism());
      const byDefault = await serve({ UV_THREADPOOL_SIZE: undefined });
      expect(byDefault.output).toContain(`password hashing: ${cores} threads (UV_THREADPOOL_SIZE)`);
      const explicit = await serve({ UV_THREADPOOL_SIZE: String(cores) });
      const threeMore = await serve({ UV_THREADPOOL_SIZE: String(cores + 3) });
      expect(threeMore.output).toContain(`password hashing: ${cores + 3} threads`);
      expect(threeMore.threads - explicit.threads).toBe(3);
      expect(byDefault.threads).toBe(explicit.threads);
    },
    60_000,
  );

  it('totp prints the RFC 6238 code for a base32 secret and for an otpauth URI', () => {
    expect(twofold(['totp', 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', '--time', '59']).stdout.trim()).toBe('287082');
    expect(twofold(['totp', 'gezd gnbv gy3t qojq gezd gnbv gy3t qojq', '--time', '1111111109']).stdout.trim()).toBe(
      '081804',
    );
    const uri =
      'otpauth://totp/ACME%20Co:a%40b.co?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co&algorithm=SHA1&digits=8&period=30';
    expect(twofold(['totp', uri, '--time', '2000000000']).stdout.trim()).toBe('69279037');
  });

  it('totp refuses a secret that is not base32, with a message and a non-zero exit', () => {
    const result = twofold(['totp', 'not*base32']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/base32/);
  });

  it('account create reads the password from stdin; the account then logs in; unlock and migrate work', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'twofold-cli-'));
    const env = { TWOFOLD_DATA_DIR: dataDir };
    const created = twofold(['account', 'create', '--email', 'ops@example.com', '--display-name', 'Ops'], {
      env,
      input: 'a good long password\n',
    });
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created account \S+ \(alias [a-z2-9]{10}\) for ops@example.com/);
    const again = twofold(['account', 'create', '--email', 'ops@example.com'], {
      env,
      input: 'a good long password\n',
    });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists/);
    const short = twofold(['account', 'create', '--email', 'other@example.com'], { env, input: 'short\n' });
    expect(short.code).not.toBe(0);
    expect(twofold(['migrate'], { env }).stdout).toMatch(/up to date/);
    expect(twofold(['account', 'unlock', '--email', 'ops@example.com'], { env }).stdout).toMatch(/unlocked/);
    expect(twofold(['account', 'unlock', '--email', 'nobody@example.com'], { env }).code).not.toBe(0);
    expect(twofold(['account', 'unlock', '--login', 'nobody@zzzzzzzzzz'], { env }).stderr).toMatch(
      /No user logs in as/,
    );
    expect(twofold(['mail'], { env }).stdout).toMatch(/nothing waiting/);
    expect(twofold(['housekeeping'], { env }).stdout).toMatch(
      /^loginChallenges 0, sessions 0, verifications 0, webauthnChallenges 0, abandonedEnrollments 0, idleThrottles 0, messages 0/,
    );
  }, 60_000);

  it('operator create makes a support operator who must bind a device at the first login', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'twofold-cli-'));
    const env = { TWOFOLD_DATA_DIR: dataDir };
    const created = twofold(['operator', 'create', '--email', 'support1@example.com'], {
      env,
      input: 'an operator password\n',
    });
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/created operator support1@example.com .*bind a virtual MFA device/);
    const again = twofold(['operator', 'create', '--email', 'support1@example.com'], {
      env,
      input: 'an operator password\n',
    });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists/);
    const db = new Database(path.join(dataDir, 'twofold.db'), { readonly: true });
    const row = db.prepare('SELECT roles, mfa_required, kind FROM users WHERE email = ?').get('support1@example.com');
    db.close();
    expect(row).toEqual({ roles: 'operator', mfa_required: 1, kind: 'root' });
    expect(twofold(['operator', 'list'], { env }).stdout).toMatch(/^support1@example.com /);
    const removed = twofold(['operator', 'remove', '--email', 'support1@example.com'], { env });
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/removed operator support1@example.com/);
    expect(twofold(['operator', 'list'], { env }).stdout).toMatch(/no support operators/);
    const twice = twofold(['operator', 'remove', '--email', 'support1@example.com'], { env });
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toMatch(/not a support operator/);
  }, 60_000);

  it('takes the recovery cooling-off period in seconds or with a unit, and names the variable when it is wrong', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'twofold-cli-'));
    const wrong = twofold(['migrate'], { env: { TWOFOLD_DATA_DIR: dataDir, TWOFOLD_RECOVERY_COOLING_OFF: '3 weeks' } });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/TWOFOLD_RECOVERY_COOLING_OFF/);
    expect(twofold(['migrate'], { env: { TWOFOLD_DATA_DIR: dataDir, TWOFOLD_RECOVERY_COOLING_OFF: '72h' } }).code).toBe(
      0,
    );
  });

  it('stops with a message naming the variable when the configuration is invalid', () => {
    const result = twofold(['migrate'], {
      env: { TWOFOLD_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'twofold-cli-')), TWOFOLD_MFA_ACTIVATION_CODES: '3' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/TWOFOLD_MFA_ACTIVATION_CODES/);
  });
});

/**
 * An empty database for CLI runs: a data directory of its own (SQLite), or a PostgreSQL database of
 * its own, migrated by `twofold migrate`; `query` reads and writes it directly (`?` placeholders).
 */
async function cliDatabase(kind: DatabaseKind) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'twofold-cli-'));
  const publicUrl = 'https://id.example.com';
  if (kind === 'sqlite') {
    const env = { TWOFOLD_DATA_DIR: dataDir, TWOFOLD_PUBLIC_URL: publicUrl };
    return {
      env,
      async query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
        const db = new Database(path.join(dataDir, 'twofold.db'));
        try {
          const statement = db.prepare(sql);
          return statement.reader
            ? (statement.all(...params) as Record<string, unknown>[])
            : (statement.run(...params), []);
        } finally {
          db.close();
        }
      },
      close: async () => undefined,
    };
  }
  const name = `twofold_cli_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: process.env.TWOFOLD_TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(process.env.TWOFOLD_TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  const env = { TWOFOLD_DATA_DIR: dataDir, TWOFOLD_PUBLIC_URL: publicUrl, TWOFOLD_DATABASE_URL: url.toString() };
  const migrated = twofold(['migrate'], { env });
  if (migrated.code !== 0) throw new Error(`migrate: ${migrated.stderr}`);
  return {
    env,
    async query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        let n = 0;
        return (
          await client.query(
            sql.replace(/\?/g, () => `$${++n}`),
            params,
          )
        ).rows;
      } finally {
        await client.end();
      }
    },
    async close() {
      const dropper = new pg.Client({ connectionString: process.env.TWOFOLD_TEST_DATABASE_URL });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

describe.each(databaseKinds())('twofold oidc on %s (issue 23)', (kind) => {
  it('client add prints the id (and a confidential secret once), list never shows a secret, remove revokes its rows; audited as the CLI', async () => {
    const db = await cliDatabase(kind);
    try {
      const { env } = db;
      const owner = 'apps@example.com';
      expect(twofold(['account', 'create', '--email', owner], { env, input: 'a good long password\n' }).code).toBe(0);
      const add = (...args: string[]) => twofold(['oidc', 'client', 'add', '--account', owner, ...args], { env });

      const wiki = add(
        '--name',
        'Wiki',
        '--redirect-uri',
        'https://wiki.example/cb',
        '--redirect-uri',
        'http://localhost:3000/cb',
        '--post-logout-uri',
        'https://wiki.example/bye',
        '--first-party',
      );
      expect(wiki.code, wiki.stderr).toBe(0);
      const wikiId = /^client_id: ([A-Za-z0-9_-]+)$/m.exec(wiki.stdout)![1]!;
      const secret = /^client_secret: (tfc_[A-Za-z0-9_-]{43})$/m.exec(wiki.stdout)![1]!;
      expect(wiki.stdout).toMatch(
        new RegExp(`^registered confidential application ${wikiId} \\(Wiki\\) for ${owner}$`, 'm'),
      );
      expect(wiki.stdout).toMatch(/^issuer: https:\/\/id\.example\.com\/oidc$/m);
      expect(wiki.stdout).toContain('the client secret is shown this once');
      // Only its hash is kept.
      const [stored] = await db.query('select secret_hash, first_party, created_by from oidc_clients where id = ?', [
        wikiId,
      ]);
      expect(stored!.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
      expect(Number(stored!.first_party)).toBe(1);

      const spa = add('--name', 'SPA', '--redirect-uri', 'https://spa.example/cb', '--public');
      expect(spa.code, spa.stderr).toBe(0);
      const spaId = /^client_id: ([A-Za-z0-9_-]+)$/m.exec(spa.stdout)![1]!;
      expect(spa.stdout).not.toContain('client_secret');
      expect(spa.stdout).toContain('PKCE');

      // The same rules as the console and the API; nothing is registered.
      const http = add('--name', 'Bad', '--redirect-uri', 'http://evil.example/cb');
      expect(http.code).not.toBe(0);
      expect(http.stderr).toMatch(/--redirect-uri http:\/\/evil\.example\/cb must use https/);
      const fragment = add(
        '--name',
        'Bad',
        '--redirect-uri',
        'https://ok.example/cb',
        '--post-logout-uri',
        'https://ok.example/#x',
      );
      expect(fragment.stderr).toMatch(/--post-logout-uri https:\/\/ok\.example\/#x must not have a #fragment/);
      expect(add('--name', 'Bad').stderr).toMatch(/required option '--redirect-uri <uri>'/);
      expect(add('--name', 'Bad', '--redirect-uri', 'https://ok.example/cb', '--workspace', 'nope').stderr).toMatch(
        /No workspace nope in the account of apps@example.com/,
      );
      const nobody = twofold(
        [
          'oidc',
          'client',
          'add',
          '--account',
          'nobody@example.com',
          '--name',
          'X',
          '--redirect-uri',
          'https://x.example/cb',
        ],
        { env },
      );
      expect(nobody.code).not.toBe(0);
      expect(nobody.stderr).toMatch(/No primary account logs in as nobody@example.com/);

      const list = twofold(['oidc', 'client', 'list', '--account', owner], { env });
      expect(list.code, list.stderr).toBe(0);
      const lines = list.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(
        new RegExp(
          `^${wikiId}  confidential  \\S+Z  Wiki  redirect https://wiki\\.example/cb http://localhost:3000/cb  post-logout https://wiki\\.example/bye  first-party$`,
        ),
      );
      expect(lines[1]).toMatch(new RegExp(`^${spaId}  public {8}\\S+Z  SPA  redirect https://spa\\.example/cb$`));
      expect(list.stdout).not.toContain('tfc_');

      // A token of the application's: removing it takes its rows along.
      await db.query(
        'insert into oidc_payloads (model, id_hash, payload, grant_hash, uid_hash, user_id, client_id, expires_at, consumed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ['AccessToken', 'b'.repeat(64), '{}', null, null, stored!.created_by, wikiId, Date.now() + 600_000, null],
      );
      const removed = twofold(['oidc', 'client', 'remove', wikiId], { env });
      expect(removed.code, removed.stderr).toBe(0);
      expect(removed.stdout).toMatch(new RegExp(`^removed application ${wikiId} \\(Wiki\\): 1 grants`));
      expect(await db.query('select model from oidc_payloads where client_id = ?', [wikiId])).toEqual([]);
      const again = twofold(['oidc', 'client', 'remove', wikiId], { env });
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/No application has the client ID/);
      const left = twofold(['oidc', 'client', 'list', '--account', owner], { env }).stdout.trim().split('\n');
      expect(left).toHaveLength(1);
      expect(left[0]).toMatch(new RegExp(`^${spaId} `));

      // Audited with no actor, as the CLI.
      const events = await db.query(
        "select type, user_id, actor_id, details from audit_events where type like 'oidc.client_%' order by id",
      );
      expect(events.map((e) => e.type)).toEqual(['oidc.client_created', 'oidc.client_created', 'oidc.client_deleted']);
      for (const e of events) {
        expect(e.actor_id).toBeNull();
        expect(e.user_id).toBeNull();
        expect(JSON.parse(e.details as string)).toMatchObject({ via: 'cli' });
      }
      expect(JSON.parse(events[2]!.details as string)).toMatchObject({
        clientId: wikiId,
        name: 'Wiki',
        revokedRows: 1,
      });
    } finally {
      await db.close();
    }
  }, 120_000);

  it('keys rotate prints the added and retired kids; list shows the retired ones with their expiry', async () => {
    const db = await cliDatabase(kind);
    try {
      const { env } = db;
      expect(twofold(['oidc', 'keys', 'list'], { env }).stdout).toMatch(/^no signing keys yet/);
      const first = twofold(['oidc', 'keys', 'rotate'], { env });
      expect(first.code, first.stderr).toBe(0);
      const kids = (output: string) => [...output.matchAll(/([A-Za-z0-9_-]{16}) \((ES256|RS256)\)/g)].map((m) => m[1]!);
      const firstAdded = kids(/^added: (.*)$/m.exec(first.stdout)![1]!);
      expect(firstAdded).toHaveLength(2);
      expect(first.stdout).toMatch(/^retired: none/m);
      const before = Date.now();
      const second = twofold(['oidc', 'keys', 'rotate'], { env });
      expect(second.code, second.stderr).toBe(0);
      const secondAdded = kids(/^added: (.*)$/m.exec(second.stdout)![1]!);
      const retiredLine = /^retired: (.*), published until (\S+)$/m.exec(second.stdout)!;
      expect(kids(retiredLine[1]!).sort()).toEqual([...firstAdded].sort());
      const until = Date.parse(retiredLine[2]!);
      expect(until).toBeGreaterThanOrEqual(before + 24 * 3600_000 - 1000);
      expect(until).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);

      const list = twofold(['oidc', 'keys', 'list'], { env });
      expect(list.code, list.stderr).toBe(0);
      const lines = list.stdout.trim().split('\n');
      expect(lines).toHaveLength(4);
      for (const kid of secondAdded)
        expect(lines.find((l) => l.startsWith(kid))).toMatch(/ {2}(ES256|RS256) {2}created \S+Z {2}signing$/);
      for (const kid of firstAdded)
        expect(lines.find((l) => l.startsWith(kid))).toMatch(
          new RegExp(
            `  (ES256|RS256)  created \\S+Z  retired \\S+Z, published until ${retiredLine[2]!.replace(/\./g, '\\.')}$`,
          ),
        );
      expect(list.stdout).not.toMatch(/"d"|PRIVATE/);
      const audited = await db.query("select actor_id, details from audit_events where type = 'oidc.keys_rotated'");
      expect(audited).toHaveLength(2);
    } finally {
      await db.close();
    }
  }, 120_000);
});

describe.each(databaseKinds())('twofold token on %s (issue 24)', (kind) => {
  it('create prints the tfk_ token once (only its hash is kept), list never shows it, revoke ends it; audited as the CLI', async () => {
    const db = await cliDatabase(kind);
    try {
      const { env } = db;
      const owner = 'scripts@example.com';
      expect(twofold(['account', 'create', '--email', owner], { env, input: 'a good long password\n' }).code).toBe(0);
      const create = (...args: string[]) => twofold(['token', 'create', '--account', owner, ...args], { env });

      const made = create('--name', 'HR sync', '--scope', 'users:write', '--scope', 'users:read', '--days', '30');
      expect(made.code, made.stderr).toBe(0);
      const id = /^created API token ([0-9a-f]{16}) \(HR sync\) for scripts@example\.com$/m.exec(made.stdout)![1]!;
      const secret = /^token: (tfk_[0-9A-Za-z]{46})$/m.exec(made.stdout)![1]!;
      expect(made.stdout).toMatch(/^scopes: users:read users:write$/m);
      expect(made.stdout).toContain('shown this once');
      const [stored] = await db.query('select secret_hash, expires_at, created_at from api_tokens where id = ?', [id]);
      expect(stored!.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
      expect(Number(stored!.expires_at) - Number(stored!.created_at)).toBe(30 * 24 * 3600_000);

      // The same rules as the console and the API; nothing is made.
      expect(create('--name', 'Bad', '--scope', 'users:admin').stderr).toMatch(/Unknown scope users:admin/);
      expect(create('--name', 'Bad', '--scope', 'users:read', '--days', '366').stderr).toMatch(/1 to 365 days/);
      expect(create('--name', 'Bad', '--scope', 'users:read', '--days', 'soon').stderr).toMatch(/whole number/);
      expect(create('--name', 'Bad', '--scope', 'users:read', '--user', 'nobody').stderr).toMatch(
        /No sub-user nobody in the account of scripts@example.com/,
      );
      expect(
        twofold(['token', 'create', '--account', 'nobody@example.com', '--name', 'X', '--scope', 'users:read'], { env })
          .stderr,
      ).toMatch(/No primary account logs in as nobody@example.com/);
      expect(await db.query('select id from api_tokens')).toHaveLength(1);

      const list = twofold(['token', 'list'], { env });
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(
        new RegExp(`^${id}  scripts@example.com  HR sync  users:read users:write  expires `, 'm'),
      );
      expect(list.stdout).toContain('never used');
      expect(list.stdout).not.toContain(secret.slice(4, 20));

      const revoked = twofold(['token', 'revoke', id], { env });
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(revoked.stdout).toMatch(new RegExp(`revoked API token ${id}`));
      expect(twofold(['token', 'list'], { env }).stdout).toMatch(/no API tokens/);
      expect(twofold(['token', 'revoke', id], { env }).stderr).toMatch(/No working API token/);
      const events = await db.query(
        "select type, actor_id, details from audit_events where type like 'api_token.%' order by id",
      );
      expect(events.map((e) => e.type)).toEqual(['api_token.created', 'api_token.revoked']);
      expect(events.every((e) => String(e.details).includes('"via":"cli"'))).toBe(true);
    } finally {
      await db.close();
    }
  }, 120_000);
});
