import type { Repositories } from '../../db/repositories/index.js';
import { newId, type Clock, type RandomBytes } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { MessagesTable } from '../../db/schema.js';
import { DEFAULT_LOCALE, type Locale } from '../../i18n/locale.js';
import { formatDate, formatDateTime, getDisplayTimeZone } from '../../i18n/format.js';
import { mailTexts, type MailContent, type MailContext, type MailTexts } from '../../i18n/mail/index.js';
import type { Notification, Recipient } from './kinds.js';

export type { Notification, NotificationKind, Recipient } from './kinds.js';

interface Rendered {
  subject: string;
  text: string;
  html: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The mail catalogue of a person's language (English when none was chosen). */
export function mailTextsFor(locale: Locale | null | undefined): MailTexts {
  return mailTexts[locale ?? DEFAULT_LOCALE];
}

/** A plain-text e-mail body: greeting, the lines, the signature. */
export function mailBody(texts: MailTexts, name: string, issuer: string, lines: string[]): string {
  return [texts.greeting(name), '', ...lines, '', texts.signature(issuer)].join('\n');
}

export function renderNotification(
  notification: Notification,
  context: { name: string; issuer: string; publicUrl: string; at: number; ip: string | null; locale?: Locale | null },
): Rendered {
  const locale = context.locale ?? DEFAULT_LOCALE;
  const texts = mailTexts[locale];
  const timeZone = getDisplayTimeZone();
  const date = (at: number) => formatDateTime(locale, timeZone, at);
  // The catalogue is keyed by kind, so the entry fits this notification (TypeScript cannot see that).
  const render = texts.notifications[notification.kind] as (n: Notification, c: MailContext) => MailContent;
  const { subject, lines } = render(notification, {
    name: context.name,
    issuer: context.issuer,
    publicUrl: context.publicUrl,
    at: context.at,
    when: date(context.at),
    where: context.ip ? texts.whereFrom(context.ip) : '',
    date,
    day: (at: number) => formatDate(locale, timeZone, at),
    security: `${context.publicUrl}/account/security`,
  });
  const greeting = texts.greeting(context.name);
  const text = mailBody(texts, context.name, context.issuer, lines);
  const html = `<!doctype html><html lang="${locale}"><body style="font-family:system-ui,sans-serif;color:#1d2433;line-height:1.5"><p>${escapeHtml(greeting)}</p>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}<p style="color:#5f6b7d">${escapeHtml(texts.signature(context.issuer))}</p></body></html>`;
  return { subject: texts.subject(context.issuer, subject), text, html };
}

/**
 * Puts one message into the transactional outbox, inside the caller's transaction: it is delivered
 * after the commit, or never if the change rolls back. Messages with a `secret` (codes, links) are emptied once
 * delivered.
 */
export async function queueMessage(
  repos: Repositories,
  deps: { random: RandomBytes; secretBox: SecretBox },
  message: {
    channel: 'email' | 'sms';
    address: string;
    userId: string;
    accountId: string;
    kind: string;
    subject: string;
    text: string;
    html: string | null;
    /**
     * The body carries a one-time secret: it is sealed (a database dump shows none), removed once
     * delivered, and at `expiresAt` if still waiting (null: a cancel link, removed when its ticket closes).
     */
    secret: { expiresAt: number | null } | null;
    now: number;
  },
) {
  const id = `${message.now.toString(36).padStart(9, '0')}${newId(deps.random)}`;
  await repos.messages.insert({
    id,
    channel: message.channel,
    to_address: message.address,
    user_id: message.userId,
    account_id: message.accountId,
    kind: message.kind,
    subject: message.subject,
    text_body: message.secret ? SEALED_PLACEHOLDER : message.text,
    html_body: message.secret ? null : message.html,
    body_sealed: message.secret
      ? deps.secretBox.seal(Buffer.from(JSON.stringify({ text: message.text, html: message.html })), messageData(id))
      : null,
    status: 'pending',
    attempts: 0,
    next_attempt_at: message.now,
    claimed_until: 0,
    last_error: null,
    created_at: message.now,
    sent_at: null,
    sensitive: message.secret ? 1 : 0,
    secret_expires_at: message.secret?.expiresAt ?? null,
  });
}

const SEALED_PLACEHOLDER = '[sealed: carries a one-time secret]';
const messageData = (id: string) => `message:${id}`;

/** A message's text and HTML as sent: opened from `body_sealed` when it carries a secret. */
export function messageBody(
  secretBox: SecretBox,
  message: Pick<MessagesTable, 'id' | 'text_body' | 'html_body' | 'body_sealed'>,
): { text: string; html: string | null } {
  if (message.body_sealed === null) return { text: message.text_body, html: message.html_body };
  return JSON.parse(secretBox.open(message.body_sealed, messageData(message.id)).toString('utf8')) as {
    text: string;
    html: string | null;
  };
}

/** Queues a notification inside the caller's transaction (the transactional outbox). */
export function createNotifier(deps: {
  clock: Clock;
  random: RandomBytes;
  secretBox: SecretBox;
  issuer: string;
  publicUrl: string;
  onQueued: () => void;
}) {
  /** `smsTo` also sends the subject line as an SMS there (e.g. the old number, after a change). */
  return async function notify(
    repos: Repositories,
    recipient: Recipient,
    notification: Notification,
    meta: { ip: string | null },
    now: number,
    options: { smsTo?: string | null } = {},
  ): Promise<void> {
    const rendered = renderNotification(notification, {
      name: recipient.displayName,
      issuer: deps.issuer,
      publicUrl: deps.publicUrl,
      at: now,
      ip: meta.ip,
      locale: recipient.locale,
    });
    const to = {
      userId: recipient.userId,
      accountId: recipient.accountId,
      kind: notification.kind,
      subject: rendered.subject,
      now,
    };
    if (options.smsTo) {
      const text = mailTextsFor(recipient.locale).notificationSms(rendered.subject);
      await queueMessage(repos, deps, {
        ...to,
        channel: 'sms',
        address: options.smsTo,
        text,
        html: null,
        secret: null,
      });
    }
    // A sub-user without an email address gets no mail.
    if (recipient.email) {
      await queueMessage(repos, deps, {
        ...to,
        channel: 'email',
        address: recipient.email,
        text: rendered.text,
        html: rendered.html,
        secret: null,
      });
    }
    if (options.smsTo || recipient.email) deps.onQueued();
  };
}
export type Notifier = ReturnType<typeof createNotifier>;
