import type { Database, SqliteStatements } from './database.js';
import { createRepositories, type Store } from './repositories/index.js';
import { createGroupCommitStore } from './group-commit.js';
import { isRetryableConflict } from '../errors/unavailable.js';

/** `sqlite` is the better-sqlite3 handle under `db` when the database is SQLite. */
export function createStore(db: Database, sqlite: SqliteStatements | null): Store {
  if (sqlite) return createGroupCommitStore(db, sqlite);
  const store: Store = {
    repos: createRepositories({ db, kind: 'postgres', sqlite: null }),
    onCommit: null,
    async transaction(work) {
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await db
            .transaction()
            .execute((trx) => work(createRepositories({ db: trx, kind: 'postgres', sqlite: null })));
          store.onCommit?.();
          return result;
        } catch (error) {
          // PostgreSQL rolled the whole transaction back, so running it again is safe; works only
          // touch the database. Locks are taken in one order (decision 015), so this is rare.
          if (!isRetryableConflict(error) || attempt >= MAX_CONFLICT_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10 * attempt));
        }
      }
    },
  };
  return store;
}

/** Tries of a PostgreSQL transaction that ended in a deadlock or serialization failure. */
const MAX_CONFLICT_ATTEMPTS = 4;
