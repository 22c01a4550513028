import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { isTimeZone } from '../i18n/format.js';

/** Everything twofold reads from its environment, parsed once, validated, frozen. */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** `null` = embedded SQLite at `<dataDir>/twofold.db`. */
  databaseUrl: string | null;
  /** Where the secret key came from when `TWOFOLD_SECRET_KEY` is unset. */
  secretKeyFile: string | null;
  /** AES-256 keys for secrets at rest; the first encrypts, all decrypt (rotation). */
  secretKeys: { id: string; key: Buffer }[];
  publicUrl: string;
  /** `https:` public URL → cookies get `Secure` and the `__Host-` prefix, responses HSTS. */
  secureCookies: boolean;
  /** HSTS `includeSubDomains` (behind https only): off unless the operator turns it on. */
  hstsIncludeSubDomains: boolean;
  dev: boolean;
  mfaActivationCodes: 1 | 2;
  issuer: string;
  /** Passed to Fastify's `trustProxy`: false, true, a hop count, or a list of proxy addresses. */
  trustProxy: boolean | number | string[];
  signupOpen: boolean;
  /** Sign-in with a passkey alone (it must verify the user); TWOFOLD_PASSWORDLESS=0 turns it off. */
  passwordless: boolean;
  /** Where Prometheus metrics are served (`host:port`, its own listener), or null: off (the default). */
  metricsAddress: { host: string; port: number } | null;
  /** Webhook endpoints may resolve to private, loopback or link-local addresses (trials and tests only). */
  webhooksAllowPrivate: boolean;
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  stepUpMaxAgeSeconds: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `smtp://` or `smtps://` URL; null = notifications stay in the database (the dev outbox). */
  smtpUrl: string | null;
  mailFrom: string;
  /** Generic SMS gateway: twofold POSTs `{to, text}` as JSON here; null = SMS only in the dev outbox. */
  smsWebhookUrl: string | null;
  /** Sent as `Authorization: Bearer …` to the SMS webhook, when set. */
  smsWebhookToken: string | null;
  /** SQLite's page cache and memory map, in MiB (decision 025). */
  sqlite: { cacheMiB: number; mmapMiB: number };
  /** PostgreSQL fault limits: how long a connect, a statement, and an idle TCP peer may take (ms). */
  database: { connectTimeoutMs: number; statementTimeoutMs: number; keepAliveDelayMs: number; poolSize: number };
  /** On SIGTERM/SIGINT: in-flight requests get this long to finish before the process exits anyway. */
  shutdownTimeoutMs: number;
  /** Email or SMS codes one client address may ask for per hour, and all of them together (per channel). */
  codeSendsPerAddressHour: number;
  codeSendsPerHour: number;
  /** Sign-ups one client address may make per hour (each costs an Argon2id hash). */
  signupsPerAddressHour: number;
  /** Lost-device tickets: seconds between the second approval and the device's removal (0 = at once). */
  recoveryCoolingOffSeconds: number;
  /** Days after a ticket closes before its evidence files are deleted. */
  recoveryEvidenceDays: number;
  /** Where people who cannot help themselves reach the operators: a mailto:, https: URL or an address; null = none set. */
  supportContact: string | null;
  /** The time zone dates are shown in, on the console and in e-mails (an IANA name; always named on screen). */
  timeZone: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Seconds, written as a number of seconds or with a unit: `90`, `2s`, `15m`, `72h`, `3d`. */
function duration(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const match = /^(\d+)\s*([smhd]?)$/.exec(raw);
  if (!match) throw new ConfigError(name, `must be seconds, or a number with s, m, h or d (got "${raw}")`);
  const value = Number(match[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max} seconds`);
  return value;
}

/** PostgreSQL connections per instance unless TWOFOLD_DB_POOL_SIZE says otherwise: 2 × cores + 2, at least 4. */
export function defaultPoolSize(cores = availableParallelism()): number {
  return Math.max(4, 2 * cores + 2);
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got ${value}`);
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `expected 1/0, true/false, yes/no or on/off, got "${raw}"`);
}

/** 32-byte keys as 64 hex characters or base64; the key id is derived so it never needs configuring. */
export function parseSecretKey(text: string, variable: string): { id: string; key: Buffer } {
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(text)) key = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text))
    key = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  if (!key || key.length !== 32)
    throw new ConfigError(variable, 'expected a 32-byte key as 64 hex characters or base64 (openssl rand -hex 32)');
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
}

/** An optional URL variable with one of the given protocols; null when unset. */
function urlOption(env: Env, name: string, protocols: string[], message: string): string | null {
  const raw = read(env, name);
  if (raw === undefined) return null;
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !protocols.includes(parsed.protocol)) throw new ConfigError(name, message);
  return raw;
}

/** TWOFOLD_SUPPORT_CONTACT: an e-mail address becomes a mailto: link; otherwise an http(s) or mailto: URL. */
/** TWOFOLD_TIME_ZONE: an IANA zone Intl knows (Asia/Shanghai, Europe/Berlin), UTC by default. */
function timeZoneOf(env: Env): string {
  const zone = read(env, 'TWOFOLD_TIME_ZONE') ?? 'UTC';
  if (!isTimeZone(zone))
    throw new ConfigError(
      'TWOFOLD_TIME_ZONE',
      `expected an IANA time zone such as Asia/Shanghai or UTC, got "${zone}"`,
    );
  return zone;
}

function supportContact(env: Env): string | null {
  const raw = read(env, 'TWOFOLD_SUPPORT_CONTACT');
  if (raw === undefined) return null;
  if (/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(raw)) return `mailto:${raw}`;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !['https:', 'http:', 'mailto:'].includes(url.protocol))
    throw new ConfigError(
      'TWOFOLD_SUPPORT_CONTACT',
      'expected an e-mail address, or an https://, http:// or mailto: URL',
    );
  return url.href;
}

function loadOrCreateKeyFile(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const text = randomBytes(32).toString('hex');
  // mode 0600: the key file is as sensitive as the secrets it protects (docs/design.md §2.3)
  writeFileSync(file, `${text}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return text;
}

export function loadConfig(env: Env = process.env, options: { createKeyFile?: boolean } = {}): Readonly<Config> {
  const host = read(env, 'TWOFOLD_HOST') ?? '127.0.0.1';
  const port = integer(env, 'TWOFOLD_PORT', 8080, 0, 65535);
  const dataDir = path.resolve(read(env, 'TWOFOLD_DATA_DIR') ?? './data');

  const databaseUrl = read(env, 'TWOFOLD_DATABASE_URL') ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('TWOFOLD_DATABASE_URL', 'expected a postgres:// URL (leave it unset for embedded SQLite)');
  }

  let secretKeyText = read(env, 'TWOFOLD_SECRET_KEY');
  let secretKeyFile: string | null = null;
  if (secretKeyText === undefined) {
    secretKeyFile = path.join(dataDir, 'secret.key');
    if (options.createKeyFile !== false) {
      mkdirSync(dataDir, { recursive: true });
      secretKeyText = loadOrCreateKeyFile(secretKeyFile);
    } else {
      secretKeyText = randomBytes(32).toString('hex');
    }
  }
  // A comma-separated list rotates keys: the first encrypts, every key decrypts.
  const secretKeys = secretKeyText
    .split(',')
    .map((part) => parseSecretKey(part.trim(), secretKeyFile ? secretKeyFile : 'TWOFOLD_SECRET_KEY'));

  const publicUrlRaw = read(env, 'TWOFOLD_PUBLIC_URL') ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let publicUrl: URL;
  try {
    publicUrl = new URL(publicUrlRaw);
  } catch {
    throw new ConfigError('TWOFOLD_PUBLIC_URL', `not a URL: "${publicUrlRaw}"`);
  }
  if (publicUrl.protocol !== 'http:' && publicUrl.protocol !== 'https:') {
    throw new ConfigError('TWOFOLD_PUBLIC_URL', 'expected an http:// or https:// URL');
  }

  const activation = integer(env, 'TWOFOLD_MFA_ACTIVATION_CODES', 2, 1, 2) as 1 | 2;

  const issuer = read(env, 'TWOFOLD_ISSUER') ?? 'twofold';
  // Key Uri Format: "Neither issuer nor account name may themselves contain a colon".
  if (issuer.includes(':') || issuer.length > 64) {
    throw new ConfigError('TWOFOLD_ISSUER', 'must be at most 64 characters and contain no colon (Key Uri Format)');
  }

  const trustProxyRaw = read(env, 'TWOFOLD_TRUST_PROXY');
  let trustProxy: Config['trustProxy'] = false;
  if (trustProxyRaw !== undefined) {
    const lower = trustProxyRaw.toLowerCase();
    if (['0', 'false', 'no', 'off'].includes(lower)) trustProxy = false;
    else if (['true', 'yes', 'on'].includes(lower)) trustProxy = true;
    else if (/^\d+$/.test(lower)) trustProxy = Number(lower);
    else if (/^[0-9a-fA-F.:/,\s]+$/.test(trustProxyRaw))
      trustProxy = trustProxyRaw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else
      throw new ConfigError(
        'TWOFOLD_TRUST_PROXY',
        'expected false, true, a hop count, or a comma-separated list of proxy addresses/CIDRs',
      );
  }

  const signupRaw = read(env, 'TWOFOLD_SIGNUP') ?? 'open';
  if (signupRaw !== 'open' && signupRaw !== 'closed')
    throw new ConfigError('TWOFOLD_SIGNUP', 'expected "open" or "closed"');

  const logLevel = (read(env, 'TWOFOLD_LOG_LEVEL') ?? 'info') as Config['logLevel'];
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('TWOFOLD_LOG_LEVEL', 'expected one of fatal, error, warn, info, debug, trace, silent');
  }

  const smtpUrl = urlOption(
    env,
    'TWOFOLD_SMTP_URL',
    ['smtp:', 'smtps:'],
    'expected smtp://[user:pass@]host:port or smtps://…',
  );
  const mailFrom = read(env, 'TWOFOLD_MAIL_FROM') ?? `${issuer} <no-reply@${publicUrl.hostname}>`;
  if (!/^(?:[^<>]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(mailFrom)) {
    throw new ConfigError(
      'TWOFOLD_MAIL_FROM',
      'expected an address like "twofold <no-reply@example.com>" or no-reply@example.com',
    );
  }

  const smsWebhookUrl = urlOption(
    env,
    'TWOFOLD_SMS_WEBHOOK_URL',
    ['http:', 'https:'],
    'expected an http:// or https:// URL',
  );

  // Metrics on an address of their own, never the public port (issue 24): `127.0.0.1:9464`, `[::1]:9464`.
  const metricsRaw = read(env, 'TWOFOLD_METRICS_ADDRESS');
  let metricsAddress: Config['metricsAddress'] = null;
  if (metricsRaw) {
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(metricsRaw);
    const metricsPort = match ? Number(match[3]) : NaN;
    if (!match || metricsPort > 65535)
      throw new ConfigError('TWOFOLD_METRICS_ADDRESS', `expected host:port (e.g. 127.0.0.1:9464), got "${metricsRaw}"`);
    metricsAddress = { host: match[1] ?? match[2]!, port: metricsPort };
  }

  const config: Config = {
    host,
    port,
    metricsAddress,
    dataDir,
    databaseUrl,
    secretKeyFile,
    secretKeys,
    publicUrl: publicUrl.origin,
    secureCookies: publicUrl.protocol === 'https:',
    hstsIncludeSubDomains: flag(env, 'TWOFOLD_HSTS_INCLUDE_SUBDOMAINS', false),
    passwordless: flag(env, 'TWOFOLD_PASSWORDLESS', true),
    // Server-side request forgery guard (OWASP SSRF Prevention): only by explicit choice.
    webhooksAllowPrivate: flag(env, 'TWOFOLD_WEBHOOKS_ALLOW_PRIVATE', false),
    // Dev mode opens the mail outbox to anyone: only ever by explicit choice (docs/design.md §5).
    dev: flag(env, 'TWOFOLD_DEV', false),
    mfaActivationCodes: activation,
    issuer,
    trustProxy,
    signupOpen: signupRaw === 'open',
    // NIST SP 800-63B §4.2.3 (AAL2): re-authenticate after 30 minutes idle, and at least every 12 hours.
    sessionIdleSeconds: integer(env, 'TWOFOLD_SESSION_IDLE_SECONDS', 30 * 60, 60, 7 * 24 * 3600),
    sessionAbsoluteSeconds: integer(env, 'TWOFOLD_SESSION_MAX_SECONDS', 12 * 3600, 300, 30 * 24 * 3600),
    stepUpMaxAgeSeconds: integer(env, 'TWOFOLD_STEP_UP_MAX_AGE', 300, 30, 3600),
    logLevel,
    smtpUrl,
    mailFrom,
    smsWebhookUrl,
    smsWebhookToken: read(env, 'TWOFOLD_SMS_WEBHOOK_TOKEN') ?? null,
    sqlite: {
      cacheMiB: integer(env, 'TWOFOLD_SQLITE_CACHE_MB', 16, 1, 65_536),
      // Off by default: a mapped file counts in RSS as it is read (decision 025).
      mmapMiB: integer(env, 'TWOFOLD_SQLITE_MMAP_MB', 0, 0, 65_536),
    },
    database: {
      // Without limits a partition makes every query wait forever (decision 015).
      connectTimeoutMs: integer(env, 'TWOFOLD_DB_CONNECT_TIMEOUT_MS', 3000, 100, 600_000),
      statementTimeoutMs: integer(env, 'TWOFOLD_DB_STATEMENT_TIMEOUT_MS', 5000, 100, 3_600_000),
      keepAliveDelayMs: integer(env, 'TWOFOLD_DB_KEEPALIVE_MS', 10_000, 1000, 3_600_000),
      // Twice the cores plus two (the PostgreSQL wiki's rule of thumb): on 2 cores shared with the
      // database, 6 connections verified 10–20 % more codes per second than 10 (decision 020).
      poolSize: integer(env, 'TWOFOLD_DB_POOL_SIZE', defaultPoolSize(), 1, 1000),
    },
    shutdownTimeoutMs: integer(env, 'TWOFOLD_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    // SMS pumping: one address asking codes for many accounts, or many addresses at once.
    codeSendsPerAddressHour: integer(env, 'TWOFOLD_CODE_SENDS_PER_ADDRESS_HOUR', 20, 1, 1_000_000),
    codeSendsPerHour: integer(env, 'TWOFOLD_CODE_SENDS_PER_HOUR', 1000, 1, 100_000_000),
    // Each sign-up costs a password hash: one address must not buy a stream of them.
    signupsPerAddressHour: integer(env, 'TWOFOLD_SIGNUPS_PER_ADDRESS_HOUR', 20, 1, 1_000_000),
    // 72 hours like the peers' waits (GitHub 3-5 business days, Apple "several days"): time for the
    // owner's own channels to stop a recovery they did not ask for.
    recoveryCoolingOffSeconds: duration(env, 'TWOFOLD_RECOVERY_COOLING_OFF', 72 * 3600, 0, 90 * 24 * 3600),
    recoveryEvidenceDays: integer(env, 'TWOFOLD_RECOVERY_EVIDENCE_DAYS', 30, 1, 3650),
    supportContact: supportContact(env),
    timeZone: timeZoneOf(env),
  };
  return Object.freeze(config);
}
