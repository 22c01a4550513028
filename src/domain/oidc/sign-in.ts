import type { OidcClientsTable, UsersTable } from '../../db/schema.js';
import type { Repositories, Store } from '../../db/repositories/index.js';
import type { Clock } from '../../crypto/random.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import { ACR, ACR_LEVELS, acrOf, parseAmr, type Acr, type AuthMethod } from '../sessions/amr.js';

/** The login name a person types: a primary account's e-mail, or a sub-user's `username@alias`. */
async function loginNameOf(repos: Repositories, user: UsersTable): Promise<string> {
  if (user.kind === 'root' || !user.username) return user.email ?? user.id;
  const account = await repos.users.findAccountById(user.account_id);
  return account ? `${user.username}@${account.alias}` : user.username;
}

/** An application as the sign-in sees it (its row). */
export type OidcClient = OidcClientsTable;

/** Why an application's sign-in is refused to a signed-in person. No code is issued for them. */
export type Refusal = 'other_account' | 'not_member' | 'disabled';

/**
 * Where an authorization request's interaction goes next (decision 029), given the console
 * session the browser has. Every step is one of the console's own pages: the sign-in behind an
 * application is the console's, never a second, thinner path.
 */
export type NextStep =
  | { step: 'sign_in'; fresh: boolean }
  | { step: 'restricted' }
  | { step: 'refuse'; why: Refusal }
  | { step: 'bind' }
  | { step: 'passkey'; hasPasskey: boolean }
  | { step: 'ready'; acr: Acr; amr: AuthMethod[]; authTime: number };

export interface InteractionRequest {
  /** `prompt` asks for `login`: every factor again (OpenID Connect Core §3.1.2.1). */
  promptLogin: boolean;
  /** `max_age` in seconds, when given. */
  maxAge: number | undefined;
  /** `acr_values`, space-separated, as sent. */
  acrValues: string | undefined;
  /**
   * When the console sent the browser to sign in again for this request (ms), or null: a sign-in
   * at or after it is fresh. The console's clock throughout, like the session's times.
   */
  freshSince: number | null;
}

/** The weakest of the requested classes twofold knows (any of them satisfies the request), or null. */
export function requestedAcr(acrValues: string | undefined): Acr | null {
  const known = (acrValues ?? '')
    .split(' ')
    .map((v) => ACR_LEVELS.indexOf(v as Acr))
    .filter((i) => i >= 0);
  return known.length ? ACR_LEVELS[Math.min(...known)]! : null;
}

const stronger = (a: Acr | null, b: Acr | null): Acr | null =>
  a === null ? b : b === null ? a : ACR_LEVELS.indexOf(a) >= ACR_LEVELS.indexOf(b) ? a : b;

/**
 * Who may sign in to an application and what the sign-in must have proved (API.md "OpenID Connect
 * provider"): the users of the application's account — only the members of its workspace, when it
 * names one, under that workspace's MFA policy — with the class `acr_values` asks for.
 */
export function createOidcSignIn(deps: { store: Store; clock: Clock; audit: AuditRecorder }) {
  const { store, clock } = deps;

  /** The class a workspace's policy requires of its members now (after its grace period), or null. */
  function workspaceAcr(
    workspace: {
      mfa_required: number;
      grace_days: number;
      policy_since: number | null;
      phishing_resistant: number;
      phishing_resistant_since: number | null;
    },
    now: number,
  ): Acr | null {
    if (workspace.mfa_required !== 1) return null;
    const grace = workspace.grace_days * 86_400_000;
    if (workspace.phishing_resistant === 1 && (workspace.phishing_resistant_since ?? 0) + grace <= now)
      return ACR.phishingResistant;
    return (workspace.policy_since ?? 0) + grace <= now ? ACR.mfa : null;
  }

  /** Whether this user may use this application, and the class its workspace requires. */
  async function access(
    repos: Repositories,
    user: UsersTable | undefined,
    client: OidcClientsTable,
    now: number,
  ): Promise<{ ok: true; required: Acr | null } | { ok: false; why: Refusal }> {
    if (!user || user.disabled_at !== null) return { ok: false, why: 'disabled' };
    if (user.account_id !== client.account_id) return { ok: false, why: 'other_account' };
    if (client.workspace_id === null) return { ok: true, required: null };
    const workspace = await repos.workspaces.find(client.workspace_id);
    const member = workspace ? await repos.workspaces.membership(workspace.id, user.id) : undefined;
    if (!workspace || !member) return { ok: false, why: 'not_member' };
    return { ok: true, required: workspaceAcr(workspace, now) };
  }

  return {
    client: (id: string) => (id.length <= 64 ? store.repos.oidc.findClient(id) : Promise.resolve(undefined)),

    /** A workspace's name, for a refusal that says which workspace admits the application's users. */
    workspaceName: async (id: string) => (await store.repos.workspaces.find(id))?.name ?? null,

    /** The interaction's next step for the browser's console session (`principal`, or none). */
    async nextStep(
      principal: Principal | null,
      client: OidcClientsTable,
      request: InteractionRequest,
    ): Promise<NextStep> {
      if (!principal) return { step: 'sign_in', fresh: false };
      const now = clock();
      const user = await store.repos.users.findUserById(principal.userId);
      const allowed = await access(store.repos, user, client, now);
      if (!allowed.ok) return { step: 'refuse', why: allowed.why };
      if (principal.restricted) return { step: 'restricted' };
      const authenticatedAt = principal.authenticatedAt ?? 0;
      const fresh = request.freshSince !== null && authenticatedAt >= request.freshSince;
      if (request.promptLogin && !fresh) return { step: 'sign_in', fresh: true };
      if (request.maxAge !== undefined && now - authenticatedAt > request.maxAge * 1000 && !fresh)
        return { step: 'sign_in', fresh: true };
      const amr = parseAmr(principal.amr ?? '');
      const acr = acrOf(amr);
      const required = stronger(requestedAcr(request.acrValues), allowed.required);
      if (required !== null && ACR_LEVELS.indexOf(acr) < ACR_LEVELS.indexOf(required)) {
        const devices = await store.repos.mfaDevices.listActive(principal.userId);
        if (required === ACR.phishingResistant)
          return { step: 'passkey', hasPasskey: devices.some((d) => d.type === 'webauthn') };
        // MFA asked for and none proved: a person without a device binds one first; one who has a
        // device signs in again with it.
        return devices.length === 0 ? { step: 'bind' } : { step: 'sign_in', fresh: true };
      }
      return { step: 'ready', acr, amr, authTime: Math.floor(authenticatedAt / 1000) };
    },

    /**
     * What the provider checks before it reuses its own session for an application, without the
     * console's pages (decision 029): whether the user may still use it, and the class its
     * workspace requires now — a grace period may have ended since the session signed in.
     */
    async requiredFor(userId: string, clientId: string): Promise<{ ok: true; required: Acr | null } | { ok: false }> {
      const client = clientId.length <= 64 ? await store.repos.oidc.findClient(clientId) : undefined;
      const user = userId.length <= 64 ? await store.repos.users.findUserById(userId) : undefined;
      if (!client) return { ok: false };
      const allowed = await access(store.repos, user, client, clock());
      return allowed.ok ? allowed : { ok: false };
    },

    /**
     * The claims of a user for an application (OpenID Connect Core §5.1), or undefined when the user
     * may no longer use it (disabled, left the workspace): the provider then issues nothing.
     */
    async account(userId: string, clientId: string | undefined) {
      const now = clock();
      const user = userId.length <= 64 ? await store.repos.users.findUserById(userId) : undefined;
      if (!user || user.disabled_at !== null) return undefined;
      if (clientId !== undefined) {
        const client = await store.repos.oidc.findClient(clientId);
        if (!client || !(await access(store.repos, user, client, now)).ok) return undefined;
      }
      return {
        sub: user.id,
        name: user.display_name || undefined,
        preferred_username: await loginNameOf(store.repos, user),
        email: user.email ?? undefined,
        // twofold does not confirm addresses with a link yet: it claims no verification it did not do.
        email_verified: user.email ? false : undefined,
      };
    },

    /** A sign-in the console completed for an application: audited with what it proved. */
    async signedIn(principal: Principal, client: OidcClientsTable, acr: Acr, amr: AuthMethod[], meta: RequestMeta) {
      const now = clock();
      await store.transaction((repos) =>
        deps.audit(
          repos,
          {
            type: 'oidc.signed_in',
            accountId: principal.accountId,
            userId: principal.userId,
            ip: meta.ip,
            userAgent: meta.userAgent,
            details: { clientId: client.id, name: client.name, acr, amr: amr.join(',') },
          },
          now,
        ),
      );
    },

    async consentGiven(principal: Principal, client: OidcClientsTable, scope: string, meta: RequestMeta) {
      const now = clock();
      await store.transaction((repos) =>
        deps.audit(
          repos,
          {
            type: 'oidc.consent_given',
            accountId: principal.accountId,
            userId: principal.userId,
            ip: meta.ip,
            userAgent: meta.userAgent,
            details: { clientId: client.id, name: client.name, scope },
          },
          now,
        ),
      );
    },

    /** A refusal: the console's (who may not sign in) or the provider's (an OAuth error). */
    async refused(
      event: {
        accountId: string | null;
        userId: string | null;
        clientId: string | null;
        reason: string;
        endpoint: string;
      },
      meta: RequestMeta,
    ) {
      const now = clock();
      await store.transaction((repos) =>
        deps.audit(
          repos,
          {
            type: 'oidc.refused',
            accountId: event.accountId,
            userId: event.userId,
            ip: meta.ip,
            userAgent: meta.userAgent,
            details: { clientId: event.clientId, reason: event.reason.slice(0, 100), endpoint: event.endpoint },
          },
          now,
        ),
      );
    },

    /** RP-initiated logout ended the provider's session (and the console's, in the same browser). */
    async signedOut(principal: Principal | null, clientId: string | null, meta: RequestMeta) {
      if (!principal) return;
      const now = clock();
      await store.transaction(async (repos) => {
        await repos.sessions.end(principal.sessionId, now, 'signed_out');
        await deps.audit(
          repos,
          {
            type: 'oidc.signed_out',
            accountId: principal.accountId,
            userId: principal.userId,
            ip: meta.ip,
            userAgent: meta.userAgent,
            details: { clientId },
          },
          now,
        );
      });
    },
  };
}
export type OidcSignIn = ReturnType<typeof createOidcSignIn>;

/**
 * Revokes every grant, token and provider session of a user, inside the caller's transaction
 * (disabling, an MFA reset, a completed lost-device ticket): every instance refuses them at once.
 */
export async function revokeOidcGrants(
  repos: Repositories,
  audit: AuditRecorder,
  user: { id: string; account_id: string },
  reason: string,
  now: number,
): Promise<void> {
  const grants = await repos.oidc.countUserGrants(user.id, now);
  const rows = await repos.oidc.revokeUser(user.id);
  if (rows === 0) return;
  await audit(
    repos,
    { type: 'oidc.grants_revoked', accountId: user.account_id, userId: user.id, details: { reason, grants } },
    now,
  );
}
