import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import type { DatabaseSchema } from './schema.js';
import { isDatabaseUnavailable } from '../errors/unavailable.js';
import { combineStatements, isDeferrable, statementName } from './statement-names.js';
import * as m0001 from './migrations/0001-initial.js';
import * as m0002 from './migrations/0002-sub-users-and-mail.js';
import * as m0003 from './migrations/0003-verifications.js';
import * as m0004 from './migrations/0004-workspaces.js';
import * as m0005 from './migrations/0005-protection.js';
import * as m0006 from './migrations/0006-recovery-codes.js';
import * as m0007 from './migrations/0007-password-resets.js';
import * as m0008 from './migrations/0008-recovery.js';
import * as m0009 from './migrations/0009-recovery-reminder.js';
import * as m0010 from './migrations/0010-message-secrets.js';
import * as m0011 from './migrations/0011-session-end-reason.js';
import * as m0012 from './migrations/0012-devices-and-passkeys.js';
import * as m0013 from './migrations/0013-oidc.js';
import * as m0014 from './migrations/0014-audit-actor-role.js';
import * as m0015 from './migrations/0015-api-tokens.js';
import * as m0016 from './migrations/0016-webhooks.js';
import * as m0017 from './migrations/0017-user-locale.js';

export type Database = Kysely<DatabaseSchema>;

/** Fault limits for PostgreSQL (decision 015); every field in milliseconds but the pool size. */
export interface PostgresLimits {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  keepAliveDelayMs: number;
  poolSize: number;
}

export const defaultPostgresLimits: PostgresLimits = {
  connectTimeoutMs: 3000,
  statementTimeoutMs: 5000,
  keepAliveDelayMs: 10_000,
  poolSize: 10,
};

export type DatabaseTarget =
  | { kind: 'sqlite'; file: string; memory?: SqliteMemory }
  | {
      kind: 'postgres';
      url: string;
      schema?: string;
      limits?: Partial<PostgresLimits>;
      onError?: (error: Error) => void;
    };

/** The database a configuration names: PostgreSQL when it has a URL, else SQLite in the data dir. */
/** SQLite's own page cache, and how much of the file it maps into memory (decision 025). */
export interface SqliteMemory {
  cacheMiB: number;
  mmapMiB: number;
}
export const SQLITE_MEMORY_DEFAULTS: SqliteMemory = { cacheMiB: 16, mmapMiB: 0 };

export function targetFor(
  config: { databaseUrl: string | null; dataDir: string; database?: PostgresLimits; sqlite?: SqliteMemory },
  onError?: (error: Error) => void,
): DatabaseTarget {
  return config.databaseUrl
    ? {
        kind: 'postgres',
        url: config.databaseUrl,
        ...(config.database ? { limits: config.database } : {}),
        ...(onError ? { onError } : {}),
      }
    : {
        kind: 'sqlite',
        file: path.join(config.dataDir, 'twofold.db'),
        ...(config.sqlite ? { memory: config.sqlite } : {}),
      };
}

/** The SQLite connection as the stores use it: statements prepared once per SQL text (cached). */
export interface SqliteStatements {
  prepare(source: string): SQLite.Statement;
  close(): void;
  /** Statements kept prepared (at most the cache's limit). */
  readonly size: number;
}

export interface OpenDatabase {
  db: Database;
  kind: DatabaseTarget['kind'];
  /** The SQLite connection under `db` (shared statement cache); the group-commit store runs its batches on it. */
  sqlite: SqliteStatements | null;
  /** PostgreSQL schema the tables live in, when not the default search path. */
  schema?: string;
  /** PostgreSQL: the pool's connections now (the metrics). */
  poolStats?: () => { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-sub-users-and-mail': m0002,
  '0003-verifications': m0003,
  '0004-workspaces': m0004,
  '0005-protection': m0005,
  '0006-recovery-codes': m0006,
  '0007-password-resets': m0007,
  '0008-recovery': m0008,
  '0009-recovery-reminder': m0009,
  '0010-message-secrets': m0010,
  '0011-session-end-reason': m0011,
  '0012-devices-and-passkeys': m0012,
  '0013-oidc': m0013,
  '0014-audit-actor-role': m0014,
  '0015-api-tokens': m0015,
  '0016-webhooks': m0016,
  '0017-user-locale': m0017,
};

const staticProvider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Kysely's SQLite driver prepares every statement anew; better-sqlite3 statements are reusable,
 * so a small cache keeps the per-request cost of the hot paths (MFA verify, session lookup) down.
 * Kysely only calls `prepare` and `close` on the database object it is given; the prepared
 * queries (decision 011) and the group-commit store's savepoints use the same cache.
 */
export const STATEMENT_CACHE_LIMIT = 512;

function withStatementCache(database: SQLite.Database, limit = STATEMENT_CACHE_LIMIT): SqliteStatements {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(source: string): SQLite.Statement {
      let statement = cache.get(source);
      if (!statement) {
        statement = database.prepare(source);
        if (cache.size >= limit) cache.delete(cache.keys().next().value!);
        cache.set(source, statement);
      }
      return statement;
    },
    close() {
      cache.clear();
      database.close();
    },
    get size() {
      return cache.size;
    },
  };
}

export function openDatabase(target: DatabaseTarget): OpenDatabase {
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:') mkdirSync(path.dirname(target.file), { recursive: true });
    const sqlite = new SQLite(target.file);
    sqlite.pragma('journal_mode = WAL');
    // FULL: every commit is fsynced before the answer, so an accepted code or a lockout survives power loss.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    // A 16 MiB page cache (the default is 2 MiB) holds the hot pages a login touches in five tables;
    // the rest of the file is served from the kernel's page cache, outside the process. No
    // memory-mapped reads by default: mapped pages count in the process's RSS and grew it with the
    // file; neither a map nor a 64 MiB cache was measurably faster (decision 025).
    const memory = target.memory ?? SQLITE_MEMORY_DEFAULTS;
    sqlite.pragma(`cache_size = ${-Math.round(memory.cacheMiB * 1024)}`);
    sqlite.pragma(`mmap_size = ${Math.round(memory.mmapMiB * 1024 * 1024)}`);
    sqlite.pragma('busy_timeout = 5000');
    // The group commit gives each request a SAVEPOINT; SQLite journals the pages a savepoint
    // changes in a sub-journal that spills to a temporary file past 64 KiB, which cost ~9 % of
    // the server's CPU in write(2)s under load. In memory it costs a memcpy per page.
    sqlite.pragma('temp_store = MEMORY');
    const statements = withStatementCache(sqlite);
    const db = new Kysely<DatabaseSchema>({
      dialect: new SqliteDialect({ database: statements as unknown as SQLite.Database }),
    });
    return { db, kind: 'sqlite', sqlite: statements, close: () => db.destroy() };
  }
  const limits = { ...defaultPostgresLimits, ...target.limits };
  const pool = new pg.Pool({
    connectionString: target.url,
    max: limits.poolSize,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
    // A partition must turn into an error within seconds, never a wait without end (decision 015):
    // connecting (and waiting for a pooled connection) is bounded, the server cancels a statement
    // that runs too long, the client gives up on an answer that never comes (a dead peer sends
    // nothing), and TCP keepalive finds dead idle sockets. A transaction left open by a vanished
    // client gives its row locks back after twice the statement limit.
    connectionTimeoutMillis: limits.connectTimeoutMs,
    statement_timeout: limits.statementTimeoutMs,
    query_timeout: limits.statementTimeoutMs + 1000,
    idle_in_transaction_session_timeout: limits.statementTimeoutMs * 2,
    keepAlive: true,
    keepAliveInitialDelayMillis: limits.keepAliveDelayMs,
    // int8 (bigint) columns hold millisecond times, well inside Number.MAX_SAFE_INTEGER.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  const onError = target.onError ?? (() => {});
  // A socket error on an idle pooled client is emitted on the pool, and on a checked-out client
  // with no query running on the client itself; without listeners either one kills the process
  // (one PostgreSQL restart took every instance down). The broken client is dropped by the pool,
  // and the next query opens a new connection.
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool: discardingBrokenClients(pool) }) });
  return {
    db,
    kind: 'postgres',
    sqlite: null,
    ...(target.schema ? { schema: target.schema } : {}),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => db.destroy(),
  };
}

/**
 * The pool as Kysely sees it, except that a client whose query failed for want of a connection
 * (read timeout, reset, terminated) is destroyed on release instead of going back to the pool: a
 * read timeout leaves the client waiting for an answer a dead peer never sends, and every later
 * query on it would queue behind that.
 */
function discardingBrokenClients(pool: pg.Pool) {
  type Wrapper = { query: pg.PoolClient['query']; release: () => void; broken?: Error };
  // One wrapper per pooled client, so Kysely's per-client connection cache keeps working.
  const wrappers = new WeakMap<pg.PoolClient, Wrapper>();
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        // Deferrable writes waiting for the transaction's next statement (decision 020).
        let waiting: { text: string; values: unknown[] }[] = [];
        let inTransaction = false;
        const send = (args: unknown[]): Promise<unknown> => {
          const text = args[0] as string;
          // A hot statement goes by its name: parsed and planned once per connection (decision 020).
          const name = typeof text === 'string' ? statementName(text) : undefined;
          const result = (
            name
              ? client.query({ name, text, values: args[1] as unknown[] })
              : (client.query as (...a: unknown[]) => unknown)(...args)
          ) as Promise<unknown>;
          result.catch((error: unknown) => {
            if (isDatabaseUnavailable(error) && !(error as { code?: string }).code?.startsWith('40'))
              created.broken = error as Error;
          });
          return result;
        };
        const created: Wrapper = {
          query: (async (...args: unknown[]) => {
            const text = args[0];
            if (typeof text !== 'string') return send(args);
            const verb = text.trim().toLowerCase();
            if (verb === 'begin') inTransaction = true;
            if (verb === 'rollback') {
              waiting = [];
              inTransaction = false;
              return send(args);
            }
            // Two UPDATEs of one statement text could hit one row, which a single statement must not do.
            if (
              inTransaction &&
              isDeferrable(text) &&
              !(verb.startsWith('update') && waiting.some((w) => w.text === text))
            ) {
              waiting.push({ text, values: (args[1] as unknown[]) ?? [] });
              // What Kysely reads from an INSERT/UPDATE answer; callers of deferrable writes ignore it.
              return { command: 'INSERT', rowCount: 1, rows: [], fields: [] };
            }
            if (waiting.length > 0) {
              const batch = waiting;
              waiting = [];
              const combined = combineStatements(batch);
              await send([combined.text, combined.values]);
            }
            if (verb === 'commit') inTransaction = false;
            return send(args);
          }) as pg.PoolClient['query'],
          release: () => {
            const broken = created.broken;
            created.broken = undefined;
            waiting = [];
            inTransaction = false;
            client.release(broken ?? undefined);
          },
        };
        wrappers.set(client, created);
        wrapper = created;
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}

/** Names of the migrations this release knows, in order (the schema a started server expects). */
export const knownMigrations = Object.keys(migrations);

/**
 * Migrations this release has that the database has not applied. An instance refuses to start
 * on a schema that is behind (a shared PostgreSQL is migrated once, by `twofold migrate`).
 */
export async function pendingMigrations(db: Kysely<any>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: staticProvider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const applied = new Set(
    (await migrator.getMigrations()).filter((m) => m.executedAt !== undefined).map((m) => m.name),
  );
  return knownMigrations.filter((name) => !applied.has(name));
}

/**
 * Applies pending migrations. With a schema, Kysely's bookkeeping tables are qualified too: its
 * existence check looks across all schemas and would otherwise see another schema's tables.
 */
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: staticProvider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function checkDatabase(db: Database): Promise<void> {
  await sql`select 1`.execute(db);
}
