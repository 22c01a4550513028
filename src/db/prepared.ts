import { CompiledQuery, type Compilable, type InsertQueryBuilder, type InsertResult } from 'kysely';
import type { Database, SqliteStatements } from './database.js';
import type { DatabaseSchema } from './schema.js';
import { registerStatement } from './statement-names.js';

/**
 * Where a repository's queries run. `sqlite` is the raw better-sqlite3 handle, set only while the
 * caller holds SQLite's one connection — inside a group-commit batch — so a statement can run on
 * it at once, bypassing Kysely's connection mutex without breaking isolation. Elsewhere (the
 * non-transactional `store.repos`, and PostgreSQL) queries go through Kysely as usual.
 */
export interface QueryTarget {
  /** Read at each call: the group-commit store points one target at each batch's transaction. */
  db: Database;
  kind: 'sqlite' | 'postgres';
  sqlite: SqliteStatements | null;
}

/**
 * A parameter slot: the name of the value to bind, or a constant the builder put in the query.
 * NUL cannot come from a request (the HTTP layer refuses it), and slots are found only once, at
 * compile time, among the values the query's own code wrote — never among a caller's values.
 */
const SLOT_MARK = '\u0000slot:';

interface CompiledSlots {
  sql: string;
  slots: ReadonlyArray<{ name: string } | { constant: unknown }>;
}

function compileWithSlots(compilable: Compilable<unknown>): CompiledSlots {
  const compiled = compilable.compile();
  return {
    sql: compiled.sql,
    slots: compiled.parameters.map((value) =>
      typeof value === 'string' && value.startsWith(SLOT_MARK)
        ? { name: value.slice(SLOT_MARK.length) }
        : { constant: value },
    ),
  };
}

function bind(compiled: CompiledSlots, params: Record<string, unknown>): unknown[] {
  return compiled.slots.map((slot) => {
    if ('constant' in slot) return slot.constant;
    if (!(slot.name in params)) throw new Error(`prepared query: no value for ${slot.name}`);
    return params[slot.name];
  });
}

/**
 * Compiles once; on PostgreSQL the text becomes a named statement, and a `deferrable` one may wait
 * for the transaction's next statement (statement-names.ts, decision 020).
 */
function compileFor(target: QueryTarget, compilable: Compilable<unknown>, deferrable = false): CompiledSlots {
  const compiled = compileWithSlots(compilable);
  if (target.kind === 'postgres') registerStatement(compiled.sql, { deferrable });
  return compiled;
}

interface Outcome<R> {
  rows: R[];
  affected: number;
}

async function execute<R>(
  target: QueryTarget,
  compiled: CompiledSlots,
  params: Record<string, unknown>,
): Promise<Outcome<R>> {
  const values = bind(compiled, params);
  if (target.sqlite) {
    const statement = target.sqlite.prepare(compiled.sql);
    if (statement.reader) {
      const rows = statement.all(values) as R[];
      return { rows, affected: rows.length };
    }
    return { rows: [], affected: statement.run(values).changes };
  }
  const result = await target.db.executeQuery<R>(CompiledQuery.raw(compiled.sql, values));
  return { rows: result.rows, affected: Number(result.numAffectedRows ?? BigInt(result.rows.length)) };
}

/** `slot('name')` stands for `params.name` in the query being built (typed as that value). */
export type Slot<P> = <K extends keyof P & string>(name: K) => P[K];

function slotMaker<P>(): Slot<P> {
  return (name) => `${SLOT_MARK}${name}` as never;
}

/**
 * A query built once with Kysely and compiled once per dialect; each call only binds values.
 * Kysely builds and compiles a query on every call (≈10–40 µs of JavaScript each), which on the
 * MFA-verify path cost more than SQLite itself; the hot repository methods use this instead
 * (decision 011). `slot('name')` marks where a value of `params` goes.
 */
export function preparedQuery<P extends Record<string, unknown>, R>(
  build: (db: Database, slot: Slot<P>) => Compilable<R>,
  options: { deferrable?: boolean } = {},
) {
  const compiled: Partial<Record<QueryTarget['kind'], CompiledSlots>> = {};
  const slot = slotMaker<P>();
  const ready = (target: QueryTarget) =>
    (compiled[target.kind] ??= compileFor(target, build(target.db, slot), options.deferrable));
  return {
    all: async (target: QueryTarget, params: P): Promise<R[]> => (await execute<R>(target, ready(target), params)).rows,
    first: async (target: QueryTarget, params: P): Promise<R | undefined> =>
      (await execute<R>(target, ready(target), params)).rows[0],
    /** Rows changed (or returned, for a statement with RETURNING). */
    run: async (target: QueryTarget, params: P): Promise<number> =>
      (await execute<R>(target, ready(target), params)).affected,
  };
}

/**
 * An INSERT of whole rows, prepared once per set of columns given: `insert(target, row)` binds
 * each column of `row` by name.
 */
export function preparedInsert<T extends keyof DatabaseSchema>(
  table: T,
  extend: (query: InsertQueryBuilder<DatabaseSchema, T, InsertResult>) => Compilable<unknown> = (query) => query,
  options: { deferrable?: boolean } = {},
) {
  const compiled = new Map<string, CompiledSlots>();
  const slot = slotMaker<Record<string, unknown>>();
  return async (target: QueryTarget, row: DatabaseSchema[T]): Promise<number> => {
    const columns = Object.keys(row as object);
    const key = `${target.kind}:${columns.join(',')}`;
    let ready = compiled.get(key);
    if (!ready) {
      const values = Object.fromEntries(columns.map((column) => [column, slot(column)]));
      ready = compileFor(target, extend(target.db.insertInto(table).values(values as never)), options.deferrable);
      compiled.set(key, ready);
    }
    return (await execute(target, ready, row as unknown as Record<string, unknown>)).affected;
  };
}
