/**
 * The composition root (docs/design.md §3): the one place that turns a configuration into a database,
 * repositories and services. `serve` and every CLI command get their services from here; nothing
 * else opens the database or wires it to the domain.
 */
import pino, { type Logger } from 'pino';
import type { Config } from './config/config.js';
import {
  checkDatabase,
  migrateToLatest,
  openDatabase,
  pendingMigrations,
  targetFor,
  type OpenDatabase,
} from './db/database.js';
import { createStore } from './db/store.js';
import { createServices, type ServiceConfig, type Services } from './domain/services.js';
import type { DeliveryLogger } from './domain/notify/delivery.js';
import type { Clock, RandomBytes } from './crypto/random.js';
import type { PasswordHasher } from './crypto/password.js';
import { createSmtpTransport, outboxTransport, type MailTransport } from './mail/transport.js';
import { createWebhookSms, outboxSms, type SmsSender } from './mail/sms.js';
import { runCli } from './cli/cli.js';

/** What the services need from the configuration, with where mail and SMS go. */
export type ChannelConfig = ServiceConfig & Pick<Config, 'smtpUrl' | 'smsWebhookUrl' | 'smsWebhookToken'>;

/** Services over an open database: repositories, mail and SMS channels, readiness checks. */
export function servicesFor(
  database: OpenDatabase,
  config: ChannelConfig,
  options: {
    clock?: Clock;
    random?: RandomBytes;
    hasher?: PasswordHasher;
    transport?: MailTransport;
    sms?: SmsSender;
    logger?: DeliveryLogger;
  } = {},
): Promise<Services> {
  const { transport, sms, ...rest } = options;
  return createServices({
    ...rest,
    store: createStore(database.db, database.sqlite),
    config,
    // Without SMTP (or an SMS webhook) messages stay in the database: the outbox.
    transport: transport ?? (config.smtpUrl ? createSmtpTransport(config.smtpUrl) : outboxTransport),
    sms:
      sms ??
      (config.smsWebhookUrl
        ? createWebhookSms({ url: config.smsWebhookUrl, token: config.smsWebhookToken })
        : outboxSms),
    ...(database.poolStats ? { poolStats: database.poolStats } : {}),
    health: {
      ping: () => checkDatabase(database.db),
      pendingMigrations: () => pendingMigrations(database.db, database.schema),
    },
  });
}

/** A start that cannot go on; the CLI prints the message and exits with status 1. */
export class StartupError extends Error {
  override name = 'StartupError';
}

export interface Runtime {
  services: Services;
  close(): Promise<void>;
}

/**
 * Opens the configured database and builds the services once. SQLite is brought up to date first
 * (it belongs to this one process); a shared PostgreSQL is migrated once, by `twofold migrate`, so
 * a schema that is behind this release stops the start with a message that says so.
 */
export async function openRuntime(
  config: Readonly<Config>,
  options: { logger?: Logger; configOverrides?: Partial<Config> } = {},
): Promise<Runtime> {
  const logger = options.logger;
  const onError = (error: Error) =>
    logger?.warn(
      { err: { message: error.message, code: (error as { code?: string }).code } },
      'database connection lost; the next query opens a new one',
    );
  const database = openDatabase(targetFor(config, onError));
  try {
    if (database.kind === 'sqlite') await migrateToLatest(database.db);
    const pending = await pendingMigrations(database.db);
    if (pending.length > 0) {
      throw new StartupError(
        `the database schema is behind this release (missing ${pending.join(', ')}). Run "twofold migrate" once with the same TWOFOLD_DATABASE_URL, then start again.`,
      );
    }
  } catch (error) {
    await database.close();
    if (error instanceof StartupError) throw error;
    throw new StartupError(`cannot reach the database: ${(error as Error).message}`);
  }
  const services = await servicesFor(database, { ...config, ...options.configOverrides }, logger ? { logger } : {});
  return { services, close: () => database.close() };
}

/** `twofold migrate`: applies pending migrations; a migration may take ten minutes per statement. */
export async function migrate(config: Readonly<Config>): Promise<string[]> {
  const database = openDatabase(
    targetFor({ ...config, database: { ...config.database, statementTimeoutMs: 600_000 } }),
  );
  try {
    return await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
}

/**
 * The server's logger: JSON lines, secrets redacted, written asynchronously but without a buffer
 * threshold, so each line reaches stdout on the next turn of the event loop (not after 4 KiB, and
 * not lost on a crash).
 */
export function serverLogger(config: Pick<Config, 'logLevel'>, redact: string[]) {
  const stream = pino.destination({ dest: 1, sync: false, minLength: 0 });
  return { logger: pino({ level: config.logLevel, redact }, stream), flush: () => stream.flushSync() };
}

export function main(argv: string[]): Promise<void> {
  return runCli(argv, { openRuntime, migrate, serverLogger });
}
