import { AppError } from '../../errors/app-error.js';
import type { ErrorTexts } from '../../i18n/errors/index.js';
import type { Principal } from '../sessions/principal.js';
import type { SensitiveOperationId } from '../step-up/sensitive-operations.js';
import type { ApiScope, TokenGrant } from './token-grant.js';

export { apiScopeNames, type ApiScope, type TokenGrant } from './token-grant.js';

/**
 * Sensitive operations a token makes without a step-up — it cannot step up — because its scope
 * stands in for it: managing sub-users and workspaces, and an MFA reset, which must carry a reason.
 * Every other sensitive operation (binding devices, the owner's own credentials, support, new
 * tokens or webhooks) is refused to every token.
 */
const scopeStandsInFor: Partial<Record<SensitiveOperationId, ApiScope>> = {
  'users.change_sign_in': 'users:write',
  'users.delete': 'users:write',
  'users.reset_mfa': 'mfa:reset',
  'users.remove_device': 'mfa:reset',
  'workspaces.change_policy': 'workspaces:write',
  'workspaces.delete': 'workspaces:write',
};

export function tokenScopeError(message: (m: ErrorTexts) => string): AppError {
  return new AppError('token.scope', message);
}

/** Step-up for a token: allowed where its scope stands in for one, refused everywhere else. */
export function tokenMayProceed(token: TokenGrant, operation: SensitiveOperationId): void {
  const scope = scopeStandsInFor[operation];
  if (scope && token.scopes.includes(scope)) return;
  throw tokenScopeError((m) => m.apiTokens.cannotMakeChange);
}

/**
 * What a token may change on a sub-user: its name, whether it may sign in, whether it needs MFA.
 * Never how it signs in or is reached (password, email, phone) nor its roles: those need a person
 * who stepped up.
 */
export function refuseTokenCredentialChanges(
  principal: Pick<Principal, 'token'>,
  changes: { email?: unknown; phone?: unknown; password?: unknown; roles?: unknown },
): void {
  if (!principal.token) return;
  const refused = (['email', 'phone', 'password', 'roles'] as const).filter((k) => changes[k] !== undefined);
  if (refused.length > 0) throw tokenScopeError((m) => m.apiTokens.cannotChangeUserFields(refused));
}

/** An MFA reset by a token must say why: the user is told, and the audit log keeps it. */
export function requireReasonForToken(principal: Pick<Principal, 'token'>, reason: string | null): void {
  if (principal.token && !reason?.trim())
    throw new AppError('validation.failed', (m) => m.apiTokens.resetNeedsReason, {
      details: { fields: [{ path: '/reason', message: 'required when the call is made with an API token' }] },
    });
}
