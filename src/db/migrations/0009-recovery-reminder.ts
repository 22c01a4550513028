import type { Kysely } from 'kysely';

/**
 * The "24 h before effect" reminder of a recovery ticket (decision 019): when it went
 * out, so the scheduler sends it exactly once across restarts and instances.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('recovery_tickets').addColumn('reminded_at', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('recovery_tickets').dropColumn('reminded_at').execute();
}
