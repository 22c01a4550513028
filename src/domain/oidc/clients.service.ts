import { AppError } from '../../errors/app-error.js';
import type { OidcClientsTable } from '../../db/schema.js';
import type { Store } from '../../db/repositories/index.js';
import { newId, newSecret, sha256Hex, type Clock, type RandomBytes } from '../../crypto/random.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import type { SensitiveOperationId } from '../step-up/sensitive-operations.js';

export interface OidcClientView {
  id: string;
  name: string;
  type: 'public' | 'confidential';
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  workspaceId: string | null;
  firstParty: boolean;
  createdAt: number;
}

export interface NewOidcClient {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  type: 'public' | 'confidential';
  workspaceId?: string;
  firstParty?: boolean;
}

/** At most this many redirect URIs of each kind per application: a list to read, not a pattern. */
export const MAX_REDIRECT_URIS = 10;

/**
 * A redirect URI an application may use: an absolute https URL, or http on the loopback host only
 * (RFC 8252 §7.3, OAuth 2.0 Security BCP RFC 9700 §2.1: exact match, no fragment, no wildcard).
 * Returns why not, or null.
 */
export function redirectUriProblem(value: string): string | null {
  if (value.length > 2000) return 'is longer than 2000 characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.hash || value.includes('#')) return 'must not have a #fragment (RFC 6749 §3.1.2)';
  if (url.username || url.password) return 'must not carry a user name or password';
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && loopback) return null;
  return 'must use https (http only on localhost, 127.0.0.1 or [::1])';
}

function viewOf(row: OidcClientsTable): OidcClientView {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
    workspaceId: row.workspace_id,
    firstParty: row.first_party === 1,
    createdAt: row.created_at,
  };
}

/**
 * The applications a primary account lets its users sign in to (API.md "OpenID Connect provider",
 * decision 029): register (the secret once), list, change, delete. Only the primary account
 * manages them; registering and deleting are sensitive operations.
 */
export function createOidcClientsService(deps: {
  store: Store;
  audit: AuditRecorder;
  clock: Clock;
  random: RandomBytes;
  stepUp: { requireFresh(principal: Principal, operation: SensitiveOperationId): Promise<void> };
}) {
  const { store, audit, clock, random } = deps;

  function ownerOnly(principal: Principal) {
    if (principal.kind !== 'root')
      throw new AppError('auth.forbidden', 'Only the primary account registers and manages applications.');
  }

  function checkUris(field: string, uris: string[]) {
    if (uris.length > MAX_REDIRECT_URIS)
      throw invalid(field, `at most ${MAX_REDIRECT_URIS} URIs`, `Give at most ${MAX_REDIRECT_URIS} addresses.`);
    for (const [i, uri] of uris.entries()) {
      const problem = redirectUriProblem(uri);
      if (problem) throw invalid(`${field}/${i}`, problem, `${uri.slice(0, 200)} ${problem}.`);
    }
    return [...new Set(uris)];
  }
  function invalid(path: string, problem: string, message: string) {
    return new AppError('validation.failed', message, {
      details: { fields: [{ path: `/${path}`, message: problem }] },
    });
  }
  function checkName(name: string) {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100 || /[\p{Cc}\p{Cf}]/u.test(trimmed))
      throw invalid(
        'name',
        'must be 1 to 100 printable characters',
        'Give the application a name (1 to 100 characters).',
      );
    return trimmed;
  }

  async function ownClient(principal: Principal, id: string) {
    const row = id.length <= 64 ? await store.repos.oidc.findClient(id) : undefined;
    // Another account's application is "not found": its existence is not told.
    if (!row || row.account_id !== principal.accountId)
      throw new AppError('oidc.client_not_found', 'No such application in your account.');
    return row;
  }

  const event = (principal: Principal, meta: RequestMeta) => ({
    accountId: principal.accountId,
    userId: principal.userId,
    actorId: principal.userId,
    ip: meta.ip,
    userAgent: meta.userAgent,
  });

  return {
    async list(principal: Principal): Promise<OidcClientView[]> {
      ownerOnly(principal);
      return (await store.repos.oidc.listClients(principal.accountId)).map(viewOf);
    },

    async get(principal: Principal, id: string): Promise<OidcClientView> {
      ownerOnly(principal);
      return viewOf(await ownClient(principal, id));
    },

    async create(
      principal: Principal,
      input: NewOidcClient,
      meta: RequestMeta,
    ): Promise<{ client: OidcClientView; clientSecret?: string }> {
      ownerOnly(principal);
      const name = checkName(input.name);
      if (input.redirectUris.length === 0)
        throw invalid('redirectUris', 'at least one URI', 'Give at least one redirect URI.');
      const redirectUris = checkUris('redirectUris', input.redirectUris);
      const postLogout = checkUris('postLogoutRedirectUris', input.postLogoutRedirectUris ?? []);
      if (input.workspaceId !== undefined) {
        const workspace =
          input.workspaceId.length <= 64 ? await store.repos.workspaces.find(input.workspaceId) : undefined;
        if (!workspace || workspace.account_id !== principal.accountId)
          throw new AppError('workspace.not_found', 'No such workspace in your account.');
      }
      await deps.stepUp.requireFresh(principal, 'oidc.create_client');
      const now = clock();
      // RFC 6749 §2.3.1: a confidential client authenticates with a secret; 256 random bits, shown once.
      const secret = input.type === 'confidential' ? `tfc_${newSecret(random)}` : undefined;
      const row: OidcClientsTable = {
        id: newId(random),
        account_id: principal.accountId,
        name,
        type: input.type,
        redirect_uris: JSON.stringify(redirectUris),
        post_logout_redirect_uris: JSON.stringify(postLogout),
        workspace_id: input.workspaceId ?? null,
        first_party: input.firstParty ? 1 : 0,
        secret_hash: secret ? sha256Hex(secret) : null,
        created_by: principal.userId,
        created_at: now,
        updated_at: now,
      };
      await store.transaction(async (repos) => {
        await repos.oidc.insertClient(row);
        await audit(
          repos,
          {
            type: 'oidc.client_created',
            ...event(principal, meta),
            details: { clientId: row.id, name, clientType: row.type, workspaceId: row.workspace_id },
          },
          now,
        );
      });
      return { client: viewOf(row), ...(secret ? { clientSecret: secret } : {}) };
    },

    async update(
      principal: Principal,
      id: string,
      changes: { name?: string; redirectUris?: string[]; postLogoutRedirectUris?: string[] },
      meta: RequestMeta,
    ): Promise<OidcClientView> {
      ownerOnly(principal);
      const row = await ownClient(principal, id);
      const now = clock();
      const set: Partial<OidcClientsTable> = { updated_at: now };
      if (changes.name !== undefined) set.name = checkName(changes.name);
      if (changes.redirectUris !== undefined) {
        if (changes.redirectUris.length === 0)
          throw invalid('redirectUris', 'at least one URI', 'Give at least one redirect URI.');
        set.redirect_uris = JSON.stringify(checkUris('redirectUris', changes.redirectUris));
      }
      if (changes.postLogoutRedirectUris !== undefined)
        set.post_logout_redirect_uris = JSON.stringify(
          checkUris('postLogoutRedirectUris', changes.postLogoutRedirectUris),
        );
      await store.transaction(async (repos) => {
        await repos.oidc.updateClient(id, set);
        await audit(
          repos,
          {
            type: 'oidc.client_updated',
            ...event(principal, meta),
            details: { clientId: id, changed: Object.keys(changes).sort().join(',') },
          },
          now,
        );
      });
      return viewOf({ ...row, ...set });
    },

    /** Deletes an application; every grant, code and token issued to it goes in the same transaction. */
    async remove(principal: Principal, id: string, meta: RequestMeta): Promise<void> {
      ownerOnly(principal);
      await deps.stepUp.requireFresh(principal, 'oidc.delete_client');
      const row = await ownClient(principal, id);
      const now = clock();
      await store.transaction(async (repos) => {
        const revoked = await repos.oidc.revokeClient(id);
        await repos.oidc.deleteClient(id);
        await audit(
          repos,
          {
            type: 'oidc.client_deleted',
            ...event(principal, meta),
            details: { clientId: id, name: row.name, revokedRows: revoked },
          },
          now,
        );
      });
    },
  };
}
export type OidcClientsService = ReturnType<typeof createOidcClientsService>;
