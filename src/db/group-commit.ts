import type { Database, SqliteStatements } from './database.js';
import type { QueryTarget } from './prepared.js';
import { createRepositories, type Repositories, type Store } from './repositories/index.js';

interface PendingWork {
  work: (repos: Repositories) => Promise<unknown>;
  resolve: (value: any) => void;
  reject: (error: unknown) => void;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

/** Most works a shared commit takes; bounds the latency one batch adds to its first member. */
const MAX_BATCH = 64;

/**
 * Group commit for SQLite. SQLite has one writer, and with `synchronous=FULL` every COMMIT waits
 * for an fsync (≈0.2–0.6 ms here), so one transaction per request caps a server at a few hundred
 * durable writes per second. Works that arrive while a transaction is open join it instead: each
 * runs inside its own SAVEPOINT (a failing work rolls back only itself), and every caller is
 * answered only after the shared COMMIT has reached the disk. The result is the same as running
 * the works one after another, each in its own transaction — which is what callers rely on — but
 * one fsync serves the whole batch. Works must not await anything but the database (argon2
 * hashing happens before a transaction, never inside one).
 */
export function createGroupCommitStore(db: Database, sqlite: SqliteStatements): Store {
  const queue: PendingWork[] = [];
  let draining = false;
  const savepoint = sqlite.prepare('savepoint work');
  const release = sqlite.prepare('release savepoint work');
  const rollbackTo = sqlite.prepare('rollback to savepoint work');
  // One set of repositories for every batch, pointed at each batch's transaction in turn: building
  // them per batch cost ~40 µs, paid by every login (its transactions rarely share a batch).
  const batchTarget: QueryTarget = { db, kind: 'sqlite', sqlite };
  const batchRepos = createRepositories(batchTarget);

  async function drain() {
    try {
      while (queue.length > 0) {
        const batch: PendingWork[] = [];
        try {
          await db.transaction().execute(async (trx) => {
            // The transaction holds SQLite's one connection, so its works may use the handle directly.
            batchTarget.db = trx;
            const repos = batchRepos;
            // Take works as they arrive, including those queued while earlier ones ran.
            while (queue.length > 0 && batch.length < MAX_BATCH) {
              const item = queue.shift()!;
              batch.push(item);
              savepoint.run();
              try {
                const value = await item.work(repos);
                release.run();
                item.outcome = { ok: true, value };
              } catch (error) {
                rollbackTo.run();
                release.run();
                item.outcome = { ok: false, error };
              }
            }
          });
        } catch (error) {
          // The COMMIT (or the savepoint machinery) failed: nothing of this batch is durable.
          for (const item of batch) item.outcome = { ok: false, error };
        }
        if (batch.some((item) => item.outcome?.ok)) store.onCommit?.();
        for (const item of batch) {
          const outcome = item.outcome ?? { ok: false, error: new Error('transaction did not run') };
          if (outcome.ok) item.resolve(outcome.value);
          else item.reject(outcome.error);
        }
      }
    } finally {
      draining = false;
    }
  }

  const store: Store = {
    repos: createRepositories({ db, kind: 'sqlite', sqlite: null }),
    onCommit: null,
    transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve, reject });
        if (!draining) {
          draining = true;
          // Start on the next turn of the event loop, after the requests already read in this
          // turn have queued their works: better-sqlite3 answers synchronously, so a batch
          // started at once would commit before any other request could join it.
          setImmediate(() => void drain());
        }
      });
    },
  };
  return store;
}
