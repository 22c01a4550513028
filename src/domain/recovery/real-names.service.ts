import { AppError } from '../../errors/app-error.js';
import type { Store } from '../../db/repositories/index.js';
import type { RealNamesTable } from '../../db/schema.js';
import type { Clock } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { AuditRecorder } from '../audit/audit.js';
import type { Notifier } from '../notify/notifications.js';
import { recipientOf } from '../notify/recipients.js';
import type { Principal, RequestMeta } from '../sessions/principal.js';
import type { StepUpService } from '../step-up/step-up.service.js';
import { checkFacts, lastFour, type IdentityFacts } from './evidence.js';
import { requireOperator } from './operators.js';

export const realNameData = (accountId: string) => `real-name:${accountId}`;

/** The stored record's facts, opened (only ever compared, never shown). */
export function openRecordFacts(secretBox: SecretBox, record: RealNamesTable): IdentityFacts {
  const sealed = JSON.parse(secretBox.open(record.facts_sealed, realNameData(record.account_id)).toString('utf8')) as {
    idNumber: string;
    phone: string;
    licenseNumber?: string;
  };
  return {
    type: record.type,
    name: record.name,
    idNumber: sealed.idNumber,
    phone: sealed.phone,
    ...(record.type === 'enterprise'
      ? { companyName: record.company_name ?? '', licenseNumber: sealed.licenseNumber ?? '' }
      : {}),
  };
}

/** API.md `realName`: the name and the last 4 digits only (operators and owners alike). */
export interface PublicRealName {
  type: RealNamesTable['type'] | null;
  status: RealNamesTable['status'] | 'none';
  name?: string;
  idNumberLast4?: string;
  companyName?: string;
  licenseNumberLast4?: string;
  submittedAt?: string;
  reviewedAt?: string;
  reviewNote?: string;
}

export function publicRealName(record: RealNamesTable | undefined): PublicRealName {
  if (!record) return { type: null, status: 'none' };
  return {
    type: record.type,
    status: record.status,
    name: record.name,
    idNumberLast4: record.id_last4,
    ...(record.type === 'enterprise'
      ? { companyName: record.company_name ?? '', licenseNumberLast4: record.license_last4 ?? '' }
      : {}),
    submittedAt: new Date(record.submitted_at).toISOString(),
    ...(record.reviewed_at !== null ? { reviewedAt: new Date(record.reviewed_at).toISOString() } : {}),
    ...(record.review_note ? { reviewNote: record.review_note } : {}),
  };
}

/**
 * Real-name records (docs/design.md F7: only a real-name verified primary account may apply to unbind a
 * lost device). A self-hosted service cannot query ID registries, so a support operator verifies
 * the record by hand. ID and licence numbers are sealed with the instance key; the clear columns
 * hold the name and the last 4 digits (PIPL art. 28: ID numbers are sensitive personal data).
 */
export function createRealNamesService(deps: {
  store: Store;
  clock: Clock;
  secretBox: SecretBox;
  audit: AuditRecorder;
  notify: Notifier;
  stepUp: StepUpService;
}) {
  const { store, clock } = deps;

  async function review(
    principal: Principal,
    accountId: string,
    verdict: 'verified' | 'rejected',
    note: string | null,
    meta: RequestMeta,
  ) {
    await requireOperator(store.repos, principal);
    await deps.stepUp.requireFresh(principal, 'support.review_real_name');
    // Four eyes in spirit: nobody vouches for their own identity (ASVS 5.0 2.3.5).
    if (accountId === principal.accountId) throw new AppError('auth.forbidden', (m) => m.recovery.ownRealName);
    const now = clock();
    const record = await store.transaction(async (repos) => {
      const found = await repos.recovery.findRealName(accountId);
      if (!found) throw new AppError('realname.not_found', (m) => m.recovery.noRealName);
      const change = { status: verdict, reviewed_at: now, reviewed_by: principal.userId, review_note: note };
      if (!(await repos.recovery.reviewRealName(accountId, 'pending', change)))
        throw new AppError('realname.not_pending', (m) => m.recovery.realNameAlready(found.status));
      await deps.audit(
        repos,
        {
          type: verdict === 'verified' ? 'realname.verified' : 'realname.rejected',
          accountId,
          userId: null,
          actorId: principal.userId,
          actorRole: 'support',
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: { note },
        },
        now,
      );
      const owner = await repos.users.findRootOfAccount(accountId);
      if (owner)
        await deps.notify(
          repos,
          recipientOf(owner),
          { kind: 'realname.reviewed', verified: verdict === 'verified', note },
          meta,
          now,
        );
      return { ...found, ...change };
    });
    return publicRealName(record);
  }

  return {
    /** GET /me/real-name. */
    async get(principal: Principal) {
      return publicRealName(await store.repos.recovery.findRealName(principal.accountId));
    },

    /** PUT /me/real-name: the primary account submits (or replaces) its record; it waits for review. */
    async put(principal: Principal, input: IdentityFacts, meta: RequestMeta) {
      if (principal.kind !== 'root') throw new AppError('auth.forbidden', (m) => m.recovery.subUserNoRealName);
      const facts = checkFacts(input, '');
      await deps.stepUp.requireFresh(principal, 'account.submit_real_name');
      const now = clock();
      const record: RealNamesTable = {
        account_id: principal.accountId,
        type: facts.type,
        status: 'pending',
        name: facts.name,
        company_name: facts.companyName ?? null,
        id_last4: lastFour(facts.idNumber),
        license_last4: facts.licenseNumber ? lastFour(facts.licenseNumber) : null,
        facts_sealed: deps.secretBox.seal(
          Buffer.from(
            JSON.stringify({
              idNumber: facts.idNumber,
              phone: facts.phone,
              ...(facts.licenseNumber ? { licenseNumber: facts.licenseNumber } : {}),
            }),
          ),
          realNameData(principal.accountId),
        ),
        key_id: deps.secretBox.currentKeyId,
        submitted_at: now,
        reviewed_at: null,
        reviewed_by: null,
        review_note: null,
      };
      await store.transaction(async (repos) => {
        await repos.recovery.putRealName(record);
        await deps.audit(
          repos,
          {
            type: 'realname.submitted',
            accountId: principal.accountId,
            userId: principal.userId,
            ip: meta.ip,
            userAgent: meta.userAgent,
            details: { type: facts.type },
          },
          now,
        );
      });
      return publicRealName(record);
    },

    /** GET /support/real-names (operators). */
    async list(principal: Principal, status: RealNamesTable['status'] | null) {
      await requireOperator(store.repos, principal);
      const rows = await store.repos.recovery.listRealNames(status, 200);
      return Promise.all(
        rows.map(async (row) => {
          const owner = await store.repos.users.findRootOfAccount(row.account_id);
          return { accountId: row.account_id, login: owner?.email ?? null, ...publicRealName(row) };
        }),
      );
    },

    verify: (principal: Principal, accountId: string, note: string | null, meta: RequestMeta) =>
      review(principal, accountId, 'verified', note, meta),
    reject: (principal: Principal, accountId: string, note: string | null, meta: RequestMeta) =>
      review(principal, accountId, 'rejected', note, meta),
  };
}
export type RealNamesService = ReturnType<typeof createRealNamesService>;
