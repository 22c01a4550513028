import type { Repositories } from '../../db/repositories/index.js';
import type { RandomBytes } from '../../crypto/random.js';
import type { TokenGrant } from '../api-tokens/token-grant.js';

/** The stable audit taxonomy (API.md "Audit"); new types are added, never renamed. */
export const auditEventTypes = [
  'account.created',
  'login.succeeded',
  'login.failed',
  'login.password_verified',
  'login.locked',
  'session.ended',
  'mfa.verify_failed',
  'mfa.locked',
  'mfa.enrollment_started',
  'mfa.bound',
  'mfa.unbound',
  'mfa.resynced',
  'mfa.reset_by_admin',
  'stepup.succeeded',
  'stepup.failed',
  'throttle.unlocked',
  'user.created',
  'user.updated',
  'user.deleted',
  'workspace.created',
  'workspace.policy_changed',
  'workspace.member_added',
  'workspace.member_removed',
  'workspace.member_role_changed',
  'workspace.renamed',
  'workspace.deleted',
  'workspace.members_reminded',
  'protection.changed',
  'account.updated',
  'mfa.recovery_code_used',
  'mfa.recovery_codes_regenerated',
  'account.password_reset_requested',
  'account.password_reset',
  'realname.submitted',
  'realname.verified',
  'realname.rejected',
  'recovery.verification_sent',
  'recovery.ticket_submitted',
  'recovery.ticket_viewed',
  'recovery.evidence_viewed',
  'recovery.ticket_approved',
  'recovery.ticket_rejected',
  'recovery.ticket_cancelled',
  'recovery.ticket_effective',
  'mfa.device_renamed',
  'mfa.counter_regressed',
  'login.passkey_failed',
  'oidc.client_created',
  'oidc.client_updated',
  'oidc.client_deleted',
  'oidc.consent_given',
  'oidc.signed_in',
  'oidc.code_issued',
  'oidc.token_issued',
  'oidc.refused',
  'oidc.grants_revoked',
  'oidc.signed_out',
  'oidc.keys_rotated',
  'support.operator_removed',
  'api_token.created',
  'api_token.revoked',
  'webhook.created',
  'webhook.deleted',
  'webhook.secret_rotated',
  'webhook.disabled',
  'webhook.delivery_retried',
] as const;
export type AuditEventType = (typeof auditEventTypes)[number];

export interface AuditEventInput {
  type: AuditEventType;
  accountId: string | null;
  userId: string | null;
  actorId?: string | null;
  /** The role the actor acts in now, kept with the event (a removed operator's actions stay support). */
  actorRole?: 'support' | null;
  ip?: string | null;
  userAgent?: string | null;
  /** The API token the actor's call was made with: the event names it, in the role `api_token` (decision 031). */
  apiToken?: TokenGrant | undefined;
  /** Never a secret, code or token (docs/design.md §2.8). */
  details?: Record<string, string | number | boolean | null>;
}

/** Writes audit events through the repositories it is given, so they share the caller's transaction. */
export function createAuditRecorder(deps: {
  random: RandomBytes;
  /** Told each event's type as it is written (the metrics' security events). */
  onRecorded?: (type: AuditEventType) => void;
}) {
  // Events of one process keep their order even within one millisecond; across instances the
  // random tail only breaks ties.
  let lastMs = 0;
  let sequence = 0;
  return async function record(repos: Repositories, event: AuditEventInput, now: number): Promise<void> {
    if (now > lastMs) {
      lastMs = now;
      sequence = 0;
    } else {
      sequence += 1;
    }
    // Time-ordered id: 9 base-36 digits of milliseconds, a 4-digit sequence, then randomness.
    const id = `${lastMs.toString(36).padStart(9, '0')}${sequence.toString(36).padStart(4, '0')}${deps.random(6).toString('hex')}`;
    // A call made with an API token: its owner acts, in the role of that token, which is named.
    const token = event.apiToken;
    const details = token
      ? { ...event.details, apiTokenId: token.id, apiTokenName: token.name }
      : (event.details ?? {});
    await repos.audit.insert({
      id,
      account_id: event.accountId,
      user_id: event.userId,
      actor_id: event.actorId ?? event.userId,
      actor_role: token ? 'api_token' : (event.actorRole ?? null),
      type: event.type,
      ip: event.ip ?? null,
      user_agent: event.userAgent ? event.userAgent.slice(0, 256) : null,
      at: now,
      details: JSON.stringify(details),
    });
    deps.onRecorded?.(event.type);
  };
}
export type AuditRecorder = ReturnType<typeof createAuditRecorder>;
