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
      type: filter.type,
      limit: filter.limit,
      before: filter.before,
    });
    return rows.map((row) => ({
      id: row.id,
      type: row.type,
      userId: row.user_id,
      actorId: row.actor_id,
      ip: row.ip,
      at: new Date(row.at).toISOString(),
      details: JSON.parse(row.details) as Record<string, unknown>,
    }));
  };
}
export type AuditQuery = ReturnType<typeof createAuditQuery>;
