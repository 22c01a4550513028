import { sql, type Kysely } from 'kysely';

/**
 * Messages that carry a one-time secret (a code, a reset or cancel link) keep their body sealed
 * with the instance key in `body_sealed`, never in clear text (decision 023: a dump holds no secret),
 * and `secret_expires_at` says when the secret stops working, so the body is removed then even if
 * no mail server ever took it. Null for messages with no secret, and for cancel links, which work
 * while their ticket is open and are removed when it closes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('body_sealed', 'text').execute();
  await db.schema.alterTable('messages').addColumn('secret_expires_at', 'bigint').execute();
  await db.schema.createIndex('messages_secret_expiry').on('messages').column('secret_expires_at').execute();
  // Secrets already waiting: the longest lifetime of a code or reset link (30 minutes).
  await sql`update messages set secret_expires_at = created_at + 1800000
            where sensitive = 1 and kind not in ('recovery.submitted', 'recovery.cooling_off', 'recovery.reminder')
              and text_body not like '[%'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('messages_secret_expiry').execute();
  await db.schema.alterTable('messages').dropColumn('secret_expires_at').execute();
  await db.schema.alterTable('messages').dropColumn('body_sealed').execute();
}
