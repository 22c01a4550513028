import type { MfaDeviceType } from '../../db/schema.js';
import type { Locale } from '../../i18n/locale.js';

/** What a notification says; never a secret, a code or a token (docs/design.md §2.8). */
export type Notification =
  | { kind: 'mfa.bound'; byAdmin: string | null; device?: { name: string; type: MfaDeviceType } }
  | { kind: 'mfa.unbound'; device?: string }
  | {
      kind: 'mfa.device_removed';
      device: { name: string; type: MfaDeviceType };
      remaining: number;
      byAdmin: string | null;
    }
  | { kind: 'mfa.reset_by_admin'; admin: string; reason: string | null }
  /** `subject`: a sub-user whose primary account is told (null: the reader's own account). */
  | { kind: 'mfa.locked'; until: number; subject: { displayName: string; username: string | null } | null }
  | { kind: 'login.locked'; until: number }
  | { kind: 'mfa.recovery_code_used'; remaining: number }
  | { kind: 'mfa.recovery_codes_regenerated' }
  | { kind: 'account.password_changed' }
  | { kind: 'login.new_browser'; userAgent: string | null }
  | { kind: 'workspace.mfa_required'; workspace: string; deadline: number }
  | { kind: 'workspace.passkey_required'; workspace: string; deadline: number }
  | { kind: 'workspace.mfa_reminder'; workspace: string; deadline: number | null; by: string }
  | { kind: 'account.email_changed'; newAddress: string }
  | { kind: 'account.phone_changed'; newNumber: string | null }
  | { kind: 'realname.reviewed'; verified: boolean; note: string | null }
  | { kind: 'recovery.rejected'; reason: string }
  | { kind: 'recovery.cancelled'; reason: 'link' | 'owner_activity' | 'contact_change' }
  | { kind: 'recovery.completed' }
  | { kind: 'webhook.disabled'; endpoint: string; reason: 'gone' | 'failing' }
  | { kind: 'api_token.created'; name: string; scopes: string[]; expiresAt: number }
  | { kind: 'api_token.expiring'; name: string; expiresAt: number }
  | {
      kind: 'account.changed_by_admin';
      admin: string;
      changes: ('email' | 'phone' | 'password' | 'disabled' | 'enabled')[];
    };

export type NotificationKind = Notification['kind'];

export interface Recipient {
  userId: string;
  accountId: string;
  email: string | null;
  displayName: string;
  /** The language the person chose; null (never chosen) reads English. */
  locale: Locale | null;
}
