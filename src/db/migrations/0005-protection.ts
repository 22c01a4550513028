import type { Kysely } from 'kysely';

/** Account protection scenarios (docs/design.md F10): how this user verifies sensitive operations. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('step_up_method', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('step_up_method').execute();
}
