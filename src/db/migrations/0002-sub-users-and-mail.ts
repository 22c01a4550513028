import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Sub-users: roles (comma-separated, today only "user-admin"), the per-user MFA requirement,
  // and who created the user.
  await db.schema
    .alterTable('users')
    .addColumn('roles', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('users')
    .addColumn('mfa_required', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('users').addColumn('created_by', 'text').execute();

  // The transactional outbox: a notification is written in the same transaction as the change it
  // reports, and delivered after the commit by the delivery worker (SMTP, or kept for /dev/outbox).
  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('account_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  await db.schema.createIndex('messages_due').on('messages').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('messages_to').on('messages').columns(['to_address', 'created_at']).execute();

  // Browsers a user has logged in from (SHA-256 of the user agent), for "new login" notices.
  await db.schema
    .createTable('known_browsers')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('known_browsers_pk', ['user_id', 'fingerprint'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('known_browsers').ifExists().execute();
  await db.schema.dropTable('messages').ifExists().execute();
  for (const column of ['created_by', 'mfa_required', 'roles']) {
    await db.schema.alterTable('users').dropColumn(column).execute();
  }
}
