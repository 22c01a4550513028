import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

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
