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
  const services = await createServices({ db: database.db, dbKind: database.kind, config });
  // Buffered, asynchronous log writes: the event loop never waits for stdout. Flushed on close.
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const app = await buildApp({ config, services, db: database.db, logger: { level: config.logLevel, redact: logRedactPaths, stream } });
  app.addHook('onClose', async () => {
    await database.close();
    stream.flushSync();
  });
  await app.listen({ host: config.host, port: config.port });
  return app;
}
