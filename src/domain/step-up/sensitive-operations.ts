/**
 * The documented list of sensitive operations (docs/design.md §2.6, F10 "sensitive operation
 * verification"): each needs a step-up fresher than TWOFOLD_STEP_UP_MAX_AGE, and answers
 * `401 auth.step_up_required` with the allowed `methods` otherwise. docs/sensitive-operations.md
 * shows the same list; test/api.protection.test.ts checks that every entry really asks.
 */
export const sensitiveOperations = [
  { id: 'mfa.bind', endpoint: 'POST /me/mfa-device', what: 'Bind a virtual MFA device (not in a restricted session)' },
  {
    id: 'mfa.unbind',
    endpoint: 'DELETE /me/mfa-device',
    what: 'Unbind the virtual MFA device (also needs a current code)',
  },
  {
    id: 'mfa.add_device',
    endpoint: 'POST /me/mfa-devices',
    what: 'Add an MFA device or passkey (not in a restricted session)',
  },
  { id: 'mfa.remove_device', endpoint: 'DELETE /me/mfa-devices/{id}', what: 'Remove one of your MFA devices' },
  {
    id: 'mfa.regenerate_recovery_codes',
    endpoint: 'POST /me/recovery-codes',
    what: 'Make a new set of recovery codes (the old set stops working)',
  },
  { id: 'sessions.end_others', endpoint: 'DELETE /me/sessions', what: 'Sign out every other session' },
  { id: 'account.change_password', endpoint: 'PATCH /me {password}', what: 'Change the password' },
  { id: 'account.change_email', endpoint: 'PATCH /me {email}', what: 'Change the email address' },
  { id: 'account.change_phone', endpoint: 'PATCH /me {phone}', what: 'Change the phone number' },
  {
    id: 'account.change_protection',
    endpoint: 'PUT /me/protection',
    what: 'Change how sensitive operations are verified',
  },
  {
    id: 'users.change_sign_in',
    endpoint: 'PATCH /users/{id} (anything but displayName)',
    what: "Change a sub-user's email, phone, password, MFA requirement, roles or status",
  },
  { id: 'users.delete', endpoint: 'DELETE /users/{id}', what: 'Delete a sub-user' },
  {
    id: 'users.bind_mfa',
    endpoint: 'POST /users/{id}/mfa-device, …/activate',
    what: 'Bind a virtual MFA device for a sub-user',
  },
  {
    id: 'users.remove_device',
    endpoint: 'DELETE /users/{id}/mfa-devices/{deviceId}',
    what: "Remove one of a sub-user's MFA devices",
  },
  { id: 'users.reset_mfa', endpoint: 'DELETE /users/{id}/mfa-device', what: "Reset a sub-user's virtual MFA device" },
  {
    id: 'workspaces.change_policy',
    endpoint: 'PATCH /workspaces/{id} {mfaRequired, graceDays}',
    what: "Change a workspace's MFA policy",
  },
  {
    id: 'workspaces.delete',
    endpoint: 'DELETE /workspaces/{id}',
    what: 'Delete a workspace (its MFA policy goes with it)',
  },
  {
    id: 'account.submit_real_name',
    endpoint: 'PUT /me/real-name',
    what: 'Submit or replace the real-name record (it then waits for review)',
  },
  {
    id: 'support.review_real_name',
    endpoint: 'POST /support/real-names/{accountId}/verify, …/reject',
    what: "Verify or reject an account's real-name record (operators)",
  },
  {
    id: 'support.approve_recovery',
    endpoint: 'POST /support/recovery-tickets/{id}/approve',
    what: 'Approve a lost-device ticket (operators; two different operators must approve)',
  },
  {
    id: 'oidc.create_client',
    endpoint: 'POST /oidc-clients',
    what: 'Register an application that signs in through twofold (its secret is shown once)',
  },
  {
    id: 'oidc.change_client',
    endpoint: 'PATCH /oidc-clients/{id} {redirectUris, postLogoutRedirectUris}',
    what: "Change where an application's sign-ins and sign-outs are sent",
  },
  {
    id: 'oidc.delete_client',
    endpoint: 'DELETE /oidc-clients/{id}',
    what: 'Delete an application (its grants and tokens are revoked)',
  },
  {
    id: 'api_tokens.create',
    endpoint: 'POST /api-tokens',
    what: 'Create an API token (its secret is shown once)',
  },
  {
    id: 'webhooks.create',
    endpoint: 'POST /webhooks',
    what: 'Register a webhook endpoint (its signing secret is shown once)',
  },
  {
    id: 'webhooks.rotate_secret',
    endpoint: 'POST /webhooks/{id}/secret',
    what: 'Give a webhook endpoint a new signing secret (the old one still signs for 24 hours)',
  },
  {
    id: 'support.reject_recovery',
    endpoint: 'POST /support/recovery-tickets/{id}/reject',
    what: 'Reject a lost-device ticket (operators)',
  },
] as const;

export type SensitiveOperation = (typeof sensitiveOperations)[number];
export type SensitiveOperationId = SensitiveOperation['id'];

export function sensitiveOperation(id: SensitiveOperationId): SensitiveOperation {
  return sensitiveOperations.find((operation) => operation.id === id)!;
}
