import type { Store } from '../../db/repositories/index.js';
import type { Principal } from '../sessions/principal.js';

/** GET /audit-events: the primary account sees its whole account; a sub-user sees only itself. */
export function createAuditQuery(deps: { store: Store }) {
  return async function listAuditEvents(
    principal: Principal,
    filter: { userId?: string | undefined; type?: string | undefined; limit: number; before?: string | undefined },
  ) {
    const userId = principal.kind === 'root' ? filter.userId : principal.userId;
    const rows = await deps.store.repos.audit.list({
      accountId: principal.accountId,
      userId,
      // A user administrator also sees what its own API tokens did to others (decision 031).
      orTokensOf: principal.kind === 'root' ? undefined : principal.userId,
      type: filter.type,
      limit: filter.limit,
      before: filter.before,
    });
    // Who acted: the user itself, a support operator (issue 13: they view tickets and evidence of
    // other accounts), or otherwise someone of this account — its primary account or a user
    // administrator, also one deleted since. Support is the role the actor acted in, recorded with
    // the event (issue 24): an operator removed since still shows as support.
    return rows.map((row) => ({
      id: row.id,
      type: row.type,
      userId: row.user_id,
      actorId: row.actor_id,
      actor: actorOf(row.actor_id, row.user_id, row.actor_role),
      ip: row.ip,
      at: new Date(row.at).toISOString(),
      details: JSON.parse(row.details) as Record<string, unknown>,
    }));
  };
}
export type AuditQuery = ReturnType<typeof createAuditQuery>;

export type AuditActor = 'self' | 'account' | 'support' | 'api_token';

function actorOf(actorId: string | null, userId: string | null, role: 'support' | 'api_token' | null): AuditActor {
  if (role === 'api_token') return 'api_token';
  if (!actorId || actorId === userId) return 'self';
  return role === 'support' ? 'support' : 'account';
}
