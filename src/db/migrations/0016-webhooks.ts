import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Webhooks (issue 24, decision 032): Standard Webhooks v1 deliveries of an account's audit events.
 * - `webhook_endpoints`: the receivers an account registers; the signing secret is sealed with the
 *   instance key (it must be read back to sign), the previous one kept for 24 h after a rotation.
 * - `webhook_subscriptions`: one row per (account, event type, endpoint) while the endpoint is
 *   enabled, so the outbox trigger finds an event's receivers with one index probe.
 * - `webhook_deliveries`: the outbox, one row per event and endpoint, written by the trigger in the
 *   same transaction as the audit event (and so as the change itself): a rolled-back change emits
 *   nothing, and a committed one is never lost. The worker claims rows with a lease.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('url', 'text', (c) => c.notNull())
    // Space-separated audit event types.
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('previous_secret_sealed', 'text')
    .addColumn('previous_secret_expires_at', 'bigint')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('disabled_at', 'bigint')
    .addColumn('disabled_reason', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_endpoints_account').on('webhook_endpoints').column('account_id').execute();

  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('webhook_subscriptions_pk', ['account_id', 'event_type', 'endpoint_id'])
    .execute();
  await db.schema
    .createIndex('webhook_subscriptions_endpoint')
    .on('webhook_subscriptions')
    .column('endpoint_id')
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    // The audit event delivered; `webhook-id` is `msg_<event_id>` on every attempt.
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_until', 'bigint', (c) => c.notNull())
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_deliveries_pk', ['endpoint_id', 'event_id'])
    .execute();
  // What the worker polls: only rows still waiting are in the index.
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .column('next_attempt_at')
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_recent')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'created_at'])
    .execute();

  const columns = sql`endpoint_id, event_id, account_id, event_type, status, attempts, next_attempt_at, claimed_until, created_at`;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // The function and its tables are named with the schema the migration runs in (test harnesses
    // and shared databases use a schema of their own through search_path): a trigger fired from a
    // session with another search_path still writes to this schema's outbox.
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    const schema = rows[0]!.schema;
    const q = (name: string) => sql`${sql.id(schema)}.${sql.id(name)}`;
    await sql`create function ${q('webhook_outbox')}() returns trigger language plpgsql as $body$
begin
  insert into ${q('webhook_deliveries')} (${columns})
  select s.endpoint_id, new.id, new.account_id, new.type, 'pending', 0, new.at, 0, new.at
  from ${q('webhook_subscriptions')} s
  where s.account_id = new.account_id and s.event_type = new.type;
  return null;
end
$body$`.execute(db);
    await sql`create trigger webhook_outbox after insert on ${q('audit_events')} for each row
when (new.account_id is not null) execute function ${q('webhook_outbox')}()`.execute(db);
  } else {
    await sql`create trigger webhook_outbox after insert on audit_events
when new.account_id is not null
begin
  insert into webhook_deliveries (${columns})
  select s.endpoint_id, new.id, new.account_id, new.type, 'pending', 0, new.at, 0, new.at
  from webhook_subscriptions s
  where s.account_id = new.account_id and s.event_type = new.type;
end`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`drop trigger if exists webhook_outbox on audit_events`.execute(db);
    await sql`drop function if exists webhook_outbox()`.execute(db);
  } else {
    await sql`drop trigger if exists webhook_outbox`.execute(db);
  }
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.dropTable('webhook_subscriptions').execute();
  await db.schema.dropTable('webhook_endpoints').execute();
}
