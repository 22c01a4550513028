import { sql, type Kysely } from 'kysely';

/**
 * The role an actor acted in, recorded with the event (issue 24): a support operator's past actions
 * stay "support" after `twofold operator remove`, instead of being derived from today's roles.
 * Events written before this migration get the role their actor has now (the best there is).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('actor_role', 'text').execute();
  await db
    .updateTable('audit_events')
    .set({ actor_role: 'support' })
    .where(
      'actor_id',
      'in',
      sql`(select id from users where kind = 'root' and (',' || roles || ',') like '%,operator,%')`,
    )
    .where(sql.ref('actor_id'), '<>', sql.ref('user_id'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_events').dropColumn('actor_role').execute();
}
