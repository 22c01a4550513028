import { preparedInsert, type QueryTarget } from '../prepared.js';
import type { AuditEventsTable } from '../schema.js';

// Nobody reads an audit insert's answer: on PostgreSQL it may wait for the next statement (decision 020).
const insertEvent = preparedInsert('audit_events', undefined, { deferrable: true });

export function createAuditRepository(target: QueryTarget) {
  return {
    insert: (event: AuditEventsTable) => insertEvent(target, event),
    list: (filter: {
      accountId: string;
      userId?: string | undefined;
      type?: string | undefined;
      limit: number;
      before?: string | undefined;
      /** Only events at or after this time (ms). */
      since?: number | undefined;
      /** With `userId`: also the events this user's API tokens caused. */
      orTokensOf?: string | undefined;
    }) => {
      let query = target.db.selectFrom('audit_events').selectAll().where('account_id', '=', filter.accountId);
      const tokensOf = filter.orTokensOf;
      if (filter.userId && tokensOf)
        query = query.where((eb) =>
          eb.or([
            eb('user_id', '=', filter.userId!),
            eb.and([eb('actor_id', '=', tokensOf), eb('actor_role', '=', 'api_token')]),
          ]),
        );
      else if (filter.userId) query = query.where('user_id', '=', filter.userId);
      if (filter.type) query = query.where('type', '=', filter.type);
      if (filter.before) query = query.where('id', '<', filter.before);
      if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
      return query.orderBy('id', 'desc').limit(filter.limit).execute();
    },
  };
}
export type AuditRepository = ReturnType<typeof createAuditRepository>;
