/**
 * The hot statements on PostgreSQL (decision 020).
 *
 * Named: `preparedQuery` registers each query text it compiles for PostgreSQL; the pool's client
 * wrapper sends a registered text as a named statement, so each connection parses and plans it
 * once and afterwards only binds and executes. Only texts compiled from the fixed definitions are
 * registered — never a text built per call — so the set, and what each connection keeps, stay small.
 *
 * Deferrable: an INSERT of a new row (or an UPDATE of a row nothing else in the transaction
 * touches) whose answer nobody reads may wait, inside a transaction, until the next statement; the
 * waiting ones then go to the server as one statement of data-modifying CTEs (PostgreSQL runs each
 * to completion). Every later statement, COMMIT included, is sent only after them, so nothing ever
 * reads around a waiting write; a failure among them fails that next statement, and the transaction.
 * The waiting writes of one batch run in no defined order, so a write whose row locks must follow
 * the lock order (throttle rows: address before login, decision 015) must not be deferrable.
 */
const names = new Map<string, string>();
const deferrable = new Set<string>();

export function registerStatement(text: string, options: { deferrable?: boolean } = {}): void {
  if (!names.has(text)) names.set(text, `tf${names.size + 1}`);
  if (options.deferrable) {
    // Renumbering `$n` when statements are combined must not touch a quoted literal.
    if (/['"]\$/.test(text) || /\breturning\b/i.test(text))
      throw new Error(`a deferrable statement has no quoted $ and no RETURNING: ${text}`);
    deferrable.add(text);
  }
}

export function statementName(text: string): string | undefined {
  return names.get(text);
}

export function isDeferrable(text: string): boolean {
  return deferrable.has(text);
}

/**
 * Waiting statements as one: `WITH w1 AS (…), w2 AS (…) SELECT 1`, their parameters renumbered in
 * order. The combined text is named too while few distinct combinations exist (a code path gives
 * the same sequence every time).
 */
export function combineStatements(statements: { text: string; values: unknown[] }[]): {
  text: string;
  values: unknown[];
  name: string | undefined;
} {
  const values: unknown[] = [];
  const parts = statements.map((statement, i) => {
    const offset = values.length;
    values.push(...statement.values);
    return `w${i + 1} as (${statement.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  const text = `with ${parts.join(', ')} select 1`;
  let name = names.get(text);
  if (!name && combinedNames < 200) {
    combinedNames += 1;
    registerStatement(text);
    name = names.get(text);
  }
  return { text, values, name };
}
let combinedNames = 0;
