import { AppError } from '../../errors/app-error.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Repositories, Store } from '../../db/repositories/index.js';
import { OPEN_TICKET_STATES } from '../../db/repositories/recovery.repository.js';
import type { RecoveryTicketStatus, RecoveryTicketsTable } from '../../db/schema.js';
import type { Clock } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import { recipientOf } from '../notify/recipients.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import type { StepUpService } from '../step-up/step-up.service.js';
import { REMINDER_LEAD_MS, type RecoveryEffects } from './effects.js';
import { evidenceDownloadName, type EvidenceContentType, type FactMatches } from './evidence.js';
import { requireOperator } from './operators.js';
import { publicRealName } from './real-names.service.js';
import { evidenceFileData } from './tickets.service.js';

const iso = (ms: number) => new Date(ms).toISOString();

const notFound = () => new AppError('recovery.not_found', (m) => m.recovery.noSuchTicket);

/**
 * The operators' side of lost-device tickets (/support): the queue, one ticket with its match flags
 * and files, and the four-eyes decision. Approval takes two different operators (the MGM/Caesars
 * help-desk lesson; ASVS 5.0 2.3.5), each with a fresh step-up; the second starts the cooling-off
 * period, during which the owner's own channels can still stop it. Every view is audited on the
 * ticket's account, so the owner's audit log shows who looked at their evidence.
 */
export function createSupportService(deps: {
  store: Store;
  clock: Clock;
  secretBox: SecretBox;
  audit: AuditRecorder;
  notify: Notifier;
  stepUp: StepUpService;
  effects: RecoveryEffects;
  coolingOffSeconds: number;
}) {
  const { store, clock } = deps;

  function summary(
    ticket: RecoveryTicketsTable,
    approvals: { operator_id: string; at: number; note: string | null }[],
    login: string | null,
  ) {
    return {
      id: ticket.id,
      status: ticket.status,
      accountId: ticket.account_id,
      login,
      title: ticket.title,
      submittedAt: iso(ticket.submitted_at),
      updatedAt: iso(ticket.updated_at),
      ...(ticket.effective_at !== null ? { effectiveAt: iso(ticket.effective_at) } : {}),
      ...(ticket.close_reason ? { closeReason: ticket.close_reason } : {}),
      evidenceMatches: JSON.parse(ticket.matches) as FactMatches,
      approvals: approvals.map((a) => ({ operatorId: a.operator_id, at: iso(a.at), note: a.note })),
    };
  }

  async function ownTicketGuard(principal: Principal, ticket: RecoveryTicketsTable) {
    if (ticket.account_id === principal.accountId) throw new AppError('auth.forbidden', (m) => m.recovery.ownTicket);
  }

  async function loadTicket(repos: Repositories, id: string) {
    const ticket = await repos.recovery.findTicket(id);
    if (!ticket) throw notFound();
    return ticket;
  }

  /** One ticket with its approvals, each naming the operator who gave it (the second operator sees the first). */
  async function withApprovals(repos: Repositories, ticket: RecoveryTicketsTable) {
    const approvals = await repos.recovery.listApprovals([ticket.id]);
    const owner = await repos.users.findUserById(ticket.user_id);
    const view = summary(ticket, approvals, owner?.email ?? null);
    const operators = await Promise.all(approvals.map((a) => repos.users.findUserById(a.operator_id)));
    return {
      ...view,
      approvals: view.approvals.map((a, i) => ({ ...a, operator: operators[i]?.email ?? a.operatorId })),
    };
  }

  return {
    /** GET /support/recovery-tickets?status= */
    async list(principal: Principal, status: RecoveryTicketStatus | null) {
      await requireOperator(store.repos, principal);
      const tickets = await store.repos.recovery.listTickets(status, 200);
      const approvals = await store.repos.recovery.listApprovals(tickets.map((t) => t.id));
      return Promise.all(
        tickets.map(async (ticket) => {
          const owner = await store.repos.users.findUserById(ticket.user_id);
          return summary(
            ticket,
            approvals.filter((a) => a.ticket_id === ticket.id),
            owner?.email ?? null,
          );
        }),
      );
    },

    /** GET /support/recovery-tickets/{id}: match flags, files, the real-name record, recent security events; audited. */
    async view(principal: Principal, id: string, meta: RequestMeta) {
      await requireOperator(store.repos, principal);
      const now = clock();
      return store.transaction(async (repos) => {
        const ticket = await loadTicket(repos, id);
        const matches = JSON.parse(ticket.matches) as FactMatches;
        const files = await repos.recovery.listEvidence(id);
        const record = await repos.recovery.findRealName(ticket.account_id);
        const events = await repos.audit.list({ accountId: ticket.account_id, userId: ticket.user_id, limit: 15 });
        await deps.audit(
          repos,
          {
            type: 'recovery.ticket_viewed',
            accountId: ticket.account_id,
            userId: ticket.user_id,
            actorId: principal.userId,
            actorRole: 'support',
            ip: meta.ip,
            userAgent: meta.userAgent,
            details: { ticketId: id },
          },
          now,
        );
        const summaryView = await withApprovals(repos, ticket);
        return {
          ...summaryView,
          description: ticket.description,
          /** For the console: this operator may not act on it (own account), or already approved it. */
          own: ticket.account_id === principal.accountId,
          approvedByMe: summaryView.approvals.some((a) => a.operatorId === principal.userId),
          evidence: {
            type: ticket.evidence_type,
            nameMatches: matches.name,
            idNumberMatches: matches.idNumber,
            phoneMatches: matches.phone,
            ...(matches.companyName !== undefined ? { companyNameMatches: matches.companyName } : {}),
            ...(matches.licenseNumber !== undefined ? { licenseNumberMatches: matches.licenseNumber } : {}),
          },
          files: files.map((f, index) => ({
            id: f.id,
            name: f.name,
            downloadName: evidenceDownloadName(index + 1, f.content_type as EvidenceContentType),
            type: f.content_type,
            size: f.size,
          })),
          realName: publicRealName(record),
          recentEvents: events
            .filter((e) => !e.type.startsWith('recovery.ticket_viewed'))
            .map((e) => ({ type: e.type, at: iso(e.at), ip: e.ip })),
        };
      });
    },

    /**
     * GET /support/recovery-tickets/{id}/files/{fileId}: the bytes, opened only here, named by
     * their place and detected type (`evidence-1.png`); audited once they are in hand.
     */
    async file(
      principal: Principal,
      ticketId: string,
      fileId: string,
      meta: RequestMeta,
      how: 'download' | 'inline' = 'download',
    ) {
      await requireOperator(store.repos, principal);
      const now = clock();
      return store.transaction(async (repos) => {
        const ticket = await loadTicket(repos, ticketId);
        const file = await repos.recovery.findEvidence(ticketId, fileId);
        if (!file) throw new AppError('recovery.not_found', (m) => m.recovery.noSuchEvidenceFile);
        // Only images are shown on the page: anything else is refused before it is opened or audited.
        if (how === 'inline' && !file.content_type.startsWith('image/'))
          throw new AppError('recovery.evidence_type', (m) => m.recovery.imagesOnly);
        const position = (await repos.recovery.listEvidence(ticketId)).findIndex((f) => f.id === file.id) + 1;
        // Opened before the event is written: a file that cannot be served is not recorded as viewed.
        const bytes = deps.secretBox.open(file.content_sealed, evidenceFileData(file.id));
        const contentType = file.content_type as EvidenceContentType;
        const downloadName = evidenceDownloadName(position, contentType);
        await deps.audit(
          repos,
          {
            type: 'recovery.evidence_viewed',
            accountId: ticket.account_id,
            userId: ticket.user_id,
            actorId: principal.userId,
            actorRole: 'support',
            ip: meta.ip,
            userAgent: meta.userAgent,
            details: { ticketId, fileId, file: downloadName, how },
          },
          now,
        );
        return { name: downloadName, contentType, bytes };
      });
    },

    /**
     * POST /support/recovery-tickets/{id}/approve. The first approval → awaiting_second_approval; a
     * second, different operator's → cooling_off, effective after TWOFOLD_RECOVERY_COOLING_OFF.
     */
    async approve(principal: Principal, id: string, note: string | null, meta: RequestMeta) {
      await requireOperator(store.repos, principal);
      await deps.stepUp.requireFresh(principal, 'support.approve_recovery');
      const now = clock();
      try {
        return await store.transaction(async (repos) => {
          const ticket = await loadTicket(repos, id);
          await ownTicketGuard(principal, ticket);
          if (ticket.status !== 'submitted' && ticket.status !== 'awaiting_second_approval')
            throw new AppError('recovery.not_open', (m) => m.recovery.cannotApprove(ticket.status));
          const earlier = await repos.recovery.listApprovals([id]);
          if (earlier.some((a) => a.operator_id === principal.userId))
            throw new AppError('recovery.same_operator', (m) => m.recovery.secondOperatorMustApprove);
          // The primary key (ticket, operator) also stops one operator's two racing approvals.
          await repos.recovery.insertApproval({ ticket_id: id, operator_id: principal.userId, at: now, note });
          const second = earlier.length >= 1;
          const moved = second
            ? await repos.recovery.moveTicket(id, ['awaiting_second_approval'], {
                status: 'cooling_off',
                effective_at: now + deps.coolingOffSeconds * 1000,
                // A period of a day or less: this approval's own mail is the reminder.
                reminded_at: deps.coolingOffSeconds * 1000 <= REMINDER_LEAD_MS ? now : null,
                updated_at: now,
              })
            : await repos.recovery.moveTicket(id, ['submitted'], {
                status: 'awaiting_second_approval',
                updated_at: now,
              });
          // Another operator's approval committed in between: let the store retry with fresh state.
          if (!moved) throw Object.assign(new Error('ticket moved concurrently'), { code: '40001' });
          await deps.audit(
            repos,
            {
              type: 'recovery.ticket_approved',
              accountId: ticket.account_id,
              userId: ticket.user_id,
              actorId: principal.userId,
              actorRole: 'support',
              ip: meta.ip,
              userAgent: meta.userAgent,
              details: { ticketId: id, approval: second ? 2 : 1, note },
            },
            now,
          );
          if (second) {
            const owner = await repos.users.findUserById(ticket.user_id);
            if (owner) await deps.effects.sendCancelLinks(repos, owner, moved, 'cooling_off', now);
            // TWOFOLD_RECOVERY_COOLING_OFF=0: at once.
            if (deps.coolingOffSeconds === 0 && (await deps.effects.applyIfDue(repos, id, now)))
              return withApprovals(repos, (await repos.recovery.findTicket(id))!);
          }
          return withApprovals(repos, moved);
        });
      } catch (error) {
        if (isUniqueViolation(error))
          throw new AppError('recovery.same_operator', (m) => m.recovery.approvedAlready, { cause: error });
        throw error;
      }
    },

    /** POST /support/recovery-tickets/{id}/reject: closed with the reason; the applicant is e-mailed. */
    async reject(principal: Principal, id: string, reason: string, meta: RequestMeta) {
      await requireOperator(store.repos, principal);
      await deps.stepUp.requireFresh(principal, 'support.reject_recovery');
      const now = clock();
      return store.transaction(async (repos) => {
        const ticket = await loadTicket(repos, id);
        await ownTicketGuard(principal, ticket);
        const moved = await repos.recovery.moveTicket(id, OPEN_TICKET_STATES, {
          status: 'rejected',
          closed_at: now,
          close_reason: reason,
          updated_at: now,
        });
        if (!moved) throw new AppError('recovery.not_open', (m) => m.recovery.cannotReject(ticket.status));
        await repos.messages.redactRecoveryLinks(ticket.user_id);
        await deps.audit(
          repos,
          {
            type: 'recovery.ticket_rejected',
            accountId: ticket.account_id,
            userId: ticket.user_id,
            actorId: principal.userId,
            actorRole: 'support',
            ip: meta.ip,
            userAgent: meta.userAgent,
            details: { ticketId: id, reason },
          },
          now,
        );
        const owner = await repos.users.findUserById(ticket.user_id);
        if (owner) await deps.notify(repos, recipientOf(owner), { kind: 'recovery.rejected', reason }, meta, now);
        return withApprovals(repos, moved);
      });
    },
  };
}
export type SupportService = ReturnType<typeof createSupportService>;
