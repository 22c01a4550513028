import { mkdtempSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, defaultPoolSize } from './config.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'twofold-config-'));

describe('loadConfig', () => {
  it('has the documented defaults and creates a 0600 key file in the data dir', () => {
    const dataDir = dir();
    const config = loadConfig({ TWOFOLD_DATA_DIR: dataDir });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      databaseUrl: null,
      dev: false,
      mfaActivationCodes: 2,
      issuer: 'twofold',
      trustProxy: false,
      stepUpMaxAgeSeconds: 300,
    });
    expect(config.publicUrl).toBe('http://127.0.0.1:8080');
    expect(config.smtpUrl).toBeNull();
    expect(config.mailFrom).toBe('twofold <no-reply@127.0.0.1>');
    const keyFile = path.join(dataDir, 'secret.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    // The same key is read back on the next start, so sealed secrets stay readable.
    const again = loadConfig({ TWOFOLD_DATA_DIR: dataDir });
    expect(again.secretKeys[0]!.key.equals(config.secretKeys[0]!.key)).toBe(true);
    expect(readFileSync(keyFile, 'utf8').trim()).toHaveLength(64);
    expect(Object.isFrozen(config)).toBe(true);
    // Fault limits are on by default: a partitioned database answers 503, never hangs (decision 015).
    expect(config.database).toEqual({
      connectTimeoutMs: 3000,
      statementTimeoutMs: 5000,
      keepAliveDelayMs: 10_000,
      poolSize: defaultPoolSize(),
    });
    expect(config.shutdownTimeoutMs).toBe(10_000);
  });

  it('keeps dev mode off unless TWOFOLD_DEV says otherwise, with SQLite and PostgreSQL alike', () => {
    expect(loadConfig({ TWOFOLD_DATA_DIR: dir() }).dev).toBe(false);
    expect(loadConfig({ TWOFOLD_DATA_DIR: dir(), TWOFOLD_DATABASE_URL: 'postgres://u@db/x' }).dev).toBe(false);
    expect(loadConfig({ TWOFOLD_DATA_DIR: dir(), TWOFOLD_DEV: '1' }).dev).toBe(true);
  });

  it('sizes the PostgreSQL pool to the cores: 2 × cores + 2, at least 4', () => {
    expect(defaultPoolSize(1)).toBe(4);
    expect(defaultPoolSize(2)).toBe(6);
    expect(defaultPoolSize(8)).toBe(18);
  });

  it('reads the recovery cooling-off period in seconds or with a unit (72 hours by default)', () => {
    const period = (value?: string) =>
      loadConfig({ TWOFOLD_DATA_DIR: dir(), ...(value === undefined ? {} : { TWOFOLD_RECOVERY_COOLING_OFF: value }) })
        .recoveryCoolingOffSeconds;
    expect(period()).toBe(259_200);
    expect(period('0')).toBe(0);
    expect(period('90')).toBe(90);
    expect(period('2s')).toBe(2);
    expect(period('15m')).toBe(900);
    expect(period('72h')).toBe(259_200);
    expect(period('3d')).toBe(259_200);
    expect(() => period('-1')).toThrow(/TWOFOLD_RECOVERY_COOLING_OFF/);
    expect(() => period('100d')).toThrow(/between 0 and/);
    expect(loadConfig({ TWOFOLD_DATA_DIR: dir() }).supportContact).toBeNull();
    expect(loadConfig({ TWOFOLD_DATA_DIR: dir(), TWOFOLD_SUPPORT_CONTACT: 'help@example.com' }).supportContact).toBe(
      'mailto:help@example.com',
    );
    expect(
      loadConfig({ TWOFOLD_DATA_DIR: dir(), TWOFOLD_SUPPORT_CONTACT: 'https://help.example.com/mfa' }).supportContact,
    ).toBe('https://help.example.com/mfa');
    expect(() => loadConfig({ TWOFOLD_DATA_DIR: dir(), TWOFOLD_SUPPORT_CONTACT: 'javascript:alert(1)' })).toThrow(
      /TWOFOLD_SUPPORT_CONTACT/,
    );
    expect(loadConfig({ TWOFOLD_DATA_DIR: dir() }).recoveryEvidenceDays).toBe(30);
  });

  it('reads every documented variable', () => {
    const key = 'ab'.repeat(32);
    const config = loadConfig({
      TWOFOLD_HOST: '0.0.0.0',
      TWOFOLD_PORT: '9000',
      TWOFOLD_DATA_DIR: dir(),
      TWOFOLD_DATABASE_URL: 'postgres://u@db/twofold',
      TWOFOLD_SECRET_KEY: key,
      TWOFOLD_PUBLIC_URL: 'https://mfa.example.com/',
      TWOFOLD_DEV: '0',
      TWOFOLD_MFA_ACTIVATION_CODES: '1',
      TWOFOLD_ISSUER: 'Example Corp',
      TWOFOLD_TRUST_PROXY: '10.0.0.1, 10.0.0.2',
      TWOFOLD_STEP_UP_MAX_AGE: '120',
      TWOFOLD_SMTP_URL: 'smtp://user:pw@mail.example.com:587',
      TWOFOLD_MAIL_FROM: 'Example Security <security@example.com>',
      TWOFOLD_DB_CONNECT_TIMEOUT_MS: '1500',
      TWOFOLD_DB_STATEMENT_TIMEOUT_MS: '2500',
      TWOFOLD_DB_KEEPALIVE_MS: '4000',
      TWOFOLD_DB_POOL_SIZE: '4',
      TWOFOLD_SHUTDOWN_TIMEOUT_MS: '3000',
      TWOFOLD_CODE_SENDS_PER_ADDRESS_HOUR: '5',
      TWOFOLD_CODE_SENDS_PER_HOUR: '50',
    });
    expect(config.database).toEqual({
      connectTimeoutMs: 1500,
      statementTimeoutMs: 2500,
      keepAliveDelayMs: 4000,
      poolSize: 4,
    });
    expect(config).toMatchObject({ shutdownTimeoutMs: 3000, codeSendsPerAddressHour: 5, codeSendsPerHour: 50 });
    expect(config.smtpUrl).toBe('smtp://user:pw@mail.example.com:587');
    expect(config.mailFrom).toBe('Example Security <security@example.com>');
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      databaseUrl: 'postgres://u@db/twofold',
      publicUrl: 'https://mfa.example.com',
      secureCookies: true,
      dev: false,
      mfaActivationCodes: 1,
      issuer: 'Example Corp',
      trustProxy: ['10.0.0.1', '10.0.0.2'],
      stepUpMaxAgeSeconds: 120,
      secretKeyFile: null,
    });
    expect(config.secretKeys[0]!.key.toString('hex')).toBe(key);
  });

  it('supports key rotation: the first key encrypts, all decrypt', () => {
    const config = loadConfig({ TWOFOLD_DATA_DIR: dir(), TWOFOLD_SECRET_KEY: `${'01'.repeat(32)},${'02'.repeat(32)}` });
    expect(config.secretKeys).toHaveLength(2);
    expect(config.secretKeys[0]!.id).not.toBe(config.secretKeys[1]!.id);
  });

  it.each([
    ['TWOFOLD_PORT', 'eighty'],
    ['TWOFOLD_PORT', '70000'],
    ['TWOFOLD_DATABASE_URL', 'mysql://x'],
    ['TWOFOLD_SECRET_KEY', 'tooshort'],
    ['TWOFOLD_PUBLIC_URL', 'not a url'],
    ['TWOFOLD_PUBLIC_URL', 'ftp://example.com'],
    ['TWOFOLD_DEV', 'maybe'],
    ['TWOFOLD_MFA_ACTIVATION_CODES', '3'],
    ['TWOFOLD_ISSUER', 'Acme:Corp'],
    ['TWOFOLD_TRUST_PROXY', 'everyone'],
    ['TWOFOLD_STEP_UP_MAX_AGE', '5'],
    ['TWOFOLD_SIGNUP', 'sometimes'],
    ['TWOFOLD_LOG_LEVEL', 'loud'],
    ['TWOFOLD_SMTP_URL', 'http://mail.example.com'],
    ['TWOFOLD_MAIL_FROM', 'not an address'],
    ['TWOFOLD_SMS_WEBHOOK_URL', 'ftp://sms.example.com'],
    ['TWOFOLD_DB_STATEMENT_TIMEOUT_MS', '0'],
    ['TWOFOLD_SHUTDOWN_TIMEOUT_MS', 'soon'],
    ['TWOFOLD_CODE_SENDS_PER_HOUR', '0'],
  ])('refuses %s=%s with a message naming the variable', (variable, value) => {
    const run = () => loadConfig({ TWOFOLD_DATA_DIR: dir(), [variable]: value });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(new RegExp(`^${variable}: `));
  });
});
