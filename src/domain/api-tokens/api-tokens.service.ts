import { AppError } from '../../errors/app-error.js';
import { errorTexts, type ErrorTexts } from '../../i18n/errors/index.js';
import type { Repositories, Store } from '../../db/repositories/index.js';
import type { UsersTable } from '../../db/schema.js';
import type { Clock, RandomBytes } from '../../crypto/random.js';
import { apiTokenHash, isWellFormedApiToken, newApiTokenSecret } from '../../crypto/api-token.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import { recipientOf } from '../notify/recipients.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import type { StepUpService } from '../step-up/step-up.service.js';
import { canManageUsers, normalizeEmail } from '../users/user-views.js';
import { apiScopeNames, tokenScopeError, type ApiScope } from './scopes.js';

const DAY_MS = 24 * 3600_000;
/** The longest a token may live (issue 24): a credential that never ends is one nobody rotates. */
export const MAX_TOKEN_DAYS = 365;
/** Working tokens one user may hold: each is a credential someone must look after. */
export const MAX_TOKENS_PER_USER = 25;
/** The owner is told this long before a token ends. */
const REMINDER_MS = 7 * DAY_MS;

export interface NewApiToken {
  name: string;
  scopes: string[];
  expiresInDays: number;
}

export interface ApiTokenView {
  id: string;
  name: string;
  scopes: ApiScope[];
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
}

interface TokenRow {
  id: string;
  name: string;
  scopes: string;
  created_at: number;
  expires_at: number;
  last_used_at: number | null;
}

export function tokenView(row: TokenRow): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes.split(' ') as ApiScope[],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
  };
}

/** A refusal of one field: the message in the reader's language, the field's message in English. */
function invalid(path: string, message: (m: ErrorTexts) => string): AppError {
  return new AppError('validation.failed', message, {
    details: { fields: [{ path, message: message(errorTexts.en) }] },
  });
}

/** The rules of a new token, the same for the console, the API and the CLI. */
function checkNewToken(input: NewApiToken): { name: string; scopes: ApiScope[]; days: number } {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) throw invalid('/name', (m) => m.apiTokens.nameLength);
  if (input.scopes.length === 0) throw invalid('/scopes', (m) => m.apiTokens.chooseScope);
  const unknown = input.scopes.filter((s) => !apiScopeNames.includes(s as ApiScope));
  if (unknown.length > 0)
    throw invalid('/scopes', (m) => m.apiTokens.unknownScopes(unknown.join(', '), apiScopeNames.join(', ')));
  const days = input.expiresInDays;
  if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS)
    throw invalid('/expiresInDays', (m) => m.apiTokens.lifetime(MAX_TOKEN_DAYS));
  // Kept in the catalogue's order, so the same scopes read the same everywhere.
  return { name, scopes: apiScopeNames.filter((s) => input.scopes.includes(s)), days };
}

/** Who may own tokens: the primary account, and user administrators (within their own rights). */
const mayOwnTokens = canManageUsers;

/**
 * API tokens (issue 24, decision 031): created by a person who stepped up, shown once, kept as a
 * hash, read on every call (so revoking works on every instance at once), ended by expiry, by
 * revocation, or when their owner is disabled, deleted, reset or given a new password.
 */
export function createApiTokensService(deps: {
  store: Store;
  audit: AuditRecorder;
  notify: Notifier;
  clock: Clock;
  random: RandomBytes;
  stepUp: Pick<StepUpService, 'requireFresh'>;
  logger?: { warn(object: object, message: string): void };
}) {
  const { store, audit, clock, random } = deps;
  let reminderTimer: NodeJS.Timeout | null = null;

  /** The caller, if it may own tokens: the primary account or a user administrator. */
  async function ownerOf(principal: Principal): Promise<UsersTable> {
    const owner = await store.repos.users.findUserById(principal.userId);
    if (!owner) throw new AppError('auth.unauthenticated', (m) => m.apiTokens.sessionEnded);
    if (!mayOwnTokens(owner)) throw new AppError('auth.forbidden', (m) => m.apiTokens.onlyAdminsCreate);
    return owner;
  }

  /** Writes a new token for `owner` and tells the owner; returns the secret, which is never stored. */
  async function issue(
    repos: Repositories,
    owner: UsersTable,
    input: NewApiToken,
    meta: RequestMeta,
    via: { cli: boolean },
    now: number,
  ) {
    const checked = checkNewToken(input);
    const secret = newApiTokenSecret(random);
    const row = {
      id: random(8).toString('hex'),
      account_id: owner.account_id,
      user_id: owner.id,
      name: checked.name,
      scopes: checked.scopes.join(' '),
      secret_hash: apiTokenHash(secret),
      created_at: now,
      expires_at: now + checked.days * DAY_MS,
      last_used_at: null,
      revoked_at: null,
      expiry_notice_at: null,
    };
    await repos.apiTokens.insert(row);
    await audit(
      repos,
      {
        type: 'api_token.created',
        accountId: owner.account_id,
        userId: owner.id,
        actorId: owner.id,
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: {
          tokenId: row.id,
          name: row.name,
          scopes: row.scopes,
          expiresAt: new Date(row.expires_at).toISOString(),
          ...(via.cli ? { via: 'cli' } : {}),
        },
      },
      now,
    );
    await deps.notify(
      repos,
      recipientOf(owner),
      { kind: 'api_token.created', name: row.name, scopes: checked.scopes, expiresAt: row.expires_at },
      meta,
      now,
    );
    return { token: tokenView(row), secret };
  }

  async function revokeRow(
    row: { id: string; account_id: string; user_id: string; name: string },
    meta: RequestMeta,
    actorId: string | null,
  ) {
    const now = clock();
    await store.transaction(async (repos) => {
      if ((await repos.apiTokens.revoke(row.id, now)) === 0) return;
      await audit(
        repos,
        {
          type: 'api_token.revoked',
          accountId: row.account_id,
          userId: row.user_id,
          actorId,
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: { tokenId: row.id, name: row.name, ...(actorId === null ? { via: 'cli' } : {}) },
        },
        now,
      );
    });
  }

  const service = {
    /** POST /api-tokens: a fresh step-up; never with a token (a token does not mint tokens). */
    async create(principal: Principal, input: NewApiToken, meta: RequestMeta) {
      if (principal.token) throw tokenScopeError((m) => m.apiTokens.cannotCreateTokens);
      const owner = await ownerOf(principal);
      checkNewToken(input);
      if ((await store.repos.apiTokens.listActive(owner.id, clock())).length >= MAX_TOKENS_PER_USER)
        throw new AppError('token.too_many', (m) => m.apiTokens.tooMany(MAX_TOKENS_PER_USER));
      await deps.stepUp.requireFresh(principal, 'api_tokens.create');
      const now = clock();
      return store.transaction((repos) => issue(repos, owner, input, meta, { cli: false }, now));
    },

    /** GET /api-tokens: the caller's tokens that still work. */
    async list(principal: Principal): Promise<ApiTokenView[]> {
      await ownerOf(principal);
      return (await store.repos.apiTokens.listActive(principal.userId, clock())).map(tokenView);
    },

    /** DELETE /api-tokens/{id}: one's own token; the primary account may revoke any of its account's. */
    async revoke(principal: Principal, id: string, meta: RequestMeta) {
      const row = id.length <= 64 ? await store.repos.apiTokens.find(id) : undefined;
      const mine =
        row &&
        row.revoked_at === null &&
        row.expires_at > clock() &&
        (row.user_id === principal.userId || (principal.kind === 'root' && row.account_id === principal.accountId));
      if (!row || !mine) throw new AppError('token.not_found', (m) => m.apiTokens.notFound);
      await revokeRow(row, meta, principal.userId);
    },

    /**
     * The principal of a call made with `secret`, or null: malformed (checked before any database
     * read), unknown, revoked, expired, or its owner disabled.
     */
    async authenticate(secret: string): Promise<Principal | null> {
      if (!isWellFormedApiToken(secret)) return null;
      const now = clock();
      const row = await store.repos.apiTokens.findBySecretHash(apiTokenHash(secret));
      if (!row || row.revoked_at !== null || row.expires_at <= now || row.owner_disabled_at !== null) return null;
      if (row.last_used_at === null || row.last_used_at < now - 60_000) await store.repos.apiTokens.touch(row.id, now);
      return {
        // Never a session's id: nothing that ends or looks up sessions can touch it.
        sessionId: `api-token:${row.id}`,
        userId: row.user_id,
        accountId: row.account_id,
        kind: row.kind,
        restricted: false,
        // A token never steps up; where its scope stands in for one, tokenMayProceed says so.
        stepUpUntil: 0,
        // Workspaces that require MFA ask it of people at sign-in; the token's creation was stepped up.
        mfaVerified: true,
        token: { id: row.id, name: row.name, scopes: row.scopes.split(' ') as ApiScope[] },
      };
    },

    /**
     * Tells owners, once, that a token ends within 7 days (run hourly by `serve`). The claim on
     * each row is conditional, so two instances never send the same reminder.
     */
    async remindExpiring(): Promise<number> {
      const now = clock();
      let sent = 0;
      for (const row of await store.repos.apiTokens.expiringUnnoticed(now, REMINDER_MS, 100)) {
        await store.transaction(async (repos) => {
          if (!(await repos.apiTokens.markExpiryNoticed(row.id, now))) return;
          const owner = await repos.users.findUserById(row.user_id);
          if (!owner || owner.disabled_at !== null) return;
          await deps.notify(
            repos,
            recipientOf(owner),
            { kind: 'api_token.expiring', name: row.name, expiresAt: row.expires_at },
            { ip: null },
            now,
          );
          sent += 1;
        });
      }
      return sent;
    },

    /** Hourly reminders (started by `serve`), the first a minute after start. */
    reminders: {
      start() {
        const tick = () =>
          void service
            .remindExpiring()
            .catch((error: unknown) =>
              deps.logger?.warn({ error: (error as Error).message }, 'API token reminders failed'),
            );
        reminderTimer = setInterval(tick, 3600_000);
        reminderTimer.unref();
        setTimeout(tick, 60_000).unref();
      },
      stop() {
        if (reminderTimer) clearInterval(reminderTimer);
        reminderTimer = null;
      },
    },

    /** `twofold token …`: the server's operator, with database access and no session (no step-up). */
    operator: {
      async create(input: NewApiToken & { email: string; username?: string | undefined }) {
        const root = await store.repos.users.findRootByEmail(normalizeEmail(input.email));
        if (!root) throw new AppError('auth.invalid_credentials', (m) => m.apiTokens.noPrimaryAccount(input.email));
        let owner: UsersTable = root;
        const { username } = input;
        if (username !== undefined) {
          const sub = await store.repos.users.findSubByUsername(root.account_id, username.trim().toLowerCase());
          if (!sub) throw new AppError('user.not_found', (m) => m.apiTokens.noSubUser(username, input.email));
          owner = sub;
        }
        if (!mayOwnTokens(owner))
          throw new AppError('auth.forbidden', (m) => m.apiTokens.notUserAdmin(String(username)));
        if (owner.disabled_at !== null) throw new AppError('auth.forbidden', (m) => m.apiTokens.userDisabled);
        const now = clock();
        return store.transaction((repos) =>
          issue(repos, owner, input, { ip: null, userAgent: 'twofold CLI' }, { cli: true }, now),
        );
      },
      async list() {
        return (await store.repos.apiTokens.listAllActive(clock())).map((row) => ({
          ...tokenView(row),
          owner: row.kind === 'root' ? (row.email ?? row.user_id) : (row.username ?? row.user_id),
        }));
      },
      async revoke(id: string) {
        const row = id.length <= 64 ? await store.repos.apiTokens.find(id) : undefined;
        if (!row || row.revoked_at !== null || row.expires_at <= clock())
          throw new AppError('token.not_found', (m) => m.apiTokens.noWorkingToken(id));
        await revokeRow(row, { ip: null, userAgent: 'twofold CLI' }, null);
      },
    },
  };
  return service;
}
export type ApiTokensService = ReturnType<typeof createApiTokensService>;
