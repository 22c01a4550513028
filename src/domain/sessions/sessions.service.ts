import type { SessionEndReason } from '../../db/schema.js';
import { AppError } from '../../errors/app-error.js';
import type { Repositories, Store } from '../../db/repositories/index.js';
import { constantTimeEqual, newId, newSecret, sha256Hex, type Clock, type RandomBytes } from '../../crypto/random.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Principal, RequestMeta } from './principal.js';
import { mergeAmr, type AuthMethod } from './amr.js';

export interface SessionSettings {
  idleSeconds: number;
  absoluteSeconds: number;
  stepUpMaxAgeSeconds: number;
}

export interface IssuedSession {
  token: string;
  expiresAt: number;
  restricted: boolean;
}

/**
 * Sessions (docs/design.md §2.7, decision 004): issuing them, rotating them on a privilege change,
 * resolving a token to a principal, and letting a person see and end their own. How one logs in
 * (password, then the dynamic code) is login.service.ts.
 */
/** A session token is `id.secret`: the row's id, and the secret only its hash is stored of. */
function tokenParts(token: string): { id: string; secret: string } | null {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 200) return null;
  return { id: token.slice(0, dot), secret: token.slice(dot + 1) };
}

export function createSessionsService(deps: {
  store: Store;
  audit: AuditRecorder;
  clock: Clock;
  random: RandomBytes;
  settings: SessionSettings;
}) {
  const { store, clock, random, settings, audit } = deps;

  /** Creates a session row inside the caller's transaction; the token leaves only through this return value. */
  async function issueSession(
    repos: Repositories,
    userId: string,
    options: {
      restricted: boolean;
      stepUp: boolean;
      mfaVerified?: boolean;
      /** The login proved a passkey (NIST SP 800-63B §5.2.5). */
      phishingResistant?: boolean;
      /** What the sign-in proved (RFC 8176), for OpenID Connect's `amr` and `acr`. */
      amr: readonly AuthMethod[] | string;
      /** When every factor was last proved; a rotation keeps the old session's. Default: now. */
      authenticatedAt?: number;
      now: number;
      meta: RequestMeta;
      absoluteExpiresAt?: number;
    },
  ): Promise<IssuedSession> {
    const id = newId(random);
    const secret = newSecret(random);
    const absolute = options.absoluteExpiresAt ?? options.now + settings.absoluteSeconds * 1000;
    await repos.sessions.insert({
      id,
      user_id: userId,
      secret_hash: sha256Hex(secret),
      created_at: options.now,
      last_seen_at: options.now,
      idle_expires_at: Math.min(options.now + settings.idleSeconds * 1000, absolute),
      absolute_expires_at: absolute,
      restricted: options.restricted ? 1 : 0,
      // API.md: a login completed with every factor the user has counts as a step-up.
      step_up_until: options.stepUp ? options.now + settings.stepUpMaxAgeSeconds * 1000 : 0,
      ended_at: null,
      end_reason: null,
      ip: options.meta.ip,
      user_agent: options.meta.userAgent?.slice(0, 256) ?? null,
      mfa_verified: options.mfaVerified ? 1 : 0,
      phishing_resistant: options.phishingResistant ? 1 : 0,
      amr: typeof options.amr === 'string' ? options.amr : mergeAmr('', options.amr),
      authenticated_at: options.authenticatedAt ?? options.now,
    });
    return { token: `${id}.${secret}`, expiresAt: absolute, restricted: options.restricted };
  }

  /** `login` is a primary account's email, or `username@alias` of a sub-user (API.md). */
  /**
   * Replaces the caller's session with a new id and secret after it proved a device (docs/design.md
   * §2.7, OWASP Session Management: renew the id on any privilege change). The old token stops
   * working in the same transaction; the new session keeps the old one's absolute expiry, so
   * rotation never lengthens a session.
   */
  async function rotateSession(
    repos: Repositories,
    principal: Principal,
    options: { now: number; meta: RequestMeta; phishingResistant?: boolean; proved: readonly AuthMethod[] },
  ): Promise<IssuedSession> {
    const old = await repos.sessions.findWithUser(principal.sessionId);
    await repos.sessions.end(principal.sessionId, options.now, 'rotated');
    return issueSession(repos, principal.userId, {
      restricted: false,
      stepUp: true,
      mfaVerified: true,
      // A passkey proved once in this browser's session stays proved across the rotation.
      phishingResistant:
        options.phishingResistant || principal.phishingResistant === true || old?.phishing_resistant === 1,
      amr: mergeAmr(old?.amr ?? principal.amr ?? '', options.proved),
      authenticatedAt: old?.authenticated_at ?? principal.authenticatedAt ?? options.now,
      now: options.now,
      meta: options.meta,
      ...(old ? { absoluteExpiresAt: old.absolute_expires_at } : {}),
    });
  }

  /** The audit event of a session that ended, with why, in the caller's transaction. */
  function sessionEnded(
    repos: Repositories,
    principal: Principal,
    meta: RequestMeta,
    details: Record<string, string>,
    now: number,
  ) {
    return audit(
      repos,
      {
        type: 'session.ended',
        accountId: principal.accountId,
        userId: principal.userId,
        ip: meta.ip,
        userAgent: meta.userAgent,
        details,
      },
      now,
    );
  }

  return {
    issueSession,
    rotateSession,

    /**
     * Why the session of a token that no longer works ended, for the browser that still holds it
     * (the console's /login says so). Only the token's own holder learns it: the secret must match.
     */
    async whyEnded(token: string): Promise<SessionEndReason | 'expired' | null> {
      const parts = tokenParts(token);
      if (!parts) return null;
      const row = await store.repos.sessions.findEnd(parts.id);
      if (!row || !constantTimeEqual(row.secret_hash, sha256Hex(parts.secret))) return null;
      if (row.ended_at !== null) return row.end_reason;
      const now = clock();
      return row.idle_expires_at <= now || row.absolute_expires_at <= now ? 'expired' : null;
    },

    /** Resolves `id.secret` to a principal, or null; refreshes the idle expiry at most once a minute. */
    async authenticate(token: string): Promise<Principal | null> {
      const parts = tokenParts(token);
      if (!parts) return null;
      const { id, secret } = parts;
      const row = await store.repos.sessions.findWithUser(id);
      const now = clock();
      if (!row || row.ended_at !== null || row.disabled_at !== null) return null;
      if (!constantTimeEqual(row.secret_hash, sha256Hex(secret))) return null;
      if (row.idle_expires_at <= now || row.absolute_expires_at <= now) return null;
      if (now - row.last_seen_at > 60_000) {
        await store.repos.sessions.touch(id, now, Math.min(now + settings.idleSeconds * 1000, row.absolute_expires_at));
      }
      return {
        sessionId: row.id,
        userId: row.user_id,
        accountId: row.account_id,
        kind: row.kind,
        restricted: row.restricted === 1,
        stepUpUntil: row.step_up_until,
        mfaVerified: row.mfa_verified === 1,
        phishingResistant: row.phishing_resistant === 1,
        amr: row.amr,
        authenticatedAt: row.authenticated_at,
        locale: row.locale,
      };
    },

    /** GET /me/sessions: where this user is signed in (no tokens). */
    async list(principal: Principal) {
      const rows = await store.repos.sessions.listOpen(principal.userId, clock());
      return rows.map((row) => ({
        id: row.id,
        current: row.id === principal.sessionId,
        createdAt: row.created_at,
        lastSeenAt: row.last_seen_at,
        ip: row.ip,
        userAgent: row.user_agent,
        mfaVerified: row.mfa_verified === 1,
      }));
    },

    /** DELETE /me/sessions/{id}: signs one of one's own sessions out (another user's is "not found"). */
    async endOne(principal: Principal, sessionId: string, meta: RequestMeta) {
      const now = clock();
      const ended = await store.transaction(async (repos) => {
        if (!(await repos.sessions.endOwn(principal.userId, sessionId, now))) return false;
        await sessionEnded(
          repos,
          principal,
          meta,
          { reason: sessionId === principal.sessionId ? 'sign_out' : 'signed_out_elsewhere', sessionId },
          now,
        );
        return true;
      });
      if (!ended) throw new AppError('session.not_found', (m) => m.sessions.sessionNotFound);
    },

    /** DELETE /me/sessions: signs out everywhere but here (a sensitive operation). */
    async endOthers(
      principal: Principal,
      meta: RequestMeta,
      stepUp: { requireFresh(principal: Principal, operation: 'sessions.end_others'): Promise<void> },
    ) {
      await stepUp.requireFresh(principal, 'sessions.end_others');
      const now = clock();
      await store.transaction(async (repos) => {
        await repos.sessions.endOthers(principal.userId, principal.sessionId, now, 'signed_out_elsewhere');
        // Applications are signed in elsewhere too: their grants and refresh tokens go (decision 029).
        await repos.oidc.revokeUser(principal.userId);
        await sessionEnded(repos, principal, meta, { reason: 'signed_out_everywhere_else' }, now);
      });
    },

    /** The browser signed in again (an application asked for it): its old session ends, rotated. */
    async replaced(principal: Principal) {
      await store.repos.sessions.end(principal.sessionId, clock(), 'rotated');
    },

    async logout(principal: Principal, meta: RequestMeta) {
      const now = clock();
      await store.transaction(async (repos) => {
        await repos.sessions.end(principal.sessionId, now, 'signed_out');
        await sessionEnded(repos, principal, meta, { reason: 'sign_out' }, now);
      });
    },
  };
}
export type SessionsService = ReturnType<typeof createSessionsService>;
