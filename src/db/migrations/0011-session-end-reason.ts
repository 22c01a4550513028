import type { Kysely } from 'kysely';

/**
 * Why a session ended (signed out, signed out from elsewhere, a new device or password, a change by
 * an administrator), so a browser whose session ended elsewhere is told why at /login.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('end_reason', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('end_reason').execute();
}
