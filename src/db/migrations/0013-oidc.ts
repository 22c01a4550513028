import { sql, type Kysely } from 'kysely';

/**
 * twofold as an OpenID Provider (decision 029):
 * - `oidc_clients`: the applications an account registers (its own table: the console and API
 *   manage them; the provider reads them through the adapter). A confidential client's secret is
 *   kept only as its SHA-256 (RFC 6819 §5.1.4.1.3: the secret is 256 random bits, so a fast hash
 *   is enough).
 * - `oidc_payloads`: every other thing the provider stores (sessions, interactions, grants, codes,
 *   access and refresh tokens), one row per model and id. Ids are kept as SHA-256 hashes: a token
 *   *is* its id, so a database dump holds no usable token (decision 023).
 * - `oidc_keys`: the ID-token signing keys, sealed with the instance key like TOTP secrets.
 * - a session records what its login proved (`amr`, RFC 8176) and when (`authenticated_at`), for
 *   the ID token's `amr`, `acr` and `auth_time`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('oidc_clients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('redirect_uris', 'text', (c) => c.notNull())
    .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text')
    .addColumn('first_party', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('secret_hash', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oidc_clients_account').on('oidc_clients').column('account_id').execute();

  await db.schema
    .createTable('oidc_payloads')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id_hash', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_hash', 'text')
    .addColumn('uid_hash', 'text')
    .addColumn('user_id', 'text')
    .addColumn('client_id', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('consumed_at', 'bigint')
    .addPrimaryKeyConstraint('oidc_payloads_pk', ['model', 'id_hash'])
    .execute();
  await db.schema.createIndex('oidc_payloads_grant').on('oidc_payloads').column('grant_hash').execute();
  await db.schema.createIndex('oidc_payloads_uid').on('oidc_payloads').column('uid_hash').execute();
  await db.schema.createIndex('oidc_payloads_user').on('oidc_payloads').column('user_id').execute();
  await db.schema.createIndex('oidc_payloads_client').on('oidc_payloads').column('client_id').execute();
  await db.schema.createIndex('oidc_payloads_expiry').on('oidc_payloads').column('expires_at').execute();

  await db.schema
    .createTable('oidc_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('private_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // Set when a newer key took over signing; the key stays published until `expires_at`.
    .addColumn('retired_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .execute();

  await db.schema
    .alterTable('sessions')
    .addColumn('amr', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('sessions')
    .addColumn('authenticated_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db
    .updateTable('sessions')
    .set({ authenticated_at: sql`created_at`, amr: sql`case when mfa_verified = 1 then 'pwd,mfa' else 'pwd' end` })
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('authenticated_at').execute();
  await db.schema.alterTable('sessions').dropColumn('amr').execute();
  await db.schema.dropTable('oidc_keys').execute();
  await db.schema.dropTable('oidc_payloads').execute();
  await db.schema.dropTable('oidc_clients').execute();
}
