import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import type { DatabaseSchema } from './schema.js';
import * as m0001 from './migrations/0001-initial.js';
import * as m0002 from './migrations/0002-sub-users-and-mail.js';
import * as m0003 from './migrations/0003-verifications.js';
import * as m0004 from './migrations/0004-workspaces.js';
import * as m0005 from './migrations/0005-protection.js';

export type Database = Kysely<DatabaseSchema>;

export type DatabaseTarget =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

/** The SQLite connection as the stores use it: statements prepared once per SQL text (cached). */
export interface SqliteStatements {
  prepare(source: string): SQLite.Statement;
  close(): void;
}

export interface OpenDatabase {
  db: Database;
  kind: DatabaseTarget['kind'];
  /** The SQLite connection under `db` (shared statement cache); the group-commit store runs its batches on it. */
  sqlite: SqliteStatements | null;
  /** PostgreSQL schema the tables live in, when not the default search path. */
  schema?: string;
  close(): Promise<void>;
}

const migrations: Record<string, Migration> = { '0001-initial': m0001, '0002-sub-users-and-mail': m0002, '0003-verifications': m0003, '0004-workspaces': m0004, '0005-protection': m0005 };

const staticProvider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Kysely's SQLite driver prepares every statement anew; better-sqlite3 statements are reusable,
 * so a small cache keeps the per-request cost of the hot paths (MFA verify, session lookup) down.
 * Kysely only calls `prepare` and `close` on the database object it is given; the prepared
 * queries (decision 011) and the group-commit store's savepoints use the same cache.
 */
function withStatementCache(database: SQLite.Database, limit = 512): SqliteStatements {
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
    // A 64 MiB page cache and memory-mapped reads instead of the 2 MiB default: a login touches
    // pages of five tables, and a cache miss costs 50-80 µs where a hit costs a few.
    sqlite.pragma('cache_size = -65536');
    sqlite.pragma('mmap_size = 268435456');
    sqlite.pragma('busy_timeout = 5000');
    // The group commit gives each request a SAVEPOINT; SQLite journals the pages a savepoint
    // changes in a sub-journal that spills to a temporary file past 64 KiB, which cost ~9 % of
    // the server's CPU in write(2)s under load. In memory it costs a memcpy per page.
    sqlite.pragma('temp_store = MEMORY');
    const statements = withStatementCache(sqlite);
    const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: statements as unknown as SQLite.Database }) });
    return { db, kind: 'sqlite', sqlite: statements, close: () => db.destroy() };
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.poolSize ?? 10,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
    // int8 (bigint) columns hold millisecond times, well inside Number.MAX_SAFE_INTEGER.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', sqlite: null, ...(target.schema ? { schema: target.schema } : {}), close: () => db.destroy() };
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
