import type { Repositories, Store } from '../../db/repositories/index.js';
import { sha256Hex, type Clock } from '../../crypto/random.js';
import type { AuditRecorder } from '../audit/audit.js';

/** What oidc-provider hands its adapter (its `AdapterPayload`, the parts we read). */
interface Payload {
  jti?: string;
  accountId?: string;
  clientId?: string;
  grantId?: string;
  uid?: string;
  scope?: string;
  consumed?: unknown;
  session?: { accountId?: string };
  [key: string]: unknown;
}

/** The client metadata oidc-provider reads for one application (OpenID Connect Registration §2). */
export interface ClientMetadata {
  client_id: string;
  client_name: string;
  client_secret?: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  token_endpoint_auth_method: 'none' | 'client_secret_basic' | 'client_secret_post';
  grant_types: string[];
  response_types: string[];
  id_token_signed_response_alg: string;
  [key: string]: unknown;
}

/** What is issued under a grant, and goes when the grant is revoked (oidc-provider's `grantable`). */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

/** What is audited when the provider stores it: every code and token issued (`oidc.*`). */
const ISSUED: Record<string, { type: 'oidc.code_issued' | 'oidc.token_issued'; kind?: string }> = {
  AuthorizationCode: { type: 'oidc.code_issued' },
  AccessToken: { type: 'oidc.token_issued', kind: 'access' },
  RefreshToken: { type: 'oidc.token_issued', kind: 'refresh' },
};

/**
 * oidc-provider's storage adapter over one table (`oidc_payloads`, decision 029), on SQLite and
 * PostgreSQL alike, so two instances serve one flow. Ids — and with them every token, since an
 * opaque token is its id — are kept only as SHA-256 hashes; the payload is stored without its
 * `jti` and given it back on read. Applications come from `oidc_clients`, which the console and
 * API manage: the `Client` model only reads. Codes and tokens are stored with their audit event in
 * one transaction.
 */
export function createOidcAdapter(deps: { store: Store; audit: AuditRecorder; clock: Clock }) {
  const { store, clock } = deps;

  async function clientMetadata(id: string): Promise<ClientMetadata | undefined> {
    const row = id.length <= 64 ? await store.repos.oidc.findClient(id) : undefined;
    if (!row) return undefined;
    return {
      client_id: row.id,
      client_name: row.name,
      // The SHA-256 of the secret, never the secret: the provider compares a presented secret's
      // hash with it (see the provider's compareClientSecret). No HS* algorithm is enabled, so the
      // provider never needs the secret itself as a key.
      ...(row.secret_hash ? { client_secret: row.secret_hash } : {}),
      redirect_uris: JSON.parse(row.redirect_uris) as string[],
      post_logout_redirect_uris: JSON.parse(row.post_logout_redirect_uris) as string[],
      token_endpoint_auth_method: row.type === 'public' ? 'none' : 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
    };
  }

  return class OidcAdapter {
    /** Ends the provider's session of this id (the console signed out in the same browser). */
    static async endSession(id: string): Promise<void> {
      if (id.length <= 200) await store.repos.oidc.destroyPayload('Session', sha256Hex(id));
    }

    /** The consent a user gave an application (its live grant's id), for a sign-in in a new session. */
    static async findGrant(userId: string, clientId: string): Promise<string | undefined> {
      const row = await store.repos.oidc.findGrant(userId, clientId, clock());
      return row ? (JSON.parse(row.payload) as Payload).jti : undefined;
    }

    constructor(private readonly model: string) {}

    async upsert(id: string, payload: Payload, expiresIn: number): Promise<void> {
      if (this.model === 'Client') return;
      const now = clock();
      // A grant's id is no credential (nothing is issued by presenting it): kept, so a new sign-in
      // finds the consent already given to the application (see `grants.find`).
      const { jti, ...withoutId } = payload;
      const rest = this.model === 'Grant' ? { ...withoutId, jti } : withoutId;
      const userId = payload.accountId ?? payload.session?.accountId ?? null;
      const row = {
        model: this.model,
        id_hash: sha256Hex(id),
        payload: JSON.stringify(rest),
        // Revoking a grant takes what was issued under it, and the grant itself — never an
        // interaction or a session that merely names it (as oidc-provider's own adapters do).
        grant_hash:
          this.model === 'Grant'
            ? sha256Hex(id)
            : payload.grantId && GRANTABLE.has(this.model)
              ? sha256Hex(payload.grantId)
              : null,
        uid_hash: payload.uid ? sha256Hex(payload.uid) : null,
        user_id: userId,
        client_id: payload.clientId ?? null,
        expires_at: now + expiresIn * 1000,
        consumed_at: null,
      };
      const issued = ISSUED[this.model];
      if (!issued || !userId) {
        await store.repos.oidc.upsertPayload(row);
        return;
      }
      await store.transaction(async (repos: Repositories) => {
        await repos.oidc.upsertPayload(row);
        const user = await repos.users.findUserById(userId);
        await deps.audit(
          repos,
          {
            type: issued.type,
            accountId: user?.account_id ?? null,
            userId,
            details: {
              clientId: payload.clientId ?? null,
              scope: payload.scope ?? null,
              ...(issued.kind ? { kind: issued.kind } : {}),
            },
          },
          now,
        );
      });
    }

    async find(id: string): Promise<Payload | ClientMetadata | undefined> {
      if (this.model === 'Client') return clientMetadata(id);
      const row = await store.repos.oidc.findPayload(this.model, sha256Hex(id));
      if (!row || row.expires_at <= clock()) return undefined;
      return {
        ...(JSON.parse(row.payload) as Payload),
        jti: id,
        ...(row.consumed_at !== null ? { consumed: Math.floor(row.consumed_at / 1000) } : {}),
      };
    }

    async findByUid(uid: string): Promise<Payload | undefined> {
      const row = await store.repos.oidc.findPayloadByUid(this.model, sha256Hex(uid));
      if (!row || row.expires_at <= clock()) return undefined;
      // The session's id is only kept hashed: a lookup by uid (back-channel logout) gets no jti.
      return { ...(JSON.parse(row.payload) as Payload), uid };
    }

    async findByUserCode(): Promise<undefined> {
      return undefined; // The device flow is off.
    }

    async consume(id: string): Promise<void> {
      await store.repos.oidc.consumePayload(this.model, sha256Hex(id), clock());
    }

    async destroy(id: string): Promise<void> {
      await store.repos.oidc.destroyPayload(this.model, sha256Hex(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.repos.oidc.revokeGrant(sha256Hex(grantId));
    }
  };
}
