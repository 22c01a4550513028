import type { Database } from '../database.js';
import type { AuditEventsTable } from '../schema.js';

export function createAuditRepository(db: Database) {
  return {
    insert: (event: AuditEventsTable) => db.insertInto('audit_events').values(event).execute(),
    list: (filter: { accountId: string; userId?: string | undefined; type?: string | undefined; limit: number; before?: string | undefined }) => {
      let query = db.selectFrom('audit_events').selectAll().where('account_id', '=', filter.accountId);
      if (filter.userId) query = query.where('user_id', '=', filter.userId);
      if (filter.type) query = query.where('type', '=', filter.type);
      if (filter.before) query = query.where('id', '<', filter.before);
      return query.orderBy('id', 'desc').limit(filter.limit).execute();
    },
  };
}
export type AuditRepository = ReturnType<typeof createAuditRepository>;
