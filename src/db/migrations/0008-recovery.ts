import { sql, type Kysely } from 'kysely';

/**
 * Lost-device recovery (issue 13, docs/design.md F7/F8): real-name records, tickets, their approvals and
 * evidence files. ID and licence numbers, submitted facts and evidence bytes are sealed with the
 * instance key (crypto/secret-box.ts); only the last 4 digits are kept in the clear.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('real_names')
    .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('company_name', 'text')
    .addColumn('id_last4', 'text', (c) => c.notNull())
    .addColumn('license_last4', 'text')
    .addColumn('facts_sealed', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'bigint', (c) => c.notNull())
    .addColumn('reviewed_at', 'bigint')
    .addColumn('reviewed_by', 'text')
    .addColumn('review_note', 'text')
    .execute();
  await db.schema.createIndex('real_names_status').on('real_names').columns(['status', 'submitted_at']).execute();

  await db.schema
    .createTable('recovery_tickets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('evidence_type', 'text', (c) => c.notNull())
    .addColumn('evidence_sealed', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('matches', 'text', (c) => c.notNull())
    .addColumn('status_token_hash', 'text', (c) => c.notNull())
    .addColumn('cancel_token_sealed', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('effective_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .addColumn('close_reason', 'text')
    .addColumn('ip', 'text')
    .execute();
  await db.schema
    .createIndex('recovery_tickets_status')
    .on('recovery_tickets')
    .columns(['status', 'effective_at'])
    .execute();
  // One open ticket per account, even when two submissions race (both engines support partial indexes).
  await sql`CREATE UNIQUE INDEX recovery_tickets_one_open ON recovery_tickets (account_id)
    WHERE status IN ('submitted', 'awaiting_second_approval', 'cooling_off')`.execute(db);

  await db.schema
    .createTable('recovery_approvals')
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('recovery_tickets.id').onDelete('cascade'))
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('note', 'text')
    .addPrimaryKeyConstraint('recovery_approvals_pk', ['ticket_id', 'operator_id'])
    .execute();

  // Apart from the ticket rows the API lists, and read only when an operator downloads a file.
  await db.schema
    .createTable('recovery_evidence')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('recovery_tickets.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('content_sealed', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('recovery_evidence_ticket').on('recovery_evidence').columns(['ticket_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('recovery_evidence').ifExists().execute();
  await db.schema.dropTable('recovery_approvals').ifExists().execute();
  await db.schema.dropTable('recovery_tickets').ifExists().execute();
  await db.schema.dropTable('real_names').ifExists().execute();
}
