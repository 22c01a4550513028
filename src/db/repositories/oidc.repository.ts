import type { QueryTarget } from '../prepared.js';
import type { OidcClientsTable, OidcKeysTable, OidcPayloadsTable } from '../schema.js';

/**
 * twofold as an OpenID Provider (decision 029): the applications, what oidc-provider stores
 * (by hashed id), and the ID-token signing keys. Revoking a user or a client deletes its rows, so
 * every instance refuses its tokens at the next request: the provider keeps no cache of them.
 */
export function createOidcRepository(target: QueryTarget) {
  const deleted = (result: { numDeletedRows: bigint }[]) => Number(result[0]?.numDeletedRows ?? 0n);
  return {
    insertClient: (client: OidcClientsTable) => target.db.insertInto('oidc_clients').values(client).execute(),
    findClient: (id: string) =>
      target.db.selectFrom('oidc_clients').selectAll().where('id', '=', id).executeTakeFirst(),
    listClients: (accountId: string) =>
      target.db
        .selectFrom('oidc_clients')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    updateClient: (
      id: string,
      changes: Partial<Pick<OidcClientsTable, 'name' | 'redirect_uris' | 'post_logout_redirect_uris' | 'updated_at'>>,
    ) => target.db.updateTable('oidc_clients').set(changes).where('id', '=', id).execute(),
    deleteClient: async (id: string) =>
      deleted(await target.db.deleteFrom('oidc_clients').where('id', '=', id).execute()),
    /** An account's applications go with it (its closure); their rows in `oidc_payloads` first. */
    deleteClientsOf: async (accountId: string) => {
      const ids = (
        await target.db.selectFrom('oidc_clients').select('id').where('account_id', '=', accountId).execute()
      ).map((r) => r.id);
      if (ids.length === 0) return;
      await target.db.deleteFrom('oidc_payloads').where('client_id', 'in', ids).execute();
      await target.db.deleteFrom('oidc_clients').where('account_id', '=', accountId).execute();
    },

    upsertPayload: (row: OidcPayloadsTable) =>
      target.db
        .insertInto('oidc_payloads')
        .values(row)
        .onConflict((c) =>
          c.columns(['model', 'id_hash']).doUpdateSet({
            payload: row.payload,
            grant_hash: row.grant_hash,
            uid_hash: row.uid_hash,
            user_id: row.user_id,
            client_id: row.client_id,
            expires_at: row.expires_at,
          }),
        )
        .execute(),
    findPayload: (model: string, idHash: string) =>
      target.db
        .selectFrom('oidc_payloads')
        .select(['payload', 'expires_at', 'consumed_at'])
        .where('model', '=', model)
        .where('id_hash', '=', idHash)
        .executeTakeFirst(),
    findPayloadByUid: (model: string, uidHash: string) =>
      target.db
        .selectFrom('oidc_payloads')
        .select(['id_hash', 'payload', 'expires_at', 'consumed_at'])
        .where('model', '=', model)
        .where('uid_hash', '=', uidHash)
        .executeTakeFirst(),
    /** A user's newest live grant to an application. */
    findGrant: (userId: string, clientId: string, now: number) =>
      target.db
        .selectFrom('oidc_payloads')
        .select('payload')
        .where('model', '=', 'Grant')
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .where('expires_at', '>', now)
        .orderBy('expires_at', 'desc')
        .executeTakeFirst(),
    consumePayload: (model: string, idHash: string, now: number) =>
      target.db
        .updateTable('oidc_payloads')
        .set({ consumed_at: now })
        .where('model', '=', model)
        .where('id_hash', '=', idHash)
        .execute(),
    destroyPayload: (model: string, idHash: string) =>
      target.db.deleteFrom('oidc_payloads').where('model', '=', model).where('id_hash', '=', idHash).execute(),
    /** A grant and everything issued under it (RFC 6749 §10.5, §4.1.2: a reused code revokes them). */
    revokeGrant: async (grantHash: string) =>
      deleted(await target.db.deleteFrom('oidc_payloads').where('grant_hash', '=', grantHash).execute()),
    /** Every grant, token and provider session of a user (disabled, reset, recovered). */
    revokeUser: async (userId: string) =>
      deleted(await target.db.deleteFrom('oidc_payloads').where('user_id', '=', userId).execute()),
    /** Every grant and token issued to an application (deleted). */
    revokeClient: async (clientId: string) =>
      deleted(await target.db.deleteFrom('oidc_payloads').where('client_id', '=', clientId).execute()),
    /** The user's live grants (the applications it signed in to), for revocation's audit. */
    countUserGrants: async (userId: string, now: number) =>
      Number(
        (
          await target.db
            .selectFrom('oidc_payloads')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('user_id', '=', userId)
            .where('model', '=', 'Grant')
            .where('expires_at', '>', now)
            .executeTakeFirst()
        )?.n ?? 0,
      ),

    listKeys: () =>
      target.db.selectFrom('oidc_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid').execute(),
    insertKey: (key: OidcKeysTable) => target.db.insertInto('oidc_keys').values(key).execute(),
    retireKeys: (kids: string[], now: number, expiresAt: number) =>
      kids.length === 0
        ? Promise.resolve()
        : target.db
            .updateTable('oidc_keys')
            .set({ retired_at: now, expires_at: expiresAt })
            .where('kid', 'in', kids)
            .execute(),
  };
}
