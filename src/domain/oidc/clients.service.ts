import { AppError } from '../../errors/app-error.js';
import type { OidcClientsTable } from '../../db/schema.js';
import {
  checkClientName,
  checkRedirectUris,
  clientView,
  requireRedirectUri,
  type OidcClientView,
  newClientRow,
} from './client-rules.js';

export { MAX_REDIRECT_URIS, redirectUriProblem, type OidcClientView } from './client-rules.js';
import type { Store } from '../../db/repositories/index.js';
import type { Clock, RandomBytes } from '../../crypto/random.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import type { SensitiveOperationId } from '../step-up/sensitive-operations.js';

export interface NewOidcClient {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  type: 'public' | 'confidential';
  workspaceId?: string;
  firstParty?: boolean;
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
    if (principal.kind !== 'root') throw new AppError('auth.forbidden', (m) => m.oidc.onlyPrimaryManages);
  }

  async function ownClient(principal: Principal, id: string) {
    const row = id.length <= 64 ? await store.repos.oidc.findClient(id) : undefined;
    // Another account's application is "not found": its existence is not told.
    if (!row || row.account_id !== principal.accountId)
      throw new AppError('oidc.client_not_found', (m) => m.oidc.clientNotFound);
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
      return (await store.repos.oidc.listClients(principal.accountId)).map(clientView);
    },

    async get(principal: Principal, id: string): Promise<OidcClientView> {
      ownerOnly(principal);
      return clientView(await ownClient(principal, id));
    },

    async create(
      principal: Principal,
      input: NewOidcClient,
      meta: RequestMeta,
    ): Promise<{ client: OidcClientView; clientSecret?: string }> {
      ownerOnly(principal);
      const name = checkClientName(input.name);
      requireRedirectUri(input.redirectUris);
      const redirectUris = checkRedirectUris('redirectUris', input.redirectUris);
      const postLogout = checkRedirectUris('postLogoutRedirectUris', input.postLogoutRedirectUris ?? []);
      if (input.workspaceId !== undefined) {
        const workspace =
          input.workspaceId.length <= 64 ? await store.repos.workspaces.find(input.workspaceId) : undefined;
        if (!workspace || workspace.account_id !== principal.accountId)
          throw new AppError('workspace.not_found', (m) => m.oidc.workspaceNotFound);
      }
      await deps.stepUp.requireFresh(principal, 'oidc.create_client');
      const now = clock();
      const { row, secret } = newClientRow(
        random,
        {
          ...input,
          accountId: principal.accountId,
          createdBy: principal.userId,
          name,
          redirectUris,
          postLogoutRedirectUris: postLogout,
        },
        now,
      );
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
      return { client: clientView(row), ...(secret ? { clientSecret: secret } : {}) };
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
      if (changes.name !== undefined) set.name = checkClientName(changes.name);
      if (changes.redirectUris !== undefined) {
        requireRedirectUri(changes.redirectUris);
        set.redirect_uris = JSON.stringify(checkRedirectUris('redirectUris', changes.redirectUris));
      }
      if (changes.postLogoutRedirectUris !== undefined)
        set.post_logout_redirect_uris = JSON.stringify(
          checkRedirectUris('postLogoutRedirectUris', changes.postLogoutRedirectUris),
        );
      // Where codes and sign-outs are sent is what a stolen session would change to collect them.
      if (set.redirect_uris !== undefined || set.post_logout_redirect_uris !== undefined)
        await deps.stepUp.requireFresh(principal, 'oidc.change_client');
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
      return clientView({ ...row, ...set });
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
