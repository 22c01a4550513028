import pino from 'pino';
import type { Config } from '../config/config.js';
import { openDatabase, migrateToLatest, pendingMigrations, targetFor } from '../db/database.js';
import { createServices } from '../compose.js';
import { buildApp, logRedactPaths } from './app.js';

/** A start that cannot go on; the CLI prints the message and exits with status 1. */
export class StartupError extends Error {}

/**
 * Opens the database, checks its schema, builds the app and listens (DESIGN.md §5). Returns the
 * app and `shutdown`, which the CLI calls on SIGTERM/SIGINT.
 */
export async function startServer(config: Readonly<Config>) {
  // Asynchronous writes without a buffer threshold: each line is handed to stdout on the next
  // turn of the event loop instead of waiting in memory for 4 KiB (and being lost on a crash).
  const stream = pino.destination({ dest: 1, sync: false, minLength: 0 });
  const logger = pino({ level: config.logLevel, redact: logRedactPaths }, stream);
  const database = openDatabase(targetFor(config, (error) => logger.warn({ err: { message: error.message, code: (error as { code?: string }).code } }, 'database connection lost; the next query opens a new one')));
  try {
    // SQLite migrates on start; a shared PostgreSQL is migrated once, by `twofold migrate`, and an
    // instance never serves a schema that is behind it (it would answer 500 to everything).
    if (database.kind === 'sqlite') await migrateToLatest(database.db);
    const pending = await pendingMigrations(database.db);
    if (pending.length > 0) {
      throw new StartupError(`the database schema is behind this release (missing ${pending.join(', ')}). Run "twofold migrate" once with the same TWOFOLD_DATABASE_URL, then start again.`);
    }
  } catch (error) {
    await database.close();
    if (error instanceof StartupError) throw error;
    throw new StartupError(`cannot reach the database: ${(error as Error).message}`);
  }
  const services = await createServices({ database, config, logger });
  const app = await buildApp({ config, services, loggerInstance: logger });
  services.delivery.start();
  services.housekeeping.start();
  if (config.dev) {
    logger.warn('DEV MODE (TWOFOLD_DEV=1): every queued e-mail and SMS, with their codes, is readable by anyone at /dev/outbox and GET /api/v1/dev/outbox. Never in production.');
  }
  if (services.mailTransport === 'outbox') {
    logger.warn('TWOFOLD_SMTP_URL is not set: e-mails are kept in the database only (`twofold mail` lists them)' + (config.dev ? ' and shown in the dev outbox' : '; email codes are not offered'));
  }
  app.addHook('onClose', async () => {
    await services.delivery.stop();
    await services.housekeeping.stop();
    await database.close();
    stream.flushSync();
  });
  await app.listen({ host: config.host, port: config.port });

  let stopping: Promise<number> | null = null;
  /**
   * Graceful stop: /readyz answers 503 at once, the listener closes, idle keep-alive connections
   * close, in-flight requests finish (each answer closes its connection). Past the deadline the
   * remaining connections are cut, so a client that holds one, or a database that hangs, cannot
   * keep the process alive. Resolves with the exit status: 0 clean, 1 deadline hit.
   */
  function shutdown(reason: string): Promise<number> {
    stopping ??= new Promise<number>((resolve) => {
      services.health.drain();
      logger.info({ reason, deadlineMs: config.shutdownTimeoutMs }, 'shutting down');
      const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
      const deadline = setTimeout(() => {
        logger.warn({ deadlineMs: config.shutdownTimeoutMs }, 'shutdown deadline passed: cutting the remaining connections');
        app.server.closeAllConnections();
        clearInterval(sweep);
        stream.flushSync();
        resolve(1);
      }, config.shutdownTimeoutMs);
      app.close().then(
        () => resolve(0),
        (error: unknown) => {
          logger.error({ err: error }, 'error while shutting down');
          resolve(1);
        },
      ).finally(() => {
        clearTimeout(deadline);
        clearInterval(sweep);
      });
    });
    return stopping;
  }
  return { app, shutdown };
}
