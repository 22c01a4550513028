import { sql } from 'kysely';
import { preparedQuery, type QueryTarget } from '../prepared.js';
import type { WorkspacesTable, WorkspaceMembersTable } from '../schema.js';

/**
 * The strictest mandatory-MFA policy over all of a user's workspaces: the earliest deadline
 * (policy_since + grace), or null when none requires MFA. On every login: prepared (decision 011).
 */
/**
 * When a phishing-resistant workspace starts requiring a passkey: its own start plus the grace
 * period; over the user's workspaces, the earliest (shared with the login's password step).
 */
export const passkeyDeadline = sql<
  number | null
>`min(workspaces.phishing_resistant_since + workspaces.grace_days * cast(86400000 as bigint))`;

const mfaDeadline = preparedQuery<{ userId: string }, { deadline: number | null }>((db, slot) =>
  db
    .selectFrom('workspaces')
    .innerJoin('workspace_members', 'workspace_members.workspace_id', 'workspaces.id')
    .select(
      sql<number | null>`min(workspaces.policy_since + workspaces.grace_days * cast(86400000 as bigint))`.as(
        'deadline',
      ),
    )
    .where('workspace_members.user_id', '=', slot('userId'))
    .where('workspaces.mfa_required', '=', 1),
);

export function createWorkspacesRepository(target: QueryTarget) {
  return {
    insert: (workspace: WorkspacesTable) => target.db.insertInto('workspaces').values(workspace).execute(),
    find: (id: string) => target.db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst(),
    update: (
      id: string,
      changes: Partial<
        Pick<
          WorkspacesTable,
          'name' | 'mfa_required' | 'grace_days' | 'policy_since' | 'phishing_resistant' | 'phishing_resistant_since'
        >
      >,
    ) => target.db.updateTable('workspaces').set(changes).where('id', '=', id).execute(),
    addMember: (member: WorkspaceMembersTable) => target.db.insertInto('workspace_members').values(member).execute(),
    /**
     * A departing user's memberships: workspaces it owned get `heirId` as owner (joining if needed),
     * its other memberships go.
     */
    handOver: async (userId: string, heirId: string, now: number) => {
      const owned = await target.db
        .selectFrom('workspace_members')
        .select('workspace_id')
        .where('user_id', '=', userId)
        .where('role', '=', sql.lit('owner'))
        .execute();
      for (const { workspace_id } of owned) {
        await target.db
          .insertInto('workspace_members')
          .values({ workspace_id, user_id: heirId, role: 'owner', added_at: now })
          .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doUpdateSet({ role: 'owner' }))
          .execute();
      }
      await target.db.deleteFrom('workspace_members').where('user_id', '=', userId).execute();
    },
    removeMember: async (workspaceId: string, userId: string) =>
      Number(
        (
          await target.db
            .deleteFrom('workspace_members')
            .where('workspace_id', '=', workspaceId)
            .where('user_id', '=', userId)
            .executeTakeFirst()
        ).numDeletedRows,
      ) === 1,
    setRole: (workspaceId: string, userId: string, role: WorkspaceMembersTable['role']) =>
      target.db
        .updateTable('workspace_members')
        .set({ role })
        .where('workspace_id', '=', workspaceId)
        .where('user_id', '=', userId)
        .execute(),
    /** The workspace and its memberships; audit events keep its id. */
    remove: async (id: string) => {
      await target.db.deleteFrom('workspace_members').where('workspace_id', '=', id).execute();
      await target.db.deleteFrom('workspaces').where('id', '=', id).execute();
    },
    membership: (workspaceId: string, userId: string) =>
      target.db
        .selectFrom('workspace_members')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('user_id', '=', userId)
        .executeTakeFirst(),
    listForUser: (userId: string) =>
      target.db
        .selectFrom('workspaces')
        .innerJoin('workspace_members', 'workspace_members.workspace_id', 'workspaces.id')
        .selectAll('workspaces')
        .select('workspace_members.role')
        .where('workspace_members.user_id', '=', userId)
        .orderBy('workspaces.name')
        .execute(),
    /** Members with their MFA state: the compliance view (first bound device, and how many of each type). */
    members: (workspaceId: string) =>
      target.db
        .selectFrom('workspace_members')
        .innerJoin('users', 'users.id', 'workspace_members.user_id')
        .select((eb) => [
          eb
            .selectFrom('mfa_devices')
            .select((d) => d.fn.min('mfa_devices.bound_at').as('b'))
            .whereRef('mfa_devices.user_id', '=', 'users.id')
            .where('mfa_devices.status', '=', sql.lit('active'))
            .as('bound_at'),
          eb
            .selectFrom('mfa_devices')
            .select((d) => d.fn.countAll<number>().as('n'))
            .whereRef('mfa_devices.user_id', '=', 'users.id')
            .where('mfa_devices.status', '=', sql.lit('active'))
            .where('mfa_devices.type', '=', sql.lit('webauthn'))
            .as('passkeys'),
          eb
            .selectFrom('mfa_devices')
            .select((d) => d.fn.countAll<number>().as('n'))
            .whereRef('mfa_devices.user_id', '=', 'users.id')
            .where('mfa_devices.status', '=', sql.lit('active'))
            .where('mfa_devices.type', '=', sql.lit('totp'))
            .as('apps'),
        ])
        .select([
          'workspace_members.user_id',
          'workspace_members.role',
          'workspace_members.added_at',
          'users.kind',
          'users.username',
          'users.email',
          'users.display_name',
          'users.locale',
          'users.account_id',
          'users.id as uid',
        ])
        .where('workspace_members.workspace_id', '=', workspaceId)
        // Owner first, then admins, then members, each by when they joined.
        .orderBy(sql`case workspace_members.role when 'owner' then 0 when 'admin' then 1 else 2 end`)
        .orderBy('workspace_members.added_at')
        .orderBy('workspace_members.user_id')
        .execute(),
    /** The names of the user's workspaces whose mandatory-MFA grace period is over at `now`. */
    requiringNow: async (userId: string, now: number) =>
      (
        await target.db
          .selectFrom('workspaces')
          .innerJoin('workspace_members', 'workspace_members.workspace_id', 'workspaces.id')
          .select('workspaces.name')
          .where('workspace_members.user_id', '=', userId)
          .where('workspaces.mfa_required', '=', 1)
          .where(sql<boolean>`workspaces.policy_since + workspaces.grace_days * cast(86400000 as bigint) <= ${now}`)
          .orderBy('workspaces.name')
          .execute()
      ).map((row) => row.name),
    /** When the user's phishing-resistant workspaces start requiring a passkey (the earliest); null for none. */
    passkeyDeadlineFor: async (userId: string) => {
      const row = await target.db
        .selectFrom('workspaces')
        .innerJoin('workspace_members', 'workspace_members.workspace_id', 'workspaces.id')
        .select(passkeyDeadline.as('deadline'))
        .where('workspace_members.user_id', '=', userId)
        .where('workspaces.mfa_required', '=', sql.lit(1))
        .where('workspaces.phishing_resistant', '=', sql.lit(1))
        .executeTakeFirst();
      return row?.deadline === null || row?.deadline === undefined ? null : Number(row.deadline);
    },
    mfaDeadlineFor: async (userId: string) => {
      const row = await mfaDeadline.first(target, { userId });
      return row?.deadline === null || row?.deadline === undefined ? null : Number(row.deadline);
    },
  };
}
export type WorkspacesRepository = ReturnType<typeof createWorkspacesRepository>;
