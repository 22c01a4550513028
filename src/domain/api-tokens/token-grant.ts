/**
 * What an API token may be allowed to do (API.md "API tokens"). A route names the one scope it
 * needs; a route that names none refuses every token (`403 token.scope`): the list of what a token
 * can reach is the list of routes that say so, closed by default.
 */
export const apiScopeNames = [
  'users:read',
  'users:write',
  'mfa:reset',
  'audit:read',
  'workspaces:read',
  'workspaces:write',
] as const;
export type ApiScope = (typeof apiScopeNames)[number];
// What each allows, in words, is the console's catalogue (`apiTokens.scopeDescriptions`) and the README.

/** The token a call is made with (on its principal); the call acts as its owner, narrowed to `scopes`. */
export interface TokenGrant {
  id: string;
  name: string;
  scopes: ApiScope[];
}
