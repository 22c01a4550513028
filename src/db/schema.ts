/**
 * Table types for Kysely. Times are integers (milliseconds since the epoch) so SQLite and
 * PostgreSQL behave the same; booleans are 0/1 integers for the same reason.
 */
export interface AccountsTable {
  id: string;
  alias: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  account_id: string;
  kind: 'root' | 'sub';
  email: string | null;
  /** Lower-cased email, unique across primary accounts. */
  email_normalized: string | null;
  username: string | null;
  display_name: string;
  phone: string | null;
  password_hash: string;
  created_at: number;
  disabled_at: number | null;
  /** Comma-separated roles of a sub-user; today only `user-admin`. */
  roles: string;
  /** 1 = a sub-user without a device gets a restricted session that can only bind one. */
  mfa_required: number;
  created_by: string | null;
  /** The chosen way to verify sensitive operations while no device is bound; null = any available. */
  step_up_method: 'password' | 'email' | 'sms' | null;
  /** The language the person chose (`en`, `zh-CN`); null: the browser's, English in e-mails. */
  locale: 'en' | 'zh-CN' | null;
}

export interface MfaDevicesTable {
  id: string;
  user_id: string;
  status: 'pending' | 'active' | 'removed';
  /** AES-256-GCM sealed secret (crypto/secret-box.ts), associated data = `mfa-device:<id>`. */
  secret_sealed: string;
  key_id: string;
  created_at: number;
  /** Pending enrollments only: when the enrollment stops being activatable. */
  expires_at: number | null;
  bound_at: number | null;
  removed_at: number | null;
  /** The highest RFC 6238 time step ever accepted; codes at or below it are replays (docs/design.md §2.1). */
  last_used_step: number;
  /** Learned clock drift of the phone, in steps (RFC 6238 §6). */
  drift_steps: number;
  bound_ip: string | null;
  bound_user_agent: string | null;
  /** An authenticator app (a TOTP secret) or a passkey / security key (a WebAuthn credential). */
  type: MfaDeviceType;
  /** The name the person gave it ("Pixel 8", "YubiKey 5C"). */
  name: string;
  last_used_at: number | null;
  /** Passkeys only (W3C WebAuthn Level 3): the credential id, base64url; unique over all users. */
  credential_id: string | null;
  /** Passkeys only: the COSE public key (RFC 9052 §7), base64url. */
  public_key: string | null;
  /** Passkeys only: the last signature counter seen (§6.1.1); 0 for authenticators that keep none. */
  sign_count: number;
  /** Passkeys only: the transports the browser reported, comma-separated. */
  transports: string | null;
  /** Passkeys only: 1 = a synced (backed-up) passkey, 0 = bound to one authenticator. */
  backed_up: number;
  aaguid: string | null;
}

export type MfaDeviceType = 'totp' | 'webauthn';

/**
 * A WebAuthn challenge (W3C WebAuthn Level 3 §13.4.3), kept by the SHA-256 of the challenge itself
 * so the response names its own row; single use, for one ceremony, a few minutes.
 */
export interface WebauthnChallengesTable {
  id_hash: string;
  purpose: 'register' | 'login' | 'step_up' | 'passwordless';
  /** Whose ceremony it is; null for a passwordless sign-in, where the credential says who. */
  user_id: string | null;
  /** Registration: the pending device the credential will become. */
  device_id: string | null;
  created_at: number;
  expires_at: number;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  /** SHA-256 of the token's secret half; the token itself is never stored. */
  secret_hash: string;
  created_at: number;
  last_seen_at: number;
  idle_expires_at: number;
  absolute_expires_at: number;
  /** 1 = may only bind a device, read /me and sign out (API.md). */
  restricted: number;
  step_up_until: number;
  ended_at: number | null;
  ip: string | null;
  user_agent: string | null;
  /** 1 = this session proved the TOTP device (login code, activation or TOTP step-up). */
  mfa_verified: number;
  /** Why it ended (`ended_at`), to tell the browser that still holds it; null while open. */
  end_reason: SessionEndReason | null;
  /** 1 = this session proved a passkey (phishing-resistant, NIST SP 800-63B §5.2.5). */
  phishing_resistant: number;
  /** What the session's sign-in proved, as RFC 8176 values, comma-separated (`pwd,otp,mfa`). */
  amr: string;
  /** When the person last signed in with every factor they have (OpenID Connect `auth_time`). */
  authenticated_at: number;
}

/**
 * Why a session ended: the person signed out (`signed_out`) or replaced it (`rotated`, the same
 * browser carries on), another session signed it out, the account's device or password changed, or
 * an administrator changed the user.
 */
export type SessionEndReason =
  'signed_out' | 'rotated' | 'signed_out_elsewhere' | 'mfa_changed' | 'password_changed' | 'account_changed';

export interface LoginChallengesTable {
  /** SHA-256 of the challenge id handed to the client. */
  id_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  attempts: number;
  consumed_at: number | null;
  ip: string | null;
  user_agent: string | null;
  /** 1 = after the code, this login must add a passkey (a phishing-resistant workspace requires one). */
  must_add_passkey: number;
}

export interface ThrottlesTable {
  key: string;
  failures: number;
  window_started_at: number;
  locked_until: number;
  updated_at: number;
}

export interface AuditEventsTable {
  /** Time-ordered: sorting by id sorts by time. */
  id: string;
  account_id: string | null;
  user_id: string | null;
  actor_id: string | null;
  type: string;
  ip: string | null;
  user_agent: string | null;
  at: number;
  /** JSON object. */
  details: string;
  /** The role the actor acted in, as it was then: `support` for a support operator, `api_token` for a call made with an API token (named in `details`); null otherwise. */
  actor_role: 'support' | 'api_token' | null;
}

export interface MessagesTable {
  id: string;
  channel: 'email' | 'sms';
  to_address: string;
  user_id: string | null;
  account_id: string | null;
  kind: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  /** pending → sent | failed (after the last retry); `outbox` = kept for the dev outbox, no SMTP. */
  status: 'pending' | 'sent' | 'failed' | 'outbox';
  attempts: number;
  next_attempt_at: number;
  claimed_until: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  /** 1 = the message carries a one-time secret (a code, a link): sealed, and removed once delivered. */
  sensitive: number;
  /**
   * The text and HTML of a message with a secret, sealed (associated data `message:<id>`);
   * `text_body` then holds only a placeholder. Null once removed, and for other messages.
   */
  body_sealed: string | null;
  /** When that secret stops working, so the body is emptied then too; null = none, or until its ticket closes. */
  secret_expires_at: number | null;
}

export interface VerificationsTable {
  id: string;
  user_id: string;
  /** What the code may be used for (a code for one purpose never serves another); `recovery` is for lost-device tickets. */
  purpose: 'step_up' | 'recovery';
  channel: 'email' | 'sms';
  destination: string;
  /** SHA-256 of the code, keyed by the verification id. */
  code_hash: string;
  attempts: number;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface KnownBrowsersTable {
  user_id: string;
  fingerprint: string;
  first_seen_at: number;
}

export interface WorkspacesTable {
  id: string;
  account_id: string;
  name: string;
  mfa_required: number;
  grace_days: number;
  policy_since: number | null;
  created_at: number;
  /** 1 = with mfa_required, only a passkey counts (OMB M-22-09; NIST SP 800-63B §5.2.5). */
  phishing_resistant: number;
  /** When phishing_resistant was turned on: members must have a passkey `grace_days` later. */
  phishing_resistant_since: number | null;
}

export interface WorkspaceMembersTable {
  workspace_id: string;
  user_id: string;
  role: 'owner' | 'admin' | 'member';
  added_at: number;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  /** Which instance key the hash was made with (the first configured key at the time). */
  key_id: string;
  /** HMAC-SHA-256 of the normalised code under a key derived from the instance key (decision 018). */
  code_hash: string;
  created_at: number;
  used_at: number | null;
  /** Set when a new set replaces this one, or the device is unbound or reset. */
  revoked_at: number | null;
}

export interface PasswordResetsTable {
  /** SHA-256 of the token in the link; the token itself is only in the e-mail. */
  id_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** A primary account's real-name record (docs/design.md F7): only verified accounts may open a recovery ticket. */
export interface RealNamesTable {
  account_id: string;
  type: 'personal' | 'enterprise';
  status: 'pending' | 'verified' | 'rejected';
  name: string;
  company_name: string | null;
  id_last4: string;
  license_last4: string | null;
  /** Sealed JSON `{idNumber, phone, licenseNumber?}`, associated data `real-name:<account_id>`. */
  facts_sealed: string;
  key_id: string;
  submitted_at: number;
  reviewed_at: number | null;
  reviewed_by: string | null;
  review_note: string | null;
}

export type RecoveryTicketStatus =
  'submitted' | 'awaiting_second_approval' | 'cooling_off' | 'completed' | 'rejected' | 'cancelled';

/** A lost-device ticket (API.md "Recovery (lost device) and support"). */
export interface RecoveryTicketsTable {
  id: string;
  account_id: string;
  user_id: string;
  status: RecoveryTicketStatus;
  title: string;
  description: string;
  evidence_type: 'personal' | 'enterprise';
  /** Sealed JSON of the facts the applicant typed, associated data `recovery-ticket:<id>`. */
  evidence_sealed: string;
  key_id: string;
  /** JSON `{name, idNumber, phone, companyName?, licenseNumber?}` of booleans: does each fact match the verified record. */
  matches: string;
  /** SHA-256 of the status token handed to the applicant. */
  status_token_hash: string;
  /**
   * The token in the cancel link, sealed (associated data `recovery-cancel:<id>`): it is mailed to
   * every address on record at submission and again when the cooling-off period starts.
   */
  cancel_token_sealed: string;
  submitted_at: number;
  updated_at: number;
  /** Cooling-off only: when the device is removed. */
  effective_at: number | null;
  /**
   * When the "24 h before effect" reminder went out; set at the second approval when the whole
   * period is 24 h or shorter, since that approval's own mail already says when.
   */
  reminded_at: number | null;
  closed_at: number | null;
  /** `rejected`: the operator's reason; `cancelled`: link, owner_activity, contact_change. */
  close_reason: string | null;
  ip: string | null;
}

export interface RecoveryApprovalsTable {
  ticket_id: string;
  operator_id: string;
  at: number;
  note: string | null;
}

export interface RecoveryEvidenceTable {
  id: string;
  ticket_id: string;
  name: string;
  content_type: string;
  size: number;
  /** The file's bytes sealed, associated data `recovery-evidence:<id>`. */
  content_sealed: string;
  key_id: string;
  created_at: number;
}

/** An application that signs its users in through twofold (decision 029). */
export interface OidcClientsTable {
  /** The public `client_id`. */
  id: string;
  account_id: string;
  name: string;
  type: 'public' | 'confidential';
  /** JSON array of exact redirect URIs. */
  redirect_uris: string;
  /** JSON array of exact post-logout redirect URIs. */
  post_logout_redirect_uris: string;
  /** Only this workspace's members may sign in, under its MFA policy; null = the whole account. */
  workspace_id: string | null;
  /** 1 = the owner's own application: no consent screen. */
  first_party: number;
  /** Confidential clients: SHA-256 (hex) of the secret shown once; null for public clients. */
  secret_hash: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** One thing oidc-provider stores (a session, interaction, grant, code or token), by hashed id. */
export interface OidcPayloadsTable {
  model: string;
  id_hash: string;
  /** The provider's JSON payload, without its id (`jti`). */
  payload: string;
  grant_hash: string | null;
  uid_hash: string | null;
  /** The subject (our user id) where the payload names one: revoking a user finds its rows by it. */
  user_id: string | null;
  client_id: string | null;
  expires_at: number;
  consumed_at: number | null;
}

/** An ID-token signing key (RFC 7517 JWK), sealed with the instance key. */
export interface OidcKeysTable {
  kid: string;
  alg: 'ES256' | 'RS256';
  private_sealed: string;
  created_at: number;
  retired_at: number | null;
  /** After this, the retired key leaves the JWKS (every token it signed has expired). */
  expires_at: number | null;
}

export interface ApiTokensTable {
  id: string;
  account_id: string;
  /** The owner: the token acts with this user's rights, narrowed to its scopes. */
  user_id: string;
  name: string;
  /** Space-separated scopes (users:read users:write mfa:reset audit:read workspaces:read workspaces:write). */
  scopes: string;
  /** SHA-256 (hex) of the whole `tfk_…` token. */
  secret_hash: string;
  created_at: number;
  expires_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  expiry_notice_at: number | null;
}

export interface WebhookEndpointsTable {
  id: string;
  account_id: string;
  url: string;
  /** Space-separated audit event types (src/domain/audit/audit.ts). */
  events: string;
  /** The `whsec_…` secret, sealed with the instance key (associated data `webhook:<id>`). */
  secret_sealed: string;
  /** The secret before the last rotation, still signing until `previous_secret_expires_at`. */
  previous_secret_sealed: string | null;
  previous_secret_expires_at: number | null;
  enabled: number;
  disabled_at: number | null;
  /** `gone` (410), `failing` (the retry schedule ran out). */
  disabled_reason: string | null;
  created_by: string;
  created_at: number;
}

/** One row per event type an enabled endpoint takes: what the audit trigger looks up. */
export interface WebhookSubscriptionsTable {
  account_id: string;
  event_type: string;
  endpoint_id: string;
}

export interface WebhookDeliveriesTable {
  endpoint_id: string;
  /** The audit event delivered (the delivery's id in the API; `webhook-id` is `msg_<event_id>`). */
  event_id: string;
  account_id: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number;
  /** A worker's lease on the next attempt (another instance leaves it alone until then). */
  claimed_until: number;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: number | null;
  created_at: number;
}

export interface DatabaseSchema {
  api_tokens: ApiTokensTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  oidc_clients: OidcClientsTable;
  oidc_payloads: OidcPayloadsTable;
  oidc_keys: OidcKeysTable;
  accounts: AccountsTable;
  users: UsersTable;
  mfa_devices: MfaDevicesTable;
  webauthn_challenges: WebauthnChallengesTable;
  sessions: SessionsTable;
  login_challenges: LoginChallengesTable;
  throttles: ThrottlesTable;
  audit_events: AuditEventsTable;
  messages: MessagesTable;
  known_browsers: KnownBrowsersTable;
  verifications: VerificationsTable;
  workspaces: WorkspacesTable;
  workspace_members: WorkspaceMembersTable;
  recovery_codes: RecoveryCodesTable;
  password_resets: PasswordResetsTable;
  real_names: RealNamesTable;
  recovery_tickets: RecoveryTicketsTable;
  recovery_approvals: RecoveryApprovalsTable;
  recovery_evidence: RecoveryEvidenceTable;
}
