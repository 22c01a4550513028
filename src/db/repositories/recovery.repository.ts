import type { QueryTarget } from '../prepared.js';
import type {
  RealNamesTable,
  RecoveryApprovalsTable,
  RecoveryEvidenceTable,
  RecoveryTicketStatus,
  RecoveryTicketsTable,
} from '../schema.js';
import { PURGE_BATCH } from './housekeeping.repository.js';

/** The states in which a ticket can still change: at most one per account (partial unique index). */
export const OPEN_TICKET_STATES = ['submitted', 'awaiting_second_approval', 'cooling_off'] as const;

/** Real-name records, recovery tickets, their approvals and evidence files (issue 13). */
export function createRecoveryRepository(target: QueryTarget) {
  const db = () => target.db;
  return {
    findRealName: (accountId: string) =>
      db().selectFrom('real_names').selectAll().where('account_id', '=', accountId).executeTakeFirst(),
    /** A new submission replaces the record and needs a new review. */
    async putRealName(row: RealNamesTable) {
      await db().deleteFrom('real_names').where('account_id', '=', row.account_id).execute();
      await db().insertInto('real_names').values(row).execute();
    },
    listRealNames: (status: RealNamesTable['status'] | null, limit: number) => {
      let query = db().selectFrom('real_names').selectAll();
      if (status) query = query.where('status', '=', status);
      return query.orderBy('submitted_at', 'desc').limit(limit).execute();
    },
    /** Conditional on the state seen, so two operators' reviews cannot both apply. */
    async reviewRealName(
      accountId: string,
      from: RealNamesTable['status'],
      change: Pick<RealNamesTable, 'status' | 'reviewed_at' | 'reviewed_by' | 'review_note'>,
    ): Promise<boolean> {
      const result = await db()
        .updateTable('real_names')
        .set(change)
        .where('account_id', '=', accountId)
        .where('status', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    insertTicket: (row: RecoveryTicketsTable) => db().insertInto('recovery_tickets').values(row).execute(),
    findTicket: (id: string) => db().selectFrom('recovery_tickets').selectAll().where('id', '=', id).executeTakeFirst(),
    findOpenTicket: (accountId: string) =>
      db()
        .selectFrom('recovery_tickets')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('status', 'in', OPEN_TICKET_STATES)
        .executeTakeFirst(),
    listTickets: (status: RecoveryTicketStatus | null, limit: number) => {
      let query = db().selectFrom('recovery_tickets').selectAll();
      if (status) query = query.where('status', '=', status);
      return query.orderBy('submitted_at', 'desc').limit(limit).execute();
    },
    /**
     * Moves a ticket from one of `from` to a new state; the conditional UPDATE lets exactly one of
     * concurrent movers (two operators, two instances' schedulers, a cancel link) win.
     */
    async moveTicket(
      id: string,
      from: readonly RecoveryTicketStatus[],
      change: Partial<
        Pick<RecoveryTicketsTable, 'status' | 'effective_at' | 'reminded_at' | 'closed_at' | 'close_reason'>
      > & {
        updated_at: number;
      },
      extra: { dueBy?: number } = {},
    ): Promise<RecoveryTicketsTable | undefined> {
      let query = db().updateTable('recovery_tickets').set(change).where('id', '=', id).where('status', 'in', from);
      if (extra.dueBy !== undefined) query = query.where('effective_at', '<=', extra.dueBy);
      return query.returningAll().executeTakeFirst();
    },
    /** Cooling-off tickets whose period is over (the scheduler's work list). */
    dueTickets: (now: number, limit: number) =>
      db()
        .selectFrom('recovery_tickets')
        .select(['id', 'user_id'])
        .where('status', '=', 'cooling_off')
        .where('effective_at', '<=', now)
        .orderBy('effective_at')
        .limit(limit)
        .execute(),

    /**
     * Cooling-off tickets that take effect within `leadMs` and have had no reminder yet (the
     * scheduler's other work list).
     */
    ticketsToRemind: (now: number, leadMs: number, limit: number) =>
      db()
        .selectFrom('recovery_tickets')
        .select(['id'])
        .where('status', '=', 'cooling_off')
        .where('reminded_at', 'is', null)
        .where('effective_at', '<=', now + leadMs)
        .where('effective_at', '>', now)
        .orderBy('effective_at')
        .limit(limit)
        .execute(),
    /**
     * Claims a ticket's reminder: the conditional UPDATE lets exactly one of two instances'
     * schedulers send it, and a ticket cancelled or applied meanwhile gets none.
     */
    claimReminder: (id: string, now: number, leadMs: number): Promise<RecoveryTicketsTable | undefined> =>
      db()
        .updateTable('recovery_tickets')
        .set({ reminded_at: now })
        .where('id', '=', id)
        .where('status', '=', 'cooling_off')
        .where('reminded_at', 'is', null)
        .where('effective_at', '<=', now + leadMs)
        .where('effective_at', '>', now)
        .returningAll()
        .executeTakeFirst(),

    insertApproval: (row: RecoveryApprovalsTable) => db().insertInto('recovery_approvals').values(row).execute(),
    listApprovals: (ticketIds: string[]) =>
      ticketIds.length === 0
        ? Promise.resolve([] as RecoveryApprovalsTable[])
        : db().selectFrom('recovery_approvals').selectAll().where('ticket_id', 'in', ticketIds).orderBy('at').execute(),

    insertEvidence: (row: RecoveryEvidenceTable) => db().insertInto('recovery_evidence').values(row).execute(),
    /** The files' names and sizes, never their bytes. */
    listEvidence: (ticketId: string) =>
      db()
        .selectFrom('recovery_evidence')
        .select(['id', 'name', 'content_type', 'size'])
        .where('ticket_id', '=', ticketId)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    findEvidence: (ticketId: string, id: string) =>
      db()
        .selectFrom('recovery_evidence')
        .selectAll()
        .where('ticket_id', '=', ticketId)
        .where('id', '=', id)
        .executeTakeFirst(),
    /** Evidence of tickets closed before `before` (PIPL art. 28 purpose limits; issue 13: 30 days). */
    purgeEvidence: async (before: number) =>
      Number(
        (
          await db()
            .deleteFrom('recovery_evidence')
            .where('id', 'in', (qb) =>
              qb
                .selectFrom('recovery_evidence')
                .innerJoin('recovery_tickets', 'recovery_tickets.id', 'recovery_evidence.ticket_id')
                .select('recovery_evidence.id')
                .where('recovery_tickets.closed_at', '<', before)
                .limit(PURGE_BATCH),
            )
            .executeTakeFirstOrThrow()
        ).numDeletedRows,
      ),
  };
}
export type RecoveryRepository = ReturnType<typeof createRecoveryRepository>;
