import path from 'node:path';
import pino from 'pino';
import type { Config } from '../config/config.js';
import { openDatabase, migrateToLatest } from '../db/database.js';
import { createServices } from '../compose.js';
import { buildApp, logRedactPaths } from './app.js';

/** Opens the database, migrates embedded SQLite, builds the app and listens (DESIGN.md §5). */
export async function startServer(config: Readonly<Config>) {
  const database = openDatabase(config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'sqlite', file: path.join(config.dataDir, 'twofold.db') });
  // SQLite migrates on start; a shared PostgreSQL is migrated once, by `twofold migrate`.
  if (database.kind === 'sqlite') await migrateToLatest(database.db);
  // Buffered, asynchronous log writes: the event loop never waits for stdout. Flushed on close.
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const logger = pino({ level: config.logLevel, redact: logRedactPaths }, stream);
  const services = await createServices({ database, config, logger });
  const app = await buildApp({ config, services, db: database.db, loggerInstance: logger });
  services.delivery.start();
  services.housekeeping.start();
  if (services.mailTransport === 'outbox') {
    logger.warn('TWOFOLD_SMTP_URL is not set: notifications are kept in the database only' + (config.dev ? ' (dev outbox at /dev/outbox)' : ''));
  }
  app.addHook('onClose', async () => {
    await services.delivery.stop();
    await services.housekeeping.stop();
    await database.close();
    stream.flushSync();
  });
  await app.listen({ host: config.host, port: config.port });
  return app;
}
