/**
 * The closed catalogue of error codes twofold returns. Each code has one default HTTP status and a
 * plain-words description; `docs/errors.md` lists the same rows and `test/errors-doc.test.ts`
 * keeps both in step (the fastify `errors.test.js` habit).
 */
export const errorCatalogue = {
  'validation.failed': {
    status: 400,
    description:
      'The request body, query or parameters do not match the schema (wrong type, missing or extra field, a code that is not 6 ASCII digits, a string that is too long).',
  },
  'request.invalid_json': { status: 400, description: 'The body is not valid JSON.' },
  'request.unsupported_media_type': {
    status: 415,
    description: 'The Content-Type is not application/json (API) or a form (console).',
  },
  'request.too_large': {
    status: 413,
    description: 'The body is larger than the 64 KiB limit, or an evidence file is larger than 15 MB.',
  },
  'request.not_found': { status: 404, description: 'No such route.' },
  'request.invalid_url': {
    status: 400,
    description:
      'The path or query is not valid percent-encoding (RFC 3986 §2.1), or a path segment is over 100 characters.',
  },
  'request.invalid_http': {
    status: 400,
    description: 'The request is not well-formed HTTP/1.1 (a broken request line or header); the connection is closed.',
  },
  'request.headers_too_large': {
    status: 431,
    description: 'The request headers are larger than the server takes (16 KiB); the connection is closed.',
  },
  'request.timeout': {
    status: 408,
    description: 'The request did not arrive in time; the connection is closed.',
  },
  'request.invalid_multipart': {
    status: 400,
    description: 'A multipart/form-data body is malformed: no boundary, or truncated.',
  },
  'auth.unauthenticated': {
    status: 401,
    description: 'No valid session: the token is missing, unknown, expired or signed out.',
  },
  'auth.invalid_credentials': {
    status: 401,
    description: 'The login or the password is wrong. The same answer is given for unknown logins.',
  },
  'auth.too_many_attempts': {
    status: 429,
    description:
      'Too many failed password attempts for this login or from this address, or too many sign-ups or password-reset completions from this address; `Retry-After` says when to try again.',
  },
  'auth.challenge_expired': {
    status: 410,
    description:
      'The pending login (the step between password and dynamic code) expired, was used, or ran out of tries: log in again.',
  },
  'auth.step_up_required': {
    status: 401,
    description:
      'The operation is sensitive and this session has no fresh verification; `methods` lists how to verify (POST /me/step-up).',
  },
  'auth.origin_mismatch': {
    status: 403,
    description: 'A cookie-authenticated state change came from a foreign Origin.',
  },
  'auth.csrf_failed': { status: 403, description: 'A console form was submitted without its CSRF token.' },
  'auth.forbidden': {
    status: 403,
    description:
      'The caller may not do this: only the primary account and user administrators manage users, administrators never manage the primary account, other administrators or themselves, and only the primary account grants roles.',
  },
  'user.not_found': {
    status: 404,
    description: "No such sub-user in the caller's account (users of other accounts are never visible).",
  },
  'user.username_taken': {
    status: 409,
    description: 'The username is already used by another sub-user of this account.',
  },
  'account.email_taken': { status: 409, description: 'An account with this email already exists.' },
  'account.signup_closed': { status: 403, description: 'Self-service sign-up is turned off (TWOFOLD_SIGNUP=closed).' },
  'mfa.invalid_code': {
    status: 401,
    description:
      'The dynamic code is wrong, expired, or was already used. When it matches a time a few minutes away, `hint` is `clock_skew`: sync the phone clock.',
  },
  'mfa.invalid_recovery_code': {
    status: 401,
    description: 'The recovery code is wrong, already used, or revoked (a new set replaces the old).',
  },
  'password_reset.expired': {
    status: 410,
    description: 'The password-reset link has expired (30 minutes) or was already used.',
  },
  'oidc.client_not_found': {
    status: 404,
    description: "No such application among the caller's account's (PATCH/DELETE /oidc-clients/{id}).",
  },
  'token.not_found': {
    status: 404,
    description: "No such API token among the caller's own (DELETE /api-tokens/{id}).",
  },
  'token.too_many': {
    status: 409,
    description: 'The user already has 25 working API tokens, the most one may have; revoke one first.',
  },
  'token.scope': {
    status: 403,
    description:
      "The API token's scopes do not cover this call, or no token may make it (step-up, the owner's own credentials, devices, support tickets, new tokens).",
  },
  'webhook.not_found': {
    status: 404,
    description: "No such webhook endpoint (or delivery of it) among the caller's account's.",
  },
  'webhook.url_refused': {
    status: 400,
    description:
      'The webhook URL is not an absolute http(s) URL, or its host resolves to a private, loopback, link-local or otherwise non-public address (allowed only with TWOFOLD_WEBHOOKS_ALLOW_PRIVATE=1).',
  },
  'webhook.too_many': {
    status: 409,
    description: 'The account already has 10 webhook endpoints, the most it may have; delete one first.',
  },
  'session.not_found': { status: 404, description: 'No such open session of the caller (DELETE /me/sessions/{id}).' },
  'mfa.locked': {
    status: 429,
    description:
      'Too many consecutive wrong second-factor codes; `Retry-After` says when to try again (NIST SP 800-63B §5.2.2).',
  },
  'mfa.already_bound': {
    status: 409,
    description: 'A virtual MFA device is already bound; unbind it before binding a new one.',
  },
  'mfa.not_bound': { status: 404, description: 'No virtual MFA device is bound.' },
  'mfa.too_many_devices': { status: 409, description: 'The user already has 8 MFA devices, the most a user may have.' },
  'mfa.several_devices': {
    status: 409,
    description:
      'The user has several MFA devices: remove one by its id (DELETE /me/mfa-devices/{id}) instead of unbinding "the" device.',
  },
  'mfa.device_not_found': { status: 404, description: 'No active MFA device with this id for this user.' },
  'mfa.invalid_credential': {
    status: 401,
    description:
      "The passkey assertion (or registration) was refused: an unknown or other user's key, a wrong origin or RP ID, a bad signature, a used or expired challenge, or a signature counter that went back.",
  },
  'mfa.passkeys_unavailable': {
    status: 409,
    description:
      'Passkeys need a secure context: TWOFOLD_PUBLIC_URL must be https, or http://localhost, and name a host, not an IP address.',
  },
  'mfa.enrollment_not_found': { status: 404, description: 'No pending enrollment with this id for this user.' },
  'mfa.enrollment_expired': {
    status: 410,
    description: 'The pending enrollment is older than 10 minutes; start binding again.',
  },
  'mfa.enrollment_required': {
    status: 403,
    description: 'A restricted session may only bind a device, read /me and sign out.',
  },
  'workspace.not_found': { status: 404, description: 'No such workspace, or the caller is not a member of it.' },
  'workspace.mfa_required': {
    status: 403,
    description:
      'The workspace requires MFA and this session has not proved a bound device: bind one, or verify with a TOTP code (POST /me/step-up), then try again.',
  },
  'workspace.phishing_resistant_required': {
    status: 403,
    description:
      'The workspace requires phishing-resistant MFA and this session proved only a TOTP or recovery code: verify with a passkey (POST /me/step-up), or add one.',
  },
  'workspace.member_exists': { status: 409, description: 'The user is already a member of this workspace.' },
  'workspace.member_not_found': { status: 404, description: 'The user is not a member of this workspace.' },
  'workspace.reminded_recently': {
    status: 429,
    description:
      'The members without MFA of this workspace were reminded less than an hour ago; `Retry-After` says when again.',
  },
  'verification.invalid_code': {
    status: 401,
    description:
      'The email/SMS code is wrong, expired (10 minutes), already used, for another purpose, or out of its 5 tries. Request a new one.',
  },
  'verification.too_many_requests': {
    status: 429,
    description:
      'Codes are sent at most once a minute per destination and ten times a day per user; `Retry-After` says when to ask again.',
  },
  'verification.channel_unavailable': {
    status: 422,
    description:
      'That channel cannot reach this user: no email address or phone number on record, or no mail/SMS delivery configured.',
  },
  'recovery.real_name_required': {
    status: 422,
    description:
      'A lost-device ticket needs a verified real-name record of the primary account; without one, use a recovery code or ask the person who runs the service.',
  },
  'recovery.evidence_type': {
    status: 415,
    description:
      'An evidence file is not a JPEG, PNG or PDF file by its content (the name and the claimed type do not count).',
  },
  'recovery.ticket_open': { status: 409, description: 'The account already has an open lost-device ticket.' },
  'recovery.recent_contact_change': {
    status: 422,
    description:
      "The account's email address or phone number changed in the last 7 days, so no lost-device ticket can be opened yet.",
  },
  'recovery.not_found': {
    status: 404,
    description: 'No such ticket, or the status token or cancel link does not belong to it.',
  },
  'recovery.not_cancellable': {
    status: 409,
    description: 'The ticket is already completed, rejected or cancelled.',
  },
  'recovery.not_open': {
    status: 409,
    description:
      'The ticket is no longer open (completed, rejected or cancelled), or already in its cooling-off period.',
  },
  'recovery.same_operator': {
    status: 409,
    description: 'This operator already approved the ticket: a second, different operator must approve it.',
  },
  'realname.not_found': { status: 404, description: 'The account has no real-name record.' },
  'realname.not_pending': { status: 409, description: 'The real-name record was already verified or rejected.' },
  'service.unavailable': {
    status: 503,
    description:
      'The database is not reachable or did not answer in time, the schema is behind the release, the instance is shutting down, or it is receiving as many uploads as it takes at once (Retry-After says when to try again); nothing was changed.',
  },
  'internal.error': {
    status: 500,
    description: 'An unexpected server error; the log has the details, the response has none.',
  },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof errorCatalogue;
export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];
