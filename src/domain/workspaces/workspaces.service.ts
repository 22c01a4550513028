import { AppError } from '../../errors/app-error.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Store } from '../../db/repositories/index.js';
import type { WorkspaceMembersTable, WorkspacesTable } from '../../db/schema.js';
import { newId, type Clock, type RandomBytes } from '../../crypto/random.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import type { DeviceService } from '../mfa/device.service.js';
import type { StepUpService } from '../step-up/step-up.service.js';
import type { Notifier } from '../notify/notifications.js';
import { recipientOf } from '../notify/recipients.js';
import type { ThrottlePolicy } from '../../db/repositories/throttles.repository.js';
import { reserveOrRefuse } from '../throttle/reserve.js';
import { actorLabel } from '../users/user-views.js';

const DAY_MS = 86_400_000;
/** Reminders to members without MFA: once an hour per workspace. */
const REMINDERS: ThrottlePolicy = {
  threshold: 1,
  baseDelayMs: 3_600_000,
  maxDelayMs: 3_600_000,
  hardLimit: null,
  windowMs: 3_600_000,
};

export function publicWorkspace(workspace: WorkspacesTable) {
  return {
    id: workspace.id,
    name: workspace.name,
    mfaRequired: workspace.mfa_required === 1,
    phishingResistant: workspace.mfa_required === 1 && workspace.phishing_resistant === 1,
    graceDays: workspace.grace_days,
    mfaDeadline:
      workspace.mfa_required === 1 && workspace.policy_since !== null
        ? new Date(workspace.policy_since + workspace.grace_days * DAY_MS).toISOString()
        : null,
  };
}

/**
 * Workspaces with an optional mandatory-MFA policy (docs/design.md F9). While the policy is on, a
 * member reaches the workspace only from a session that proved a bound TOTP device; once the grace
 * period is over, members without a device are taken through binding at login (restricted
 * session). Changing the policy is a sensitive operation and re-checks open sessions at once.
 */
export function createWorkspacesService(deps: {
  store: Store;
  audit: AuditRecorder;
  devices: DeviceService;
  stepUp: StepUpService;
  notify: Notifier;
  clock: Clock;
  random: RandomBytes;
}) {
  const { store, clock } = deps;

  async function membershipOf(principal: Principal, workspaceId: string) {
    const workspace = await store.repos.workspaces.find(workspaceId);
    const member = workspace ? await store.repos.workspaces.membership(workspaceId, principal.userId) : undefined;
    if (!workspace || !member) throw new AppError('workspace.not_found', (m) => m.workspaces.notFoundOrNotMember);
    return { workspace, member };
  }

  function requireManager(member: WorkspaceMembersTable) {
    if (member.role !== 'owner' && member.role !== 'admin')
      throw new AppError('auth.forbidden', (m) => m.workspaces.managersOnly);
  }

  function requireOwner(member: WorkspaceMembersTable) {
    if (member.role !== 'owner') throw new AppError('auth.forbidden', (m) => m.workspaces.ownerOnly);
  }

  /** Another member of the workspace, for a change by a manager; the owner is never changed this way. */
  async function otherMember(workspaceId: string, userId: string) {
    const target = await store.repos.workspaces.membership(workspaceId, userId);
    if (!target) throw new AppError('workspace.member_not_found', (m) => m.workspaces.notAMember);
    if (target.role === 'owner') throw new AppError('auth.forbidden', (m) => m.workspaces.ownerUnchangeable);
    return target;
  }

  const event = (principal: Principal, workspace: WorkspacesTable, meta: RequestMeta) => ({
    accountId: workspace.account_id,
    actorId: principal.userId,
    apiToken: principal.token,
    ip: meta.ip,
    userAgent: meta.userAgent,
  });

  /**
   * API.md: with the policy on, the caller must have bound a device and verified it in this session;
   * with phishing resistance required, the session must have proved a passkey (NIST SP 800-63B
   * §5.2.5: a TOTP code can be relayed by a look-alike site, a passkey's signature cannot).
   */
  async function requireMfaIfPolicy(principal: Principal, workspace: WorkspacesTable) {
    if (workspace.mfa_required !== 1) return;
    const bound = (await deps.devices.status(principal)).bound;
    if (bound && principal.mfaVerified && workspace.phishing_resistant === 1 && !principal.phishingResistant)
      throw new AppError('workspace.phishing_resistant_required', (m) => m.workspaces.passkeyRequired);
    if (bound && principal.mfaVerified) return;
    throw new AppError('workspace.mfa_required', (m) =>
      bound ? m.workspaces.verifyToEnter : m.workspaces.bindToEnter,
    );
  }

  /** A member's MFA state for the compliance view: bound or not, and the kinds of device it has. */
  async function memberMfa(userId: string) {
    const types = [...new Set((await deps.devices.list(userId)).map((d) => d.type))].sort();
    return { bound: types.length > 0, types };
  }

  return {
    async create(principal: Principal, input: { name: string }, meta: RequestMeta) {
      const now = clock();
      const workspace: WorkspacesTable = {
        id: newId(deps.random),
        account_id: principal.accountId,
        name: input.name.trim(),
        mfa_required: 0,
        grace_days: 0,
        policy_since: null,
        created_at: now,
        phishing_resistant: 0,
        phishing_resistant_since: null,
      };
      await store.transaction(async (repos) => {
        await repos.workspaces.insert(workspace);
        await repos.workspaces.addMember({
          workspace_id: workspace.id,
          user_id: principal.userId,
          role: 'owner',
          added_at: now,
        });
        await deps.audit(
          repos,
          {
            type: 'workspace.created',
            accountId: principal.accountId,
            userId: principal.userId,
            ip: meta.ip,
            userAgent: meta.userAgent,
            apiToken: principal.token,
            details: { workspaceId: workspace.id, name: workspace.name },
          },
          now,
        );
      });
      return publicWorkspace(workspace);
    },

    async list(principal: Principal) {
      const rows = await store.repos.workspaces.listForUser(principal.userId);
      return rows.map(({ role, ...workspace }) => ({ ...publicWorkspace(workspace), role }));
    },

    async get(principal: Principal, workspaceId: string) {
      const { workspace, member } = await membershipOf(principal, workspaceId);
      await requireMfaIfPolicy(principal, workspace);
      return { ...publicWorkspace(workspace), role: member.role };
    },

    async update(
      principal: Principal,
      workspaceId: string,
      changes: {
        name?: string | undefined;
        mfaRequired?: boolean | undefined;
        phishingResistant?: boolean | undefined;
        graceDays?: number | undefined;
      },
      meta: RequestMeta,
    ) {
      const { workspace, member } = await membershipOf(principal, workspaceId);
      requireManager(member);
      await requireMfaIfPolicy(principal, workspace);
      const policyChange =
        (changes.mfaRequired !== undefined && (changes.mfaRequired ? 1 : 0) !== workspace.mfa_required) ||
        (changes.phishingResistant !== undefined &&
          (changes.phishingResistant ? 1 : 0) !== workspace.phishing_resistant) ||
        (changes.graceDays !== undefined && changes.graceDays !== workspace.grace_days);
      // docs/design.md §2.6: changing a workspace's MFA policy is a sensitive operation.
      if (policyChange) await deps.stepUp.requireFresh(principal, 'workspaces.change_policy');
      // Whoever requires MFA from others must use it: this also keeps an owner from locking itself out.
      if (changes.mfaRequired === true && !((await deps.devices.status(principal)).bound && principal.mfaVerified)) {
        throw new AppError('workspace.mfa_required', (m) => m.workspaces.bindBeforeRequiring);
      }
      const requiresMfa = changes.mfaRequired ?? workspace.mfa_required === 1;
      if (changes.phishingResistant === true && !requiresMfa)
        throw new AppError('validation.failed', (m) => m.workspaces.phishingResistantNeedsMfa, {
          details: { fields: [{ path: '/phishingResistant', message: 'needs mfaRequired' }] },
        });
      // Whoever requires passkeys from others must sign in with one: the owner cannot lock itself out.
      const passkeysTurnOn =
        requiresMfa &&
        (changes.phishingResistant ?? workspace.phishing_resistant === 1) &&
        !principal.phishingResistant;
      if (passkeysTurnOn && (changes.phishingResistant === true || changes.mfaRequired === true)) {
        throw new AppError('workspace.phishing_resistant_required', (m) => m.workspaces.passkeyBeforeRequiring);
      }
      const now = clock();
      const turnedOn = changes.mfaRequired === true && workspace.mfa_required === 0;
      // Off with MFA, and its own start: a passkey requirement added later gets its own grace period.
      const phishingResistant = requiresMfa && (changes.phishingResistant ?? workspace.phishing_resistant === 1);
      const passkeysTurnedOn =
        phishingResistant && (workspace.phishing_resistant === 0 || workspace.mfa_required === 0);
      const next: WorkspacesTable = {
        ...workspace,
        name: changes.name?.trim() || workspace.name,
        mfa_required: changes.mfaRequired === undefined ? workspace.mfa_required : changes.mfaRequired ? 1 : 0,
        grace_days: changes.graceDays ?? workspace.grace_days,
        phishing_resistant: phishingResistant ? 1 : 0,
        phishing_resistant_since: passkeysTurnedOn
          ? now
          : phishingResistant
            ? workspace.phishing_resistant_since
            : null,
        policy_since: turnedOn ? now : changes.mfaRequired === false ? null : workspace.policy_since,
      };
      await store.transaction(async (repos) => {
        await repos.workspaces.update(workspace.id, {
          name: next.name,
          mfa_required: next.mfa_required,
          grace_days: next.grace_days,
          policy_since: next.policy_since,
          phishing_resistant: next.phishing_resistant,
          phishing_resistant_since: next.phishing_resistant_since,
        });
        if (next.name !== workspace.name)
          await deps.audit(
            repos,
            {
              type: 'workspace.renamed',
              ...event(principal, workspace, meta),
              userId: principal.userId,
              details: { workspaceId: workspace.id, from: workspace.name, to: next.name },
            },
            now,
          );
        if (!policyChange) return;
        await deps.audit(
          repos,
          {
            type: 'workspace.policy_changed',
            accountId: principal.accountId,
            userId: principal.userId,
            ip: meta.ip,
            userAgent: meta.userAgent,
            apiToken: principal.token,
            details: {
              workspaceId: workspace.id,
              mfaRequired: next.mfa_required === 1,
              phishingResistant: next.phishing_resistant === 1,
              graceDays: next.grace_days,
            },
          },
          now,
        );
        if (next.mfa_required !== 1) return;
        const members = await repos.workspaces.members(workspace.id);
        const unbound = members.filter((m) => m.bound_at === null);
        const deadline = next.policy_since! + next.grace_days * DAY_MS;
        if (turnedOn) {
          for (const m of unbound) {
            await deps.notify(
              repos,
              recipientOf({
                id: m.user_id,
                account_id: m.account_id,
                email: m.email,
                display_name: m.display_name,
                locale: m.locale,
              }),
              { kind: 'workspace.mfa_required', workspace: next.name, deadline },
              meta,
              now,
            );
          }
        }
        // Members without a passkey hear when they must have one.
        if (passkeysTurnedOn) {
          const passkeyDeadline = next.phishing_resistant_since! + next.grace_days * DAY_MS;
          for (const m of members.filter(
            (member) => Number(member.passkeys) === 0 && member.user_id !== principal.userId,
          ))
            await deps.notify(
              repos,
              recipientOf({
                id: m.user_id,
                account_id: m.account_id,
                email: m.email,
                display_name: m.display_name,
                locale: m.locale,
              }),
              { kind: 'workspace.passkey_required', workspace: next.name, deadline: passkeyDeadline },
              meta,
              now,
            );
        }
        // Re-check open sessions now: past the grace period, unbound members may only bind a device.
        if (deadline <= now)
          await repos.sessions.restrictOpenSessions(
            unbound.map((m) => m.user_id),
            now,
          );
      });
      return publicWorkspace(next);
    },

    async addMember(
      principal: Principal,
      workspaceId: string,
      input: { userId: string; role: 'admin' | 'member' },
      meta: RequestMeta,
    ) {
      const { workspace, member } = await membershipOf(principal, workspaceId);
      requireManager(member);
      const user = await store.repos.users.findUserById(input.userId);
      // Members come from the workspace's own account; other accounts' users do not exist here.
      if (!user || user.account_id !== workspace.account_id)
        throw new AppError('user.not_found', (m) => m.users.notFound);
      const now = clock();
      try {
        await store.transaction(async (repos) => {
          await repos.workspaces.addMember({
            workspace_id: workspace.id,
            user_id: user.id,
            role: input.role,
            added_at: now,
          });
          await deps.audit(
            repos,
            {
              type: 'workspace.member_added',
              accountId: workspace.account_id,
              userId: user.id,
              actorId: principal.userId,
              apiToken: principal.token,
              ip: meta.ip,
              userAgent: meta.userAgent,
              details: { workspaceId: workspace.id, role: input.role },
            },
            now,
          );
        });
      } catch (error) {
        if (isUniqueViolation(error))
          throw new AppError('workspace.member_exists', (m) => m.workspaces.alreadyMember, { cause: error });
        throw error;
      }
      return {
        userId: user.id,
        role: input.role,
        mfa: await memberMfa(user.id),
      };
    },

    /** PATCH /workspaces/{id}/members/{userId}: admin or member, set by the owner. */
    async setRole(
      principal: Principal,
      workspaceId: string,
      userId: string,
      role: 'admin' | 'member',
      meta: RequestMeta,
    ) {
      const { workspace, member } = await membershipOf(principal, workspaceId);
      requireOwner(member);
      await requireMfaIfPolicy(principal, workspace);
      const target = await otherMember(workspaceId, userId);
      if (target.role === role) return { userId, role };
      const now = clock();
      await store.transaction(async (repos) => {
        await repos.workspaces.setRole(workspaceId, userId, role);
        await deps.audit(
          repos,
          {
            type: 'workspace.member_role_changed',
            ...event(principal, workspace, meta),
            userId,
            details: { workspaceId, from: target.role, to: role },
          },
          now,
        );
      });
      return { userId, role };
    },

    /**
     * DELETE /workspaces/{id}/members/{userId}: the owner removes admins and members, an admin
     * removes members; nobody removes the owner.
     */
    async removeMember(principal: Principal, workspaceId: string, userId: string, meta: RequestMeta) {
      const { workspace, member } = await membershipOf(principal, workspaceId);
      requireManager(member);
      await requireMfaIfPolicy(principal, workspace);
      const target = await otherMember(workspaceId, userId);
      if (target.role === 'admin' && member.role !== 'owner')
        throw new AppError('auth.forbidden', (m) => m.workspaces.ownerRemovesAdmins);
      const now = clock();
      await store.transaction(async (repos) => {
        if (!(await repos.workspaces.removeMember(workspaceId, userId)))
          throw new AppError('workspace.member_not_found', (m) => m.workspaces.notAMember);
        await deps.audit(
          repos,
          {
            type: 'workspace.member_removed',
            ...event(principal, workspace, meta),
            userId,
            details: { workspaceId, role: target.role },
          },
          now,
        );
      });
    },

    /** DELETE /workspaces/{id}: the owner, with a fresh step-up (its MFA policy goes with it). */
    async remove(principal: Principal, workspaceId: string, meta: RequestMeta) {
      const { workspace, member } = await membershipOf(principal, workspaceId);
      requireOwner(member);
      await requireMfaIfPolicy(principal, workspace);
      await deps.stepUp.requireFresh(principal, 'workspaces.delete');
      const now = clock();
      await store.transaction(async (repos) => {
        await repos.workspaces.remove(workspaceId);
        await deps.audit(
          repos,
          {
            type: 'workspace.deleted',
            ...event(principal, workspace, meta),
            userId: principal.userId,
            details: { workspaceId, name: workspace.name, mfaRequired: workspace.mfa_required === 1 },
          },
          now,
        );
      });
    },

    /**
     * POST /workspaces/{id}/reminders: e-mails every member without a bound device, from the
     * compliance table; at most once an hour per workspace, so members are not flooded.
     */
    async remind(principal: Principal, workspaceId: string, meta: RequestMeta) {
      const { workspace, member } = await membershipOf(principal, workspaceId);
      requireManager(member);
      await requireMfaIfPolicy(principal, workspace);
      const now = clock();
      const rows = await store.repos.workspaces.members(workspaceId);
      // Members an e-mail can reach; one without an address is not counted as reminded.
      const unbound = rows.filter((m) => m.bound_at === null && m.user_id !== principal.userId && m.email);
      if (unbound.length === 0) return { reminded: 0 };
      await reserveOrRefuse(
        store,
        `remind:${workspaceId}`,
        REMINDERS,
        now,
        (details) => new AppError('workspace.reminded_recently', (m) => m.workspaces.remindedRecently, { details }),
      );
      const by = actorLabel(await store.repos.users.findUserById(principal.userId));
      const deadline =
        workspace.mfa_required === 1 && workspace.policy_since !== null
          ? workspace.policy_since + workspace.grace_days * DAY_MS
          : null;
      await store.transaction(async (repos) => {
        for (const m of unbound)
          await deps.notify(
            repos,
            recipientOf({
              id: m.user_id,
              account_id: m.account_id,
              email: m.email,
              display_name: m.display_name,
              locale: m.locale,
            }),
            { kind: 'workspace.mfa_reminder', workspace: workspace.name, deadline, by },
            meta,
            now,
          );
        await deps.audit(
          repos,
          {
            type: 'workspace.members_reminded',
            ...event(principal, workspace, meta),
            userId: principal.userId,
            details: { workspaceId, members: unbound.length },
          },
          now,
        );
      });
      return { reminded: unbound.length };
    },

    /** The compliance view: every member and whether it has bound a device. */
    async members(principal: Principal, workspaceId: string) {
      const { workspace, member } = await membershipOf(principal, workspaceId);
      requireManager(member);
      await requireMfaIfPolicy(principal, workspace);
      const rows = await store.repos.workspaces.members(workspaceId);
      return rows.map((m) => ({
        userId: m.user_id,
        role: m.role,
        name: m.kind === 'root' ? (m.email ?? m.display_name) : m.username!,
        displayName: m.display_name,
        mfa:
          m.bound_at === null
            ? { bound: false, types: [] as ('totp' | 'webauthn')[] }
            : {
                bound: true,
                boundAt: new Date(Number(m.bound_at)).toISOString(),
                types: [
                  ...(Number(m.apps) > 0 ? ['totp' as const] : []),
                  ...(Number(m.passkeys) > 0 ? ['webauthn' as const] : []),
                ],
              },
      }));
    },

    /**
     * Who makes this user bind a device now, for the binding page to say so: the workspaces whose
     * grace period is over, and whether an administrator turned on the sub-user's "Require MFA".
     */
    async bindingRequiredBy(userId: string) {
      const user = await store.repos.users.findUserById(userId);
      return {
        workspaces: await store.repos.workspaces.requiringNow(userId, clock()),
        byAdministrator: user?.kind === 'sub' && user.mfa_required === 1,
      };
    },

    /**
     * The user's workspaces that require phishing-resistant MFA while the user has no passkey, with
     * when each starts requiring one (its own start plus the grace period), earliest first: for the
     * console's banner, so a member with only an app hears of it before the deadline.
     */
    async passkeyRequiredBy(userId: string): Promise<{ name: string; deadline: number }[]> {
      const requiring = (await store.repos.workspaces.listForUser(userId)).filter(
        (w) => w.mfa_required === 1 && w.phishing_resistant === 1 && w.phishing_resistant_since !== null,
      );
      if (requiring.length === 0 || (await deps.devices.list(userId)).some((d) => d.type === 'webauthn')) return [];
      return requiring
        .map((w) => ({ name: w.name, deadline: Number(w.phishing_resistant_since) + w.grace_days * DAY_MS }))
        .sort((a, b) => a.deadline - b.deadline || a.name.localeCompare(b.name));
    },

    /** The earliest mandatory-MFA deadline over the user's workspaces, for the console banner. */
    async mfaDeadline(userId: string): Promise<number | null> {
      return store.repos.workspaces.mfaDeadlineFor(userId);
    },
  };
}
export type WorkspacesService = ReturnType<typeof createWorkspacesService>;
