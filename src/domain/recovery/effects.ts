import type { Repositories, Store } from '../../db/repositories/index.js';
import { OPEN_TICKET_STATES } from '../../db/repositories/recovery.repository.js';
import type { RecoveryTicketsTable, UsersTable } from '../../db/schema.js';
import type { Clock, RandomBytes } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { AuditRecorder } from '../audit/audit.js';
import { mailBody, mailTextsFor, queueMessage, type Notifier } from '../notify/notifications.js';
import { formatDateTime, getDisplayTimeZone } from '../../i18n/format.js';
import { DEFAULT_LOCALE } from '../../i18n/locale.js';
import { recipientOf } from '../notify/recipients.js';
import type { RequestMeta } from '../sessions/principal.js';
import { removeAllFactors } from '../factors/remove-all.js';

export type CancelReason = 'link' | 'owner_activity' | 'contact_change';

const SYSTEM: RequestMeta = { ip: null, userAgent: null };

export const cancelTokenData = (ticketId: string) => `recovery-cancel:${ticketId}`;

/**
 * Every address on record hears once more this long before the device is removed (decision 019:
 * notify at submission, approval, 24 h before effect, and at effect), so an owner
 * who missed the approval mail still has a day to cancel.
 */
export const REMINDER_LEAD_MS = 24 * 3600_000;

type CancelLinkStage = 'submitted' | 'cooling_off' | 'reminder';

/**
 * What a recovery ticket does to its account, in the caller's transaction: the cancel-link mails,
 * cancelling on the owner's own activity, and the effect once the cooling-off period is over. The
 * login, profile and step-up flows call in here, so this file holds no HTTP or operator logic.
 */
export function createRecoveryEffects(deps: {
  secretBox: SecretBox;
  audit: AuditRecorder;
  notify: Notifier;
  random: RandomBytes;
  issuer: string;
  publicUrl: string;
  onQueued: () => void;
}) {
  /**
   * Every address on record (email and phone) gets the cancel link: whoever holds the account's
   * own channels can stop a recovery they did not ask for (Apple's "cancel at any time"; the AWS
   * channel-swap lesson in decision 019). The link is a secret: its body is removed
   * once delivered, or when the ticket closes.
   */
  async function sendCancelLinks(
    repos: Repositories,
    user: UsersTable,
    ticket: RecoveryTicketsTable,
    stage: CancelLinkStage,
    now: number,
  ) {
    const token = deps.secretBox.open(ticket.cancel_token_sealed, cancelTokenData(ticket.id)).toString('utf8');
    const link = `${deps.publicUrl}/recovery/cancel?ticket=${encodeURIComponent(ticket.id)}&token=${encodeURIComponent(token)}`;
    // In the owner's language and the operator's time zone, the zone named (decision 033).
    const texts = mailTextsFor(user.locale);
    const effective = ticket.effective_at
      ? formatDateTime(user.locale ?? DEFAULT_LOCALE, getDisplayTimeZone(), ticket.effective_at)
      : '';
    const subject = texts.subject(deps.issuer, texts.recoveryCancelLink.subject[stage](effective));
    const said = texts.recoveryCancelLink.said[stage](effective);
    const common = {
      userId: user.id,
      accountId: user.account_id,
      kind: `recovery.${stage}`,
      subject,
      now,
      // The link works while the ticket is open: emptied once delivered, or when the ticket closes.
      secret: { expiresAt: null },
    };
    if (user.email)
      await queueMessage(repos, deps, {
        ...common,
        channel: 'email',
        address: user.email,
        text: mailBody(texts, user.display_name, deps.issuer, texts.recoveryCancelLink.lines(said, link)),
        html: null,
      });
    if (user.phone)
      await queueMessage(repos, deps, {
        ...common,
        channel: 'sms',
        address: user.phone,
        text: texts.recoveryCancelLink.sms(subject, link),
        html: null,
      });
    deps.onQueued();
  }

  /** Cancels the account's open ticket, if any; the owner hears of it on every channel. */
  async function cancelOpen(
    repos: Repositories,
    user: Pick<UsersTable, 'id' | 'account_id' | 'kind'>,
    reason: CancelReason,
    meta: RequestMeta,
    now: number,
  ): Promise<RecoveryTicketsTable | undefined> {
    if (user.kind !== 'root') return undefined;
    const open = await repos.recovery.findOpenTicket(user.account_id);
    if (!open) return undefined;
    return cancelTicket(repos, open.id, reason, meta, now);
  }

  async function cancelTicket(
    repos: Repositories,
    ticketId: string,
    reason: CancelReason,
    meta: RequestMeta,
    now: number,
  ): Promise<RecoveryTicketsTable | undefined> {
    const ticket = await repos.recovery.moveTicket(ticketId, OPEN_TICKET_STATES, {
      status: 'cancelled',
      closed_at: now,
      close_reason: reason,
      updated_at: now,
    });
    if (!ticket) return undefined;
    await repos.messages.redactRecoveryLinks(ticket.user_id);
    const owner = await repos.users.findUserById(ticket.user_id);
    await deps.audit(
      repos,
      {
        type: 'recovery.ticket_cancelled',
        accountId: ticket.account_id,
        userId: ticket.user_id,
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: { ticketId: ticket.id, reason },
      },
      now,
    );
    if (owner)
      await deps.notify(repos, recipientOf(owner), { kind: 'recovery.cancelled', reason }, meta, now, {
        smsTo: owner.phone,
      });
    return ticket;
  }

  /**
   * The effect of an approved ticket whose cooling-off period is over: the device, pending
   * enrollments and recovery codes go, every session ends, and the next login must bind a new
   * device. The conditional UPDATE makes it happen exactly once, whichever instance, scheduler
   * tick or login gets there first. Email, phone and password never change through a ticket.
   */
  async function applyIfDue(repos: Repositories, ticketId: string, now: number): Promise<boolean> {
    const ticket = await repos.recovery.moveTicket(
      ticketId,
      ['cooling_off'],
      { status: 'completed', closed_at: now, updated_at: now },
      { dueBy: now },
    );
    if (!ticket) return false;
    await repos.messages.redactRecoveryLinks(ticket.user_id);
    const owner = await repos.users.findUserById(ticket.user_id);
    if (!owner) return true;
    const { deviceId } = await removeAllFactors(repos, owner.id, now);
    const event = { accountId: owner.account_id, userId: owner.id, ip: null, userAgent: null };
    await deps.audit(repos, { ...event, type: 'recovery.ticket_effective', details: { ticketId: ticket.id } }, now);
    await deps.audit(
      repos,
      { ...event, type: 'mfa.unbound', details: { by: 'recovery', ticketId: ticket.id, deviceId } },
      now,
    );
    await deps.notify(repos, recipientOf(owner), { kind: 'recovery.completed' }, SYSTEM, now, { smsTo: owner.phone });
    return true;
  }

  /**
   * The "24 h before effect" reminder, sent once: claimReminder's conditional UPDATE makes one
   * scheduler pass on one instance its sender, and a ticket cancelled meanwhile gets none.
   */
  async function remindIfDue(repos: Repositories, ticketId: string, now: number): Promise<boolean> {
    const ticket = await repos.recovery.claimReminder(ticketId, now, REMINDER_LEAD_MS);
    if (!ticket) return false;
    const owner = await repos.users.findUserById(ticket.user_id);
    if (owner) await sendCancelLinks(repos, owner, ticket, 'reminder', now);
    return true;
  }

  return {
    sendCancelLinks,
    remindIfDue,
    cancelOpen,
    cancelTicket,
    /** On the account's own login too, so a ticket whose period is over takes effect before anything else. */
    applyIfDue,
  };
}
export type RecoveryEffects = ReturnType<typeof createRecoveryEffects>;

/**
 * The server's scheduler: at start and then every `intervalMs`, every ticket whose cooling-off
 * period is over takes effect — so no ticket is forgotten across restarts, and with two instances
 * the conditional UPDATE in applyIfDue lets only one of them apply it. The same pass sends the
 * reminders of tickets that take effect within 24 h (at most 200 a pass; the rest on the next).
 */
export function createRecoveryScheduler(deps: {
  store: Store;
  effects: RecoveryEffects;
  clock: Clock;
  logger: { warn(object: object, message: string): void; info(object: object, message: string): void };
  intervalMs?: number;
}) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  async function pass(): Promise<number> {
    let applied = 0;
    for (;;) {
      const now = deps.clock();
      const due = await deps.store.repos.recovery.dueTickets(now, 50);
      if (due.length === 0) break;
      for (const ticket of due)
        if (await deps.store.transaction((repos) => deps.effects.applyIfDue(repos, ticket.id, now))) applied += 1;
      if (due.length < 50) break;
    }
    if (applied > 0) deps.logger.info({ applied }, 'recovery tickets took effect');
    const now = deps.clock();
    let reminded = 0;
    for (const ticket of await deps.store.repos.recovery.ticketsToRemind(now, REMINDER_LEAD_MS, 200))
      if (await deps.store.transaction((repos) => deps.effects.remindIfDue(repos, ticket.id, now))) reminded += 1;
    if (reminded > 0) deps.logger.info({ reminded }, 'recovery tickets: 24 h reminders sent');
    return applied;
  }
  const scheduler = {
    /** One pass; resolves to how many tickets this instance applied. */
    runOnce(): Promise<number> {
      running ??= pass().finally(() => {
        running = null;
      });
      return running;
    },
    start() {
      const tick = () =>
        void scheduler
          .runOnce()
          .catch((error: unknown) =>
            deps.logger.warn({ error: (error as Error).message }, 'recovery scheduler failed'),
          );
      setImmediate(tick);
      timer = setInterval(tick, deps.intervalMs ?? 15_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
  return scheduler;
}
