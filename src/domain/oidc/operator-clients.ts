import { AppError } from '../../errors/app-error.js';
import type { Store } from '../../db/repositories/index.js';
import type { Clock, RandomBytes } from '../../crypto/random.js';
import type { AuditRecorder } from '../audit/audit.js';
import { normalizeEmail } from '../users/user-views.js';
import type { NewOidcClient } from './clients.service.js';
import {
  checkClientName,
  checkRedirectUris,
  clientView,
  requireRedirectUri,
  type OidcClientView,
  newClientRow,
} from './client-rules.js';

/** How the CLI's changes are told apart in the audit log: no session, no actor. */
const VIA_CLI = { via: 'cli' } as const;

/**
 * The applications as the operator of the server manages them from the CLI (`twofold oidc client …`):
 * with database access and no session, so no step-up; the same rules as the console and the API
 * (redirect URIs, name, the account's own workspace), audited with no actor and `via: 'cli'`.
 */
export function createOidcOperatorClients(deps: {
  store: Store;
  audit: AuditRecorder;
  clock: Clock;
  random: RandomBytes;
}) {
  const { store, audit, clock, random } = deps;

  /** The primary account that logs in with this e-mail address. */
  async function primaryByEmail(email: string) {
    const user = await store.repos.users.findRootByEmail(normalizeEmail(email));
    if (!user) throw new AppError('auth.invalid_credentials', (m) => m.oidc.noPrimaryAccount(email));
    return user;
  }

  return {
    /** Registers an application for the primary account `email`; a confidential one gets its secret here only. */
    async add(email: string, input: NewOidcClient): Promise<{ client: OidcClientView; clientSecret?: string }> {
      const owner = await primaryByEmail(email);
      const name = checkClientName(input.name);
      requireRedirectUri(input.redirectUris);
      const redirectUris = checkRedirectUris('redirectUris', input.redirectUris, '--redirect-uri');
      const postLogout = checkRedirectUris(
        'postLogoutRedirectUris',
        input.postLogoutRedirectUris ?? [],
        '--post-logout-uri',
      );
      const { workspaceId } = input;
      if (workspaceId !== undefined) {
        const workspace = workspaceId.length <= 64 ? await store.repos.workspaces.find(workspaceId) : undefined;
        if (!workspace || workspace.account_id !== owner.account_id)
          throw new AppError('workspace.not_found', (m) => m.oidc.noWorkspaceInAccount(workspaceId, email));
      }
      const now = clock();
      const { row, secret } = newClientRow(
        random,
        {
          ...input,
          accountId: owner.account_id,
          // The account's primary user stands for the operator (the column names a user).
          createdBy: owner.id,
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
            accountId: owner.account_id,
            userId: null,
            actorId: null,
            details: { clientId: row.id, name, clientType: row.type, workspaceId: row.workspace_id, ...VIA_CLI },
          },
          now,
        );
      });
      return { client: clientView(row), ...(secret ? { clientSecret: secret } : {}) };
    },

    /** The applications of the primary account `email`, oldest first (no secrets). */
    async list(email: string): Promise<OidcClientView[]> {
      const owner = await primaryByEmail(email);
      return (await store.repos.oidc.listClients(owner.account_id)).map(clientView);
    },

    /** Deletes an application: its grants, codes and tokens go in the same transaction. */
    async remove(clientId: string): Promise<{ client: OidcClientView; revokedRows: number }> {
      const row = clientId.length <= 64 ? await store.repos.oidc.findClient(clientId) : undefined;
      if (!row) throw new AppError('oidc.client_not_found', (m) => m.oidc.noClientId(clientId));
      const now = clock();
      const revokedRows = await store.transaction(async (repos) => {
        const revoked = await repos.oidc.revokeClient(row.id);
        await repos.oidc.deleteClient(row.id);
        await audit(
          repos,
          {
            type: 'oidc.client_deleted',
            accountId: row.account_id,
            userId: null,
            actorId: null,
            details: { clientId: row.id, name: row.name, revokedRows: revoked, ...VIA_CLI },
          },
          now,
        );
        return revoked;
      });
      return { client: clientView(row), revokedRows };
    },
  };
}
export type OidcOperatorClients = ReturnType<typeof createOidcOperatorClients>;
