import { refuseTokenCredentialChanges, requireReasonForToken, type TokenGrant } from '../api-tokens/scopes.js';
import { AppError } from '../../errors/app-error.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Repositories, Store } from '../../db/repositories/index.js';
import type { UsersTable } from '../../db/schema.js';
import { newId, type Clock, type RandomBytes } from '../../crypto/random.js';
import type { PasswordHasher } from '../../crypto/password.js';
import type { AuditRecorder } from '../audit/audit.js';
import { revokeOidcGrants } from '../oidc/sign-in.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import type { Notifier } from '../notify/notifications.js';
import { recipientOf } from '../notify/recipients.js';
import type { EnrollmentService } from '../mfa/enrollment.service.js';
import type { DeviceService } from '../mfa/device.service.js';
import type { StepUpService } from '../step-up/step-up.service.js';
import { USER_ADMIN_ROLE, actorLabel, publicSubUser, rolesOf, type Role } from './user-views.js';
import { retireOldPassword } from '../accounts/password-changed.js';
import type { PasswordResetService } from '../accounts/password-reset.service.js';
import { checkNewPassword } from '../accounts/password-rules.js';

export interface SubUserInput {
  username: string;
  password: string;
  displayName?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  mfaRequired?: boolean | undefined;
}

export interface SubUserChanges {
  displayName?: string | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  mfaRequired?: boolean | undefined;
  password?: string | undefined;
  roles?: Role[] | undefined;
  disabled?: boolean | undefined;
}

/**
 * IAM sub-users (docs/design.md F4-F6). Who may do what:
 * - the primary account manages every sub-user of its account, and alone grants `user-admin`;
 * - a `user-admin` sub-user manages plain sub-users, never the primary account, another admin or
 *   itself through this path (wporg-two-factor #64, netrock #355);
 * - anyone else gets 403, and users of another account do not exist (404).
 * Every change to how a user authenticates needs the actor's fresh step-up (OwnPay #366).
 */
export function createUsersService(deps: {
  store: Store;
  hasher: PasswordHasher;
  audit: AuditRecorder;
  enrollment: EnrollmentService;
  devices: DeviceService;
  stepUp: StepUpService;
  clock: Clock;
  random: RandomBytes;
  notify: Notifier;
  passwordResets: Pick<PasswordResetService, 'issueLink'>;
}) {
  const { store, clock, audit } = deps;

  /** The acting user; with the API token its call was made with, which its audit events name. */
  async function actorOf(principal: Principal): Promise<UsersTable & { apiToken?: TokenGrant | undefined }> {
    const actor = await store.repos.users.findUserById(principal.userId);
    if (!actor) throw new AppError('auth.unauthenticated', (m) => m.users.sessionEnded);
    if (actor.kind !== 'root' && !rolesOf(actor).includes(USER_ADMIN_ROLE)) {
      throw new AppError('auth.forbidden', (m) => m.users.onlyAdminsManage);
    }
    return principal.token ? { ...actor, apiToken: principal.token } : actor;
  }

  /** The target as this actor may see it: 404 across accounts, 403 where the role rules forbid. */
  async function targetFor(actor: UsersTable, userId: string, intent: 'read' | 'manage'): Promise<UsersTable> {
    const target = await store.repos.users.findUserById(userId);
    if (!target || target.account_id !== actor.account_id)
      throw new AppError('user.not_found', (m) => m.users.notFound);
    if (target.kind === 'root') {
      if (intent === 'read') throw new AppError('user.not_found', (m) => m.users.notFound);
      throw new AppError('auth.forbidden', (m) => m.users.primaryAccountNotAUser);
    }
    if (intent === 'manage' && actor.kind !== 'root') {
      if (target.id === actor.id) throw new AppError('auth.forbidden', (m) => m.users.adminsNotThemselves);
      if (rolesOf(target).includes(USER_ADMIN_ROLE))
        throw new AppError('auth.forbidden', (m) => m.users.onlyPrimaryManagesAdmins);
    }
    return target;
  }

  async function mfaState(userId: string) {
    return deps.devices.status({ userId });
  }

  async function record(
    repos: Repositories,
    actor: UsersTable & { apiToken?: TokenGrant | undefined },
    target: UsersTable,
    type: 'user.created' | 'user.updated' | 'user.deleted',
    meta: RequestMeta,
    details: Record<string, string | number | boolean | null>,
    now: number,
  ) {
    await audit(
      repos,
      {
        type,
        accountId: actor.account_id,
        userId: target.id,
        actorId: actor.id,
        apiToken: actor.apiToken,
        ip: meta.ip,
        userAgent: meta.userAgent,
        details,
      },
      now,
    );
  }

  return {
    async create(principal: Principal, input: SubUserInput, meta: RequestMeta) {
      const actor = await actorOf(principal);
      const username = input.username.trim().toLowerCase();
      if (await store.repos.users.findSubByUsername(actor.account_id, username)) {
        throw new AppError('user.username_taken', (m) => m.users.usernameTaken(username));
      }
      checkNewPassword(input.password);
      const passwordHash = await deps.hasher.hash(input.password);
      const now = clock();
      const user: UsersTable = {
        id: newId(deps.random),
        account_id: actor.account_id,
        kind: 'sub',
        email: input.email?.trim() || null,
        email_normalized: null,
        username,
        display_name: input.displayName?.trim() || username,
        phone: input.phone ?? null,
        password_hash: passwordHash,
        created_at: now,
        disabled_at: null,
        roles: '',
        mfa_required: input.mfaRequired ? 1 : 0,
        created_by: actor.id,
        step_up_method: null,
        locale: null,
      };
      try {
        await store.transaction(async (repos) => {
          await repos.users.insertUser(user);
          await record(
            repos,
            actor,
            user,
            'user.created',
            meta,
            { username, mfaRequired: input.mfaRequired === true },
            now,
          );
        });
      } catch (error) {
        if (isUniqueViolation(error))
          throw new AppError('user.username_taken', (m) => m.users.usernameTaken(username), {
            cause: error,
          });
        throw error;
      }
      return { user: publicSubUser(user) };
    },

    async list(principal: Principal, filter: { mfa?: 'bound' | 'unbound' | undefined } = {}) {
      const actor = await actorOf(principal);
      const rows = await store.repos.users.listSubUsers(actor.account_id);
      return rows
        .map(({ device_id, device_bound_at, ...user }) => ({
          ...publicSubUser(user as UsersTable),
          mfa: device_id
            ? { bound: true, device: { id: device_id, boundAt: new Date(device_bound_at!).toISOString() } }
            : { bound: false },
        }))
        .filter((u) => filter.mfa === undefined || u.mfa.bound === (filter.mfa === 'bound'));
    },

    async get(principal: Principal, userId: string) {
      const actor = await actorOf(principal);
      const target = await targetFor(actor, userId, 'read');
      return {
        user: publicSubUser(target),
        mfa: await mfaState(target.id),
        manageable: await targetFor(actor, userId, 'manage').then(
          () => true,
          () => false,
        ),
      };
    },

    async update(principal: Principal, userId: string, changes: SubUserChanges, meta: RequestMeta) {
      refuseTokenCredentialChanges(principal, changes);
      const actor = await actorOf(principal);
      const target = await targetFor(actor, userId, 'manage');
      if (changes.roles !== undefined && actor.kind !== 'root')
        throw new AppError('auth.forbidden', (m) => m.users.onlyPrimaryGrantsRoles);
      const sensitive = (['email', 'phone', 'mfaRequired', 'password', 'roles', 'disabled'] as const).filter(
        (k) => changes[k] !== undefined,
      );
      if (changes.password !== undefined) checkNewPassword(changes.password);
      if (sensitive.length > 0) await deps.stepUp.requireFresh(principal, 'users.change_sign_in');
      const now = clock();
      const update: Parameters<Repositories['users']['updateUser']>[1] = {};
      if (changes.displayName !== undefined) update.display_name = changes.displayName.trim();
      if (changes.email !== undefined) update.email = changes.email?.trim() || null;
      if (changes.phone !== undefined) update.phone = changes.phone;
      if (changes.mfaRequired !== undefined) update.mfa_required = changes.mfaRequired ? 1 : 0;
      if (changes.roles !== undefined) update.roles = [...new Set(changes.roles)].join(',');
      if (changes.disabled !== undefined) update.disabled_at = changes.disabled ? (target.disabled_at ?? now) : null;
      if (changes.password !== undefined) update.password_hash = await deps.hasher.hash(changes.password);
      // A new password, disabling, or a change of roles ends the user's sessions at once.
      const endSessions = changes.password !== undefined || changes.disabled === true || changes.roles !== undefined;
      await store.transaction(async (repos) => {
        if (Object.keys(update).length > 0) await repos.users.updateUser(target.id, update);
        if (changes.password !== undefined) await retireOldPassword(repos, target.id, now);
        if (endSessions) await repos.sessions.endAllForUser(target.id, now, 'account_changed');
        // A disabled user's applications lose their grants and tokens at once (decision 029).
        if (changes.disabled === true) await revokeOidcGrants(repos, audit, target, 'user_disabled', now);
        // …and its API tokens, as when its roles change: a user administrator no more (decision 031).
        if (changes.disabled === true || changes.roles !== undefined)
          await repos.apiTokens.revokeAllForUser(target.id, now);
        const fields = Object.keys(changes)
          .filter((k) => changes[k as keyof SubUserChanges] !== undefined)
          .sort()
          .join(',');
        await record(
          repos,
          actor,
          target,
          'user.updated',
          meta,
          {
            fields,
            ...(changes.disabled !== undefined ? { disabled: changes.disabled } : {}),
            ...(changes.roles ? { roles: changes.roles.join(',') } : {}),
          },
          now,
        );
        // The sub-user hears of changes to how it signs in and is reached, at the address on record
        // before the change (or the new one, if it had none) and, for a new number, at the old one.
        const told: ('email' | 'phone' | 'password' | 'disabled' | 'enabled')[] = [];
        if (update.email !== undefined && update.email !== target.email) told.push('email');
        if (update.phone !== undefined && update.phone !== target.phone) told.push('phone');
        if (changes.password !== undefined) told.push('password');
        if (changes.disabled !== undefined && changes.disabled !== (target.disabled_at !== null))
          told.push(changes.disabled ? 'disabled' : 'enabled');
        if (told.length > 0) {
          await deps.notify(
            repos,
            recipientOf({ ...target, email: target.email ?? update.email ?? null }),
            { kind: 'account.changed_by_admin', admin: actorLabel(actor), changes: told },
            meta,
            now,
            { smsTo: told.includes('phone') ? target.phone : null },
          );
        }
      });
      const updated = await store.repos.users.findUserById(target.id);
      return { user: publicSubUser(updated!) };
    },

    /**
     * POST /users/{id}/password-reset: the sub-user gets a single-use link to choose a new password
     * itself, so the administrator never knows it (no step-up: the link goes to the user's address).
     */
    async sendPasswordReset(principal: Principal, userId: string, meta: RequestMeta) {
      const actor = await actorOf(principal);
      const target = await targetFor(actor, userId, 'manage');
      if (!target.email) throw new AppError('verification.channel_unavailable', (m) => m.users.noEmailForReset);
      if (target.disabled_at !== null) throw new AppError('auth.forbidden', (m) => m.users.disabled);
      const now = clock();
      const sent = await store.transaction((repos) =>
        deps.passwordResets.issueLink(repos, target, meta, now, { actorId: actor.id, label: actorLabel(actor) }),
      );
      if (!sent)
        throw new AppError('verification.too_many_requests', (m) => m.users.resetLinkSentRecently, {
          details: { retryAfterSeconds: 60 },
        });
    },

    async remove(principal: Principal, userId: string, meta: RequestMeta) {
      const actor = await actorOf(principal);
      const target = await targetFor(actor, userId, 'manage');
      await deps.stepUp.requireFresh(principal, 'users.delete');
      const now = clock();
      await store.transaction(async (repos) => {
        // A workspace it owned passes to the primary account: no workspace is left without an owner.
        const root = await repos.users.findRootOfAccount(target.account_id);
        if (root) await repos.workspaces.handOver(target.id, root.id, now);
        await revokeOidcGrants(repos, audit, target, 'user_deleted', now);
        await repos.apiTokens.revokeAllForUser(target.id, now);
        await repos.users.deleteSubUser(target.id);
        await record(repos, actor, target, 'user.deleted', meta, { username: target.username }, now);
      });
    },

    async startEnrollment(principal: Principal, userId: string, meta: RequestMeta) {
      const actor = await actorOf(principal);
      const target = await targetFor(actor, userId, 'manage');
      return deps.enrollment.startFor(principal, target.id, meta);
    },

    async pendingEnrollment(principal: Principal, userId: string, enrollmentId: string) {
      const actor = await actorOf(principal);
      const target = await targetFor(actor, userId, 'manage');
      return deps.enrollment.pending(principal, enrollmentId, target.id);
    },

    async activate(
      principal: Principal,
      userId: string,
      input: { enrollmentId: string; codes: string[] },
      meta: RequestMeta,
    ) {
      const actor = await actorOf(principal);
      const target = await targetFor(actor, userId, 'manage');
      return deps.enrollment.activateFor(principal, target.id, input, meta);
    },

    async resetMfa(principal: Principal, userId: string, reason: string | null, meta: RequestMeta) {
      requireReasonForToken(principal, reason);
      const actor = await actorOf(principal);
      const target = await targetFor(actor, userId, 'manage');
      await deps.devices.resetFor(principal, target.id, reason?.trim() || null, meta);
    },

    /** GET /users/{id}/mfa-devices: a sub-user's devices (User Details › Security Credential). */
    async devices(principal: Principal, userId: string) {
      const actor = await actorOf(principal);
      const target = await targetFor(actor, userId, 'read');
      return deps.devices.list(target.id);
    },

    /** DELETE /users/{id}/mfa-devices/{deviceId}: one of a sub-user's devices, with a reason. */
    async removeDevice(
      principal: Principal,
      userId: string,
      deviceId: string,
      reason: string | null,
      meta: RequestMeta,
    ) {
      requireReasonForToken(principal, reason);
      const actor = await actorOf(principal);
      const target = await targetFor(actor, userId, 'manage');
      await deps.devices.removeFor(principal, target.id, deviceId, reason?.trim() || null, meta);
    },
  };
}
export type UsersService = ReturnType<typeof createUsersService>;
