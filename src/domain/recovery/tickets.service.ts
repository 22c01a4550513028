import { AppError, type ErrorText } from '../../errors/app-error.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Repositories, Store } from '../../db/repositories/index.js';
import { OPEN_TICKET_STATES } from '../../db/repositories/recovery.repository.js';
import type { RecoveryTicketsTable, UsersTable } from '../../db/schema.js';
import type { ThrottlePolicy } from '../../db/repositories/throttles.repository.js';
import { constantTimeEqual, newId, newSecret, sha256Hex, type Clock, type RandomBytes } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { AuditRecorder } from '../audit/audit.js';
import { mailBody, mailTextsFor, queueMessage } from '../notify/notifications.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import { retryAfterSeconds } from '../throttle/policies.js';
import { reserveOrRefuse } from '../throttle/reserve.js';
import { createAfterAnswer } from '../notify/after-answer.js';
import { findUserByLogin, normalizeEmail } from '../users/user-views.js';
import { VERIFICATION_TTL_MS, type VerificationService } from '../verification/verification.service.js';
import { cancelTokenData, type RecoveryEffects } from './effects.js';
import {
  EVIDENCE_MAX_BYTES,
  EVIDENCE_MAX_MEGABYTES,
  EVIDENCE_MAX_FILES,
  EVIDENCE_SNIFF_BYTES,
  checkFacts,
  evidenceDisplayName,
  matchFacts,
  sniffEvidenceType,
  type IdentityFacts,
  type SealedEvidence,
} from './evidence.js';
import { openRecordFacts } from './real-names.service.js';

const HOUR_MS = 3_600_000;
const perHour = (limit: number): ThrottlePolicy => ({
  threshold: limit,
  baseDelayMs: HOUR_MS,
  maxDelayMs: HOUR_MS,
  hardLimit: null,
  windowMs: HOUR_MS,
});

/**
 * Intake limits. Keyed by the typed login (known or not, so a refusal reveals nothing) *and* the
 * client address: a stranger who knows a login spends only its own address's tries, never the
 * owner's (NIST SP 800-63B §5.2.2 warns against lockout as denial of service; decision 022). Per login
 * across all addresses a looser cap bounds the mail one mailbox can be sent, and per address
 * TWOFOLD_CODE_SENDS_PER_ADDRESS_HOUR applies as to every other code. A code's own 5 tries are
 * out of a stranger's reach: only the requester holds its verification id.
 */
export const recoveryLimits = {
  /** A new code at most once a minute: the one just sent is still on its way, and stays usable. */
  codeEveryMinute: { threshold: 1, baseDelayMs: 60_000, maxDelayMs: 60_000, hardLimit: null, windowMs: 60_000 },
  codesPerLoginAndAddress: perHour(5),
  codesPerMailbox: perHour(20),
  wrongCodesPerLoginAndAddress: perHour(10),
};

const intakeKey = (kind: string, login: string, ip: string | null) =>
  `recovery-${kind}:${normalizeEmail(login)}${ip ? `@${ip}` : ''}`;

/** A change of email or phone this recent refuses a ticket (the channel-swap lesson, decision 019). */
export const RECENT_CONTACT_CHANGE_MS = 7 * 24 * HOUR_MS;

export const evidenceData = (ticketId: string) => `recovery-ticket:${ticketId}`;
export const evidenceFileData = (fileId: string) => `recovery-evidence:${fileId}`;

/** A ticket that passed `precheck`: its code was right and is spent by `submit`. */
export interface TicketPass {
  readonly userId: string;
  readonly verificationId: string;
  readonly code: string;
}

export interface TicketInput {
  login: string;
  verificationId: string;
  code: string;
  title: string;
  description: string;
  evidence: IdentityFacts;
}

export function publicTicket(ticket: RecoveryTicketsTable) {
  return {
    id: ticket.id,
    status: ticket.status,
    updatedAt: new Date(ticket.updated_at).toISOString(),
    ...(ticket.effective_at !== null ? { effectiveAt: new Date(ticket.effective_at).toISOString() } : {}),
  };
}

function tooMany(message: ErrorText, lockedUntil: number, now: number) {
  return new AppError('verification.too_many_requests', message, {
    details: { retryAfterSeconds: retryAfterSeconds(lockedUntil, now) },
  });
}

function invalidCode() {
  return new AppError('verification.invalid_code', (m) => m.recovery.wrongEmailCode);
}

const notFound = () => new AppError('recovery.not_found', (m) => m.recovery.noSuchTicketOrLink);

/**
 * The applicant's side of a lost-device ticket (docs/design.md F8 "Unbind MFA" on the login
 * page; F7 evidence): an e-mail code to the address on record, the ticket with its evidence, its status
 * and the cancel link. Nothing here reveals whether a login exists: the code request answers the
 * same for every login and mails after the answer, and a ticket for a login that got no code fails
 * like a wrong code.
 */
export function createRecoveryTicketsService(deps: {
  store: Store;
  clock: Clock;
  random: RandomBytes;
  secretBox: SecretBox;
  audit: AuditRecorder;
  verification: VerificationService;
  effects: RecoveryEffects;
  issuer: string;
  /** Code requests, and ticket submissions, one client address may make per hour. */
  perAddressHour: number;
  logError: (error: unknown) => void;
}) {
  const { store, clock } = deps;
  const perAddress = perHour(deps.perAddressHour);
  /** Passes `precheck` handed out: a pass built anywhere else is not one (it would skip the code check). */
  const issuedPasses = new WeakSet<TicketPass>();
  const afterAnswer = createAfterAnswer(deps.logError);

  const reserveOrThrow = (key: string, policy: ThrottlePolicy, now: number, message: ErrorText) =>
    reserveOrRefuse(
      store,
      key,
      policy,
      now,
      (details) => new AppError('verification.too_many_requests', message, { details }),
    );

  /** After the answer: a code for a primary account, a pointer to the administrator for a sub-user. */
  async function deliver(login: string, verificationId: string, meta: RequestMeta, now: number) {
    await store.transaction(async (repos) => {
      const found = await findUserByLogin(repos, login);
      if (!found || found.user.disabled_at !== null || !found.user.email) return;
      const { user } = found;
      if (user.kind === 'sub') {
        const texts = mailTextsFor(user.locale);
        await queueMessage(repos, deps, {
          channel: 'email',
          address: user.email!,
          userId: user.id,
          accountId: user.account_id,
          kind: 'recovery.sub_user',
          subject: texts.subject(deps.issuer, texts.recoverySubUser.subject),
          text: mailBody(texts, user.display_name, deps.issuer, texts.recoverySubUser.lines),
          html: null,
          secret: null,
          now,
        });
        return;
      }
      await deps.verification.issueRecoveryCode(repos, user, verificationId, now);
      await deps.audit(
        repos,
        {
          type: 'recovery.verification_sent',
          accountId: user.account_id,
          userId: user.id,
          ip: meta.ip,
          userAgent: meta.userAgent,
        },
        now,
      );
    });
  }

  /**
   * The account the code was sent for, its code checked (one of its 5 tries is spent here). With a
   * pass from `precheck` for this very code, the code was compared already: it is only consumed.
   */
  async function checkCode(
    repos: Repositories,
    input: TicketInput,
    now: number,
    options: { consume: boolean; pass?: TicketPass | undefined },
  ): Promise<UsersTable | null> {
    const found = await findUserByLogin(repos, input.login);
    if (!found || found.user.kind !== 'root' || found.user.disabled_at !== null) return null;
    // Only a pass this service issued, for this very account, verification and code.
    const pass = options.pass;
    if (
      pass &&
      issuedPasses.has(pass) &&
      pass.userId === found.user.id &&
      pass.verificationId === input.verificationId &&
      pass.code === input.code
    )
      return (await repos.verifications.consume(input.verificationId, now)) ? found.user : null;
    const ok = await deps.verification.check(
      repos,
      found.user.id,
      input.verificationId,
      input.code,
      now,
      'email',
      'recovery',
      options.consume,
    );
    return ok ? found.user : null;
  }

  /** What refuses a ticket once the code is right (so a stranger learns nothing from them). */
  async function refuseIneligible(repos: Repositories, user: UsersTable, now: number) {
    const record = await repos.recovery.findRealName(user.account_id);
    if (!record || record.status !== 'verified')
      throw new AppError('recovery.real_name_required', (m) => m.recovery.realNameRequired);
    if (await repos.recovery.findOpenTicket(user.account_id))
      throw new AppError('recovery.ticket_open', (m) => m.recovery.ticketOpenWait);
    await refuseRecentContactChange(repos, user, now);
    return record;
  }

  /** A wrong-code lock of this login from this address, checked before any try. */
  async function refuseLockedOut(input: TicketInput, meta: RequestMeta, now: number) {
    const wrong = await store.repos.throttles.get(intakeKey('code', input.login, meta.ip));
    if (wrong && wrong.locked_until > now) throw tooMany((m) => m.recovery.tooManyWrongCodes, wrong.locked_until, now);
  }

  async function refuseRecentContactChange(repos: Repositories, user: UsersTable, now: number) {
    const changes = await repos.audit.list({
      accountId: user.account_id,
      userId: user.id,
      type: 'account.updated',
      since: now - RECENT_CONTACT_CHANGE_MS,
      limit: 50,
    });
    const changed = changes.some((event) => {
      const fields = String((JSON.parse(event.details) as { fields?: string }).fields ?? '').split(',');
      return fields.includes('email') || fields.includes('phone');
    });
    if (changed) throw new AppError('recovery.recent_contact_change', (m) => m.recovery.recentContactChange);
  }

  return {
    /** POST /recovery/verifications: 202 for every login; 429 when a login or address asked too often. */
    async requestCode(login: string, meta: RequestMeta) {
      const now = clock();
      const message: ErrorText = (m) => m.recovery.tooManyCodes;
      // The address's own budget first: an address over it spends nothing of anyone's login.
      if (meta.ip) await reserveOrThrow(`recovery-ip:${meta.ip}`, perAddress, now, message);
      await reserveOrThrow(
        intakeKey('minute', login, meta.ip),
        recoveryLimits.codeEveryMinute,
        now,
        (m) => m.recovery.codeSentRecently,
      );
      await reserveOrThrow(intakeKey('login', login, meta.ip), recoveryLimits.codesPerLoginAndAddress, now, message);
      await reserveOrThrow(intakeKey('mailbox', login, null), recoveryLimits.codesPerMailbox, now, message);
      const id = newId(deps.random);
      afterAnswer.run(deliver(login, id, meta, now));
      return { id, expiresAt: now + VERIFICATION_TTL_MS };
    },

    /** For tests and an orderly stop: resolves when every requested code is queued. */
    settled: () => afterAnswer.settled(),
    /** Mails still being queued after their answer (bounded by what is in flight). */
    pendingAfterAnswer: () => afterAnswer.size,

    /**
     * A submission's per-address try, taken before any of its body is read (decision 022): a refused
     * upload costs neither memory nor a read, and every upload counts, refused or not.
     */
    async admitSubmission(meta: RequestMeta) {
      if (meta.ip)
        await reserveOrThrow(
          `recovery-submit-ip:${meta.ip}`,
          perAddress,
          clock(),
          (m) => m.recovery.tooManyFromNetwork,
        );
    },

    /**
     * One evidence file as it arrives: typed by its first bytes, refused as soon as it is of the
     * wrong type or too large, sealed chunk by chunk, so its plaintext is never held whole.
     * Null for an empty file input (a browser sends one when no file was chosen).
     */
    async receiveEvidence(fileName: string, chunks: AsyncIterable<Buffer>): Promise<SealedEvidence | null> {
      const id = newId(deps.random);
      const name = evidenceDisplayName(fileName);
      const sealer = deps.secretBox.sealer(evidenceFileData(id));
      let head = Buffer.alloc(0);
      let contentType: SealedEvidence['contentType'] | null = null;
      let size = 0;
      for await (const chunk of chunks) {
        size += chunk.length;
        if (size > EVIDENCE_MAX_BYTES)
          throw new AppError('request.too_large', (m) => m.recovery.fileTooLarge(name, EVIDENCE_MAX_MEGABYTES));
        if (contentType === null) {
          head = Buffer.concat([head, chunk]);
          if (head.length < EVIDENCE_SNIFF_BYTES) continue;
          contentType = sniffEvidenceType(head);
          if (!contentType) throw new AppError('recovery.evidence_type', (m) => m.recovery.notEvidenceType(name));
          sealer.update(head);
          head = Buffer.alloc(0);
        } else sealer.update(chunk);
      }
      if (size === 0 && fileName === '') return null;
      if (contentType === null) {
        // Shorter than the sniff: typed by what there is (a JPEG's 3-byte signature can pass).
        contentType = sniffEvidenceType(head);
        if (!contentType) throw new AppError('recovery.evidence_type', (m) => m.recovery.notEvidenceType(name));
        sealer.update(head);
      }
      return { id, name, contentType, size, sealed: sealer.final(), keyId: deps.secretBox.currentKeyId };
    },

    /**
     * Everything a ticket is checked for except its files — the facts, the code (one of its tries;
     * not consumed) and the refusals after a valid code — so a form sent with a wrong code or for an
     * account that cannot apply is answered before a byte of its files is read (decision 024). The pass
     * lets `submit` consume that code instead of comparing it again.
     */
    async precheck(input: TicketInput, meta: RequestMeta): Promise<TicketPass> {
      checkFacts(input.evidence, '/evidence');
      const now = clock();
      await refuseLockedOut(input, meta, now);
      const outcome = await store.transaction(async (repos) => {
        const user = await checkCode(repos, input, now, { consume: false });
        if (!user) {
          await repos.throttles.reserve(
            intakeKey('code', input.login, meta.ip),
            recoveryLimits.wrongCodesPerLoginAndAddress,
            now,
          );
          return null;
        }
        await refuseIneligible(repos, user, now);
        return user;
      });
      if (!outcome) throw invalidCode();
      const pass: TicketPass = { userId: outcome.id, verificationId: input.verificationId, code: input.code };
      issuedPasses.add(pass);
      return pass;
    },

    /**
     * POST /recovery-tickets: the ticket with its sealed evidence; every address on record hears
     * of it. The caller took the per-address try first (`admitSubmission`).
     */
    async submit(input: TicketInput, files: SealedEvidence[], meta: RequestMeta, pass?: TicketPass) {
      // The form is checked before the code, so a typo in it does not spend one of the code's tries.
      const facts = checkFacts(input.evidence, '/evidence');
      if (files.length > EVIDENCE_MAX_FILES)
        throw new AppError('validation.failed', (m) => m.recovery.tooManyFiles(EVIDENCE_MAX_FILES), {
          details: { fields: [{ path: '/evidence', message: `at most ${EVIDENCE_MAX_FILES} files` }] },
        });
      const now = clock();
      const wrongKey = intakeKey('code', input.login, meta.ip);
      if (!pass) await refuseLockedOut(input, meta, now);
      const id = newId(deps.random);
      const statusToken = newSecret(deps.random);
      const cancelToken = newSecret(deps.random);
      let outcome: { ticket: RecoveryTicketsTable } | { invalid: true };
      try {
        outcome = await store.transaction(async (repos) => {
          const user = await checkCode(repos, input, now, { consume: true, pass });
          if (!user) {
            await repos.throttles.reserve(wrongKey, recoveryLimits.wrongCodesPerLoginAndAddress, now);
            return { invalid: true as const };
          }
          // After a valid code only, so a stranger learns nothing from these refusals.
          const record = await refuseIneligible(repos, user, now);
          const matches = matchFacts(facts, openRecordFacts(deps.secretBox, record));
          const ticket: RecoveryTicketsTable = {
            id,
            account_id: user.account_id,
            user_id: user.id,
            status: 'submitted',
            title: input.title.trim(),
            description: input.description.trim(),
            evidence_type: facts.type,
            evidence_sealed: deps.secretBox.seal(Buffer.from(JSON.stringify(facts)), evidenceData(id)),
            key_id: deps.secretBox.currentKeyId,
            matches: JSON.stringify(matches),
            status_token_hash: sha256Hex(statusToken),
            cancel_token_sealed: deps.secretBox.seal(Buffer.from(cancelToken), cancelTokenData(id)),
            submitted_at: now,
            updated_at: now,
            effective_at: null,
            reminded_at: null,
            closed_at: null,
            close_reason: null,
            ip: meta.ip,
          };
          await repos.recovery.insertTicket(ticket);
          // created_at keeps the order of upload: a download is named by its place (evidence-1.png).
          for (const [index, file] of files.entries()) {
            await repos.recovery.insertEvidence({
              id: file.id,
              ticket_id: id,
              name: file.name,
              content_type: file.contentType,
              size: file.size,
              content_sealed: file.sealed,
              key_id: file.keyId,
              created_at: now + index,
            });
          }
          await repos.throttles.reset(wrongKey);
          await deps.audit(
            repos,
            {
              type: 'recovery.ticket_submitted',
              accountId: user.account_id,
              userId: user.id,
              ip: meta.ip,
              userAgent: meta.userAgent,
              details: { ticketId: id, files: files.length, evidenceType: facts.type },
            },
            now,
          );
          await deps.effects.sendCancelLinks(repos, user, ticket, 'submitted', now);
          return { ticket };
        });
      } catch (error) {
        // Two submissions racing: the partial unique index keeps one open ticket per account.
        if (isUniqueViolation(error))
          throw new AppError('recovery.ticket_open', (m) => m.recovery.ticketOpen, { cause: error });
        throw error;
      }
      if ('invalid' in outcome) throw invalidCode();
      return { ticket: { id: outcome.ticket.id, status: outcome.ticket.status }, statusToken };
    },

    /** The account's open ticket, for its owner's Security Settings banner; null when there is none. */
    async openFor(principal: Principal) {
      if (principal.kind !== 'root') return null;
      const ticket = await store.repos.recovery.findOpenTicket(principal.accountId);
      return ticket ? publicTicket(ticket) : null;
    },

    /** The owner, signed in, cancels the open ticket (a session is a proof the phone is not lost). */
    async cancelOwn(principal: Principal, meta: RequestMeta) {
      const now = clock();
      const cancelled = await store.transaction((repos) =>
        deps.effects.cancelOpen(
          repos,
          { id: principal.userId, account_id: principal.accountId, kind: principal.kind },
          'owner_activity',
          meta,
          now,
        ),
      );
      if (!cancelled) throw new AppError('recovery.not_cancellable', (m) => m.recovery.nothingToCancel);
      return publicTicket(cancelled);
    },

    /** GET /recovery-tickets/{id} with the status token; any mismatch is the same 404. */
    async status(id: string, statusToken: string) {
      const ticket = await store.repos.recovery.findTicket(id);
      if (!ticket || !constantTimeEqual(ticket.status_token_hash, sha256Hex(statusToken))) throw notFound();
      return publicTicket(ticket);
    },

    /** The ticket a cancel link names, if the link is valid (the console's confirmation page). */
    async fromCancelLink(id: string, token: string) {
      const ticket = await store.repos.recovery.findTicket(id);
      if (!ticket) return null;
      const expected = deps.secretBox.open(ticket.cancel_token_sealed, cancelTokenData(id)).toString('utf8');
      return constantTimeEqual(expected, token) ? publicTicket(ticket) : null;
    },

    /** POST /recovery-tickets/{id}/cancel with the token from the e-mail: no session needed. */
    async cancel(id: string, token: string, meta: RequestMeta) {
      const now = clock();
      const ticket = await store.transaction(async (repos) => {
        const found = await repos.recovery.findTicket(id);
        if (!found) throw notFound();
        const expected = deps.secretBox.open(found.cancel_token_sealed, cancelTokenData(id)).toString('utf8');
        if (!constantTimeEqual(expected, token)) throw notFound();
        if (!(OPEN_TICKET_STATES as readonly string[]).includes(found.status))
          throw new AppError('recovery.not_cancellable', (m) => m.recovery.requestAlready(found.status));
        const cancelled = await deps.effects.cancelTicket(repos, id, 'link', meta, now);
        if (!cancelled) throw new AppError('recovery.not_cancellable', (m) => m.recovery.noLongerCancellable);
        return cancelled;
      });
      return publicTicket(ticket);
    },
  };
}
export type RecoveryTicketsService = ReturnType<typeof createRecoveryTicketsService>;
