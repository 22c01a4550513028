import { sql, type Kysely } from 'kysely';

/**
 * Several MFA devices per user, passkeys among them (decision 027, decision 028):
 * - the unique "one active device per user" index goes (the limit of 8 is checked on activation);
 * - a device has a type, a name the person picks and a last-used time; a passkey keeps its
 *   credential id (unique over all users), COSE public key, signature counter, transports, whether
 *   it is backed up (synced) and its AAGUID. A passkey has no secret: `secret_sealed` stays ''.
 * - WebAuthn challenges are kept by the SHA-256 of the challenge itself, single use, with the
 *   ceremony they belong to (W3C WebAuthn Level 3 §13.4.3: the server makes and checks them).
 * - a session remembers whether it proved a phishing-resistant factor, and a workspace may require one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('mfa_devices_one_active').execute();
  for (const [column, type] of [
    ['type', 'text'],
    ['name', 'text'],
    ['last_used_at', 'bigint'],
    ['credential_id', 'text'],
    ['public_key', 'text'],
    ['transports', 'text'],
    ['aaguid', 'text'],
  ] as const)
    await db.schema.alterTable('mfa_devices').addColumn(column, type).execute();
  await db.schema
    .alterTable('mfa_devices')
    .addColumn('sign_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('mfa_devices')
    .addColumn('backed_up', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db
    .updateTable('mfa_devices')
    .set({ type: 'totp', name: 'Authenticator app', last_used_at: sql`bound_at` })
    .execute();
  // Unique among active passkeys: a removed key may be registered again.
  await db.schema
    .createIndex('mfa_devices_credential')
    .on('mfa_devices')
    .column('credential_id')
    .unique()
    .where(sql.ref('status'), '=', 'active')
    .execute();

  await db.schema
    .createTable('webauthn_challenges')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('device_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  // The password step decides whether this login must add a passkey (a phishing-resistant workspace
  // whose grace period is over, and no passkey yet); the code step reads it with its try.
  await db.schema
    .alterTable('login_challenges')
    .addColumn('must_add_passkey', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('sessions')
    .addColumn('phishing_resistant', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('workspaces')
    .addColumn('phishing_resistant', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // When the passkey requirement began: its grace period counts from here, not from when MFA did.
  await db.schema.alterTable('workspaces').addColumn('phishing_resistant_since', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workspaces').dropColumn('phishing_resistant_since').execute();
  await db.schema.alterTable('workspaces').dropColumn('phishing_resistant').execute();
  await db.schema.alterTable('sessions').dropColumn('phishing_resistant').execute();
  await db.schema.alterTable('login_challenges').dropColumn('must_add_passkey').execute();
  await db.schema.dropTable('webauthn_challenges').execute();
  await db.schema.dropIndex('mfa_devices_credential').execute();
  for (const column of [
    'type',
    'name',
    'last_used_at',
    'credential_id',
    'public_key',
    'transports',
    'aaguid',
    'sign_count',
    'backed_up',
  ])
    await db.schema.alterTable('mfa_devices').dropColumn(column).execute();
}
