import type { TokenGrant } from '../api-tokens/token-grant.js';

/** Who is calling, as established by the session middleware. */
export interface Principal {
  sessionId: string;
  userId: string;
  accountId: string;
  kind: 'root' | 'sub';
  /** A restricted session may only bind a device, read /me and sign out (API.md). */
  restricted: boolean;
  stepUpUntil: number;
  /** This session proved the TOTP device (workspaces with mandatory MFA require it). */
  mfaVerified?: boolean;
  /** This session proved a passkey (workspaces that require phishing-resistant MFA require it). */
  phishingResistant?: boolean;
  /** What the session's sign-in proved (RFC 8176 values, comma-separated; sessions.amr). */
  amr?: string;
  /** When every factor was last proved (OpenID Connect `auth_time`), ms. */
  authenticatedAt?: number;
  /** The language the person chose (profile); null: not chosen. */
  locale?: 'en' | 'zh-CN' | null;
  /** Set when the call is made with an API token: it acts as its owner, narrowed to the token's scopes. */
  token?: TokenGrant;
}

/** Where a request came from, for audit events and throttling; never secrets. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}
