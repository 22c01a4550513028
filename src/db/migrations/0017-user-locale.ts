import type { Kysely } from 'kysely';

/**
 * The language a person chose for the console and their e-mails (issue 25): `en` or `zh-CN`; null
 * means "not chosen": the browser's language decides on the console, English in e-mails.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('locale', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('locale').execute();
}
