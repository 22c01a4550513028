import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type OpenDatabase } from './database.js';
import { preparedInsert, preparedQuery, type QueryTarget } from './prepared.js';

const insertAccount = preparedInsert('accounts');
const accountsAfter = preparedQuery<{ since: number; alias: string }, { id: string; alias: string }>((db, slot) =>
  // `limit(2)` and the `!=` operand are constants of the query; `since` is used twice.
  db
    .selectFrom('accounts')
    .select(['id', 'alias'])
    .where('created_at', '>=', slot('since'))
    .where('alias', '!=', slot('alias'))
    .where('created_at', '<', (eb) => eb(eb.val(1_000), '+', slot('since')))
    .orderBy('id')
    .limit(2),
);

describe('prepared queries', () => {
  let opened: OpenDatabase | undefined;
  afterEach(async () => opened?.close());

  async function targets(): Promise<{ raw: QueryTarget; kysely: QueryTarget }> {
    opened = openDatabase({
      kind: 'sqlite',
      file: path.join(mkdtempSync(path.join(tmpdir(), 'twofold-prepared-')), 'twofold.db'),
    });
    await migrateToLatest(opened.db);
    return {
      raw: { db: opened.db, kind: 'sqlite', sqlite: opened.sqlite },
      kysely: { db: opened.db, kind: 'sqlite', sqlite: null },
    };
  }

  it('binds values by name on the raw handle and through Kysely alike, the same answer each call', async () => {
    const { raw, kysely } = await targets();
    for (const [i, created] of [10, 20, 30, 5000].entries())
      expect(await insertAccount(i % 2 ? raw : kysely, { id: `a${i}`, alias: `alias${i}`, created_at: created })).toBe(
        1,
      );
    for (const target of [raw, kysely]) {
      expect(await accountsAfter.all(target, { since: 15, alias: 'alias2' })).toEqual([{ id: 'a1', alias: 'alias1' }]);
      expect(await accountsAfter.all(target, { since: 0, alias: 'none' })).toEqual([
        { id: 'a0', alias: 'alias0' },
        { id: 'a1', alias: 'alias1' },
      ]);
      expect(await accountsAfter.first(target, { since: 9000, alias: 'none' })).toBeUndefined();
    }
  });

  it('reports changed rows, compiles an insert per column set, and refuses a missing value', async () => {
    const { raw, kysely } = await targets();
    const ignoreTaken = preparedInsert('accounts', (query) => query.onConflict((oc) => oc.column('alias').doNothing()));
    expect(await ignoreTaken(raw, { id: 'x1', alias: 'same', created_at: 1 })).toBe(1);
    expect(await ignoreTaken(kysely, { id: 'x2', alias: 'same', created_at: 1 })).toBe(0);
    await expect(accountsAfter.all(raw, { since: 1 } as never)).rejects.toThrow(/no value for alias/);
  });
});
