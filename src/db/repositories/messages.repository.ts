import { sql } from 'kysely';
import { preparedInsert, preparedQuery, type QueryTarget } from '../prepared.js';
import type { MessagesTable } from '../schema.js';

// Every login with a new browser: prepared once (decision 011).
const rememberBrowser = preparedInsert('known_browsers', (query) =>
  query.onConflict((oc) => oc.columns(['user_id', 'fingerprint']).doNothing()),
);
/** The same insert when the caller already knows the browser is new and needs no answer (decision 020). */
const rememberBrowserLater = preparedInsert(
  'known_browsers',
  (query) => query.onConflict((oc) => oc.columns(['user_id', 'fingerprint']).doNothing()),
  { deferrable: true },
);
const otherBrowser = preparedQuery<{ userId: string; fingerprint: string }, { fingerprint: string }>((db, slot) =>
  db
    .selectFrom('known_browsers')
    .select('fingerprint')
    .where('user_id', '=', slot('userId'))
    .where('fingerprint', '!=', slot('fingerprint'))
    .limit(sql.lit(1)),
);

/** A message still waiting for a mail server is not sent once its secret is gone: it would say nothing. */
const undeliverable = (reason: string) => ({
  status: sql<MessagesTable['status']>`case when status = 'pending' then 'failed' else status end`,
  last_error: sql<string | null>`case when status = 'pending' then ${reason} else last_error end`,
});

export function createMessagesRepository(target: QueryTarget) {
  return {
    insert: (message: MessagesTable) => target.db.insertInto('messages').values(message).execute(),
    dueIds: (now: number, limit: number) =>
      target.db
        .selectFrom('messages')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where('claimed_until', '<=', now)
        .orderBy('created_at')
        .limit(limit)
        .execute(),
    /** Claims a message for one delivery attempt; another instance's worker cannot take it meanwhile. */
    claim: async (id: string, now: number, leaseMs: number) =>
      target.db
        .updateTable('messages')
        .set({ claimed_until: now + leaseMs })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('claimed_until', '<=', now)
        .returningAll()
        .executeTakeFirst(),
    markDelivered: (id: string, status: 'sent' | 'outbox', now: number, redact: boolean) =>
      target.db
        .updateTable('messages')
        .set((eb) => ({
          status,
          sent_at: now,
          attempts: eb('attempts', '+', 1),
          last_error: null,
          claimed_until: 0,
          ...(redact
            ? {
                text_body: '[one-time code removed after delivery]',
                html_body: null,
                body_sealed: null,
                secret_expires_at: null,
              }
            : {}),
        }))
        .where('id', '=', id)
        .execute(),
    /**
     * Bodies whose one-time secret stopped working, delivered or not (the index keeps this cheap).
     * One still waiting for a mail server is not sent any more: it would bring a dead code.
     */
    redactExpiredSecrets: async (now: number) =>
      Number(
        (
          await target.db
            .updateTable('messages')
            .set({
              text_body: '[one-time secret removed: it expired]',
              html_body: null,
              body_sealed: null,
              secret_expires_at: null,
              ...undeliverable('expired before it could be delivered'),
            })
            .where('secret_expires_at', '<=', now)
            .executeTakeFirst()
        ).numUpdatedRows,
      ),
    /** A closed lost-device ticket's cancel links (and codes) of the user: they can do nothing now. */
    redactRecoveryLinks: (userId: string) =>
      target.db
        .updateTable('messages')
        .set({
          text_body: '[cancel link removed: the request is closed]',
          html_body: null,
          body_sealed: null,
          secret_expires_at: null,
          ...undeliverable('its request closed before it could be delivered'),
        })
        .where('user_id', '=', userId)
        .where('sensitive', '=', 1)
        .where('kind', 'like', 'recovery.%')
        // Sealed ones, and clear ones queued before bodies were sealed (migration 0010).
        .where((eb) => eb.or([eb('body_sealed', 'is not', null), eb('text_body', 'not like', '[%')]))
        .execute(),
    markAttemptFailed: (id: string, error: string, nextAttemptAt: number | null) =>
      target.db
        .updateTable('messages')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          last_error: error.slice(0, 500),
          claimed_until: 0,
          ...(nextAttemptAt === null ? { status: 'failed' as const } : { next_attempt_at: nextAttemptAt }),
        }))
        .where('id', '=', id)
        .execute(),
    list: (filter: { to?: string | undefined; limit: number }) => {
      let query = target.db.selectFrom('messages').selectAll();
      if (filter.to) query = query.where('to_address', '=', filter.to);
      return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
    },
    /** True when this browser is new for the user (the row was inserted now). */
    rememberBrowser: async (userId: string, fingerprint: string, now: number) =>
      (await rememberBrowser(target, { user_id: userId, fingerprint, first_seen_at: now })) > 0,
    /** Remembers a browser already known to be new (from findActiveWithUser's flags); no answer. */
    rememberNewBrowser: (userId: string, fingerprint: string, now: number) =>
      rememberBrowserLater(target, { user_id: userId, fingerprint, first_seen_at: now }),
    hasOtherBrowsers: async (userId: string, fingerprint: string) =>
      (await otherBrowser.first(target, { userId, fingerprint })) !== undefined,
  };
}
export type MessagesRepository = ReturnType<typeof createMessagesRepository>;
