/**
 * What an API token may be allowed to do (API.md "API tokens"). A route names the one scope it
 * needs; a route that names none refuses every token (`403 token.scope`): the list of what a token
 * can reach is the list of routes that say so, closed by default.
 */
export const apiScopes = {
  'users:read': 'Read sub-users and their MFA state',
  'users:write': 'Create, rename, disable, enable and delete sub-users',
  'mfa:reset': "Reset a sub-user's MFA, with a reason",
  'audit:read': 'Read the audit log',
  'workspaces:read': 'Read workspaces and their members',
  'workspaces:write': 'Create, change and delete workspaces and their members',
} as const;
export type ApiScope = keyof typeof apiScopes;
export const apiScopeNames = Object.keys(apiScopes) as ApiScope[];

/** The token a call is made with (on its principal); the call acts as its owner, narrowed to `scopes`. */
export interface TokenGrant {
  id: string;
  name: string;
  scopes: ApiScope[];
}
