import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type OpenDatabase } from './database.js';
import { createStore } from './store.js';

describe('group-commit store on SQLite', () => {
  let opened: OpenDatabase | undefined;
  afterEach(async () => opened?.close());

  async function setup() {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'twofold-store-')), 'twofold.db');
    opened = openDatabase({ kind: 'sqlite', file });
    await migrateToLatest(opened.db);
    return { file, store: createStore(opened.db, opened.sqlite) };
  }

  const account = (id: string) => ({ id, alias: `alias-${id}`, created_at: 1 });

  it('runs concurrent works in shared commits; a failing work rolls back only its own writes', async () => {
    const { store, file } = await setup();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.transaction(async (repos) => {
          await repos.users.insertAccount(account(`a${i}`));
          if (i % 5 === 0) throw new Error(`work ${i} fails after writing`);
          return i;
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(16);
    expect(
      results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.message),
    ).toEqual([
      'work 0 fails after writing',
      'work 5 fails after writing',
      'work 10 fails after writing',
      'work 15 fails after writing',
    ]);
    // Read through a second connection: exactly the succeeded works are on disk.
    const reader = new SQLite(file, { readonly: true });
    const ids = reader
      .prepare('select id from accounts order by id')
      .all()
      .map((r) => (r as { id: string }).id);
    reader.close();
    expect(ids).toHaveLength(16);
    expect(ids).not.toContain('a0');
    expect(ids).toContain('a1');
  });

  it('answers a work only after its commit is visible to other connections', async () => {
    const { store, file } = await setup();
    const reader = new SQLite(file, { readonly: true });
    const seen = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store
          .transaction((repos) => repos.users.insertAccount(account(`b${i}`)))
          .then(() => reader.prepare('select count(*) as n from accounts where id = ?').get(`b${i}`) as { n: number }),
      ),
    );
    reader.close();
    expect(seen.every((row) => row.n === 1)).toBe(true);
  });

  it('gives later works the effects of earlier ones in the same batch, as serial transactions would', async () => {
    const { store } = await setup();
    const [first, second] = await Promise.allSettled([
      store.transaction((repos) => repos.users.insertAccount(account('same'))),
      store.transaction((repos) => repos.users.insertAccount(account('same'))),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
  });
});
