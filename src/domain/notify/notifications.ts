import type { MfaDeviceType } from '../../db/schema.js';
import type { Repositories } from '../../db/repositories/index.js';
import { newId, type Clock, type RandomBytes } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { MessagesTable } from '../../db/schema.js';

/** What a notification says; never a secret, a code or a token (docs/design.md §2.8). */
export type Notification =
  | { kind: 'mfa.bound'; byAdmin: string | null; device?: { name: string; type: MfaDeviceType } }
  | { kind: 'mfa.unbound'; device?: string }
  | {
      kind: 'mfa.device_removed';
      device: { name: string; type: MfaDeviceType };
      remaining: number;
      byAdmin: string | null;
    }
  | { kind: 'mfa.reset_by_admin'; admin: string; reason: string | null }
  | { kind: 'mfa.locked'; until: number; subject: string | null }
  | { kind: 'login.locked'; until: number }
  | { kind: 'mfa.recovery_code_used'; remaining: number }
  | { kind: 'mfa.recovery_codes_regenerated' }
  | { kind: 'account.password_changed' }
  | { kind: 'login.new_browser'; userAgent: string | null }
  | { kind: 'workspace.mfa_required'; workspace: string; deadline: number }
  | { kind: 'workspace.passkey_required'; workspace: string; deadline: number }
  | { kind: 'workspace.mfa_reminder'; workspace: string; deadline: number | null; by: string }
  | { kind: 'account.email_changed'; newAddress: string }
  | { kind: 'account.phone_changed'; newNumber: string | null }
  | { kind: 'realname.reviewed'; verified: boolean; note: string | null }
  | { kind: 'recovery.rejected'; reason: string }
  | { kind: 'recovery.cancelled'; reason: 'link' | 'owner_activity' | 'contact_change' }
  | { kind: 'recovery.completed' }
  | { kind: 'webhook.disabled'; endpoint: string; reason: 'gone' | 'failing' }
  | { kind: 'api_token.created'; name: string; scopes: string[]; expiresAt: number }
  | { kind: 'api_token.expiring'; name: string; expiresAt: number }
  | {
      kind: 'account.changed_by_admin';
      admin: string;
      changes: ('email' | 'phone' | 'password' | 'disabled' | 'enabled')[];
    };

export interface Recipient {
  userId: string;
  accountId: string;
  email: string | null;
  displayName: string;
}

interface Rendered {
  subject: string;
  text: string;
  html: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function utc(ms: number): string {
  return `${new Date(ms).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}

export function renderNotification(
  notification: Notification,
  context: { name: string; issuer: string; publicUrl: string; at: number; ip: string | null },
): Rendered {
  const where = context.ip ? ` from ${context.ip}` : '';
  const when = utc(context.at);
  const security = `${context.publicUrl}/account/security`;
  let subject: string;
  let lines: string[];
  switch (notification.kind) {
    case 'mfa.bound': {
      const what =
        notification.device?.type === 'webauthn'
          ? `the passkey "${notification.device.name}"`
          : `a virtual MFA device${notification.device ? ` ("${notification.device.name}")` : ''}`;
      subject =
        notification.device?.type === 'webauthn'
          ? 'A passkey was added to your account'
          : 'A virtual MFA device was bound to your account';
      lines = [
        notification.byAdmin
          ? `${notification.byAdmin} bound ${what} to your account on ${when}.`
          : `${what[0]!.toUpperCase()}${what.slice(1)} was added to your account on ${when}${where}.`,
        notification.device?.type === 'webauthn'
          ? 'From now on, you can sign in with that passkey.'
          : 'From now on, a 6-digit code from that authenticator app works at login.',
        `If this was not you, sign in and review your security settings: ${security}`,
      ];
      break;
    }
    case 'mfa.device_removed':
      subject = `An MFA device was removed from your account: ${notification.device.name}`;
      lines = [
        notification.byAdmin
          ? `${notification.byAdmin} removed the ${notification.device.type === 'webauthn' ? 'passkey' : 'authenticator app'} "${notification.device.name}" from your account on ${when}.`
          : `The ${notification.device.type === 'webauthn' ? 'passkey' : 'authenticator app'} "${notification.device.name}" was removed from your account on ${when}${where}.`,
        notification.remaining > 0
          ? `It no longer works for signing in. ${notification.remaining === 1 ? 'Your other MFA device still does.' : `Your ${notification.remaining} other MFA devices still do.`}`
          : 'It was your last MFA device: your recovery codes no longer work, and logging in asks for no second factor — unless your administrator or a workspace requires one, in which case you will be asked to bind a device.',
        `If this was not you, change your password and review your devices: ${security}`,
      ];
      break;
    case 'mfa.unbound':
      subject = 'The virtual MFA device was removed from your account';
      lines = [
        `The virtual MFA device of your account${notification.device ? ` ("${notification.device}")` : ''} was unbound on ${when}${where}.`,
        'Codes from that device no longer work, and logging in now asks only for the password.',
        `If this was not you, change your password and bind a device again: ${security}`,
      ];
      break;
    case 'mfa.reset_by_admin':
      subject = 'Your virtual MFA device was reset by an administrator';
      lines = [
        `${notification.admin} reset the virtual MFA device of your account on ${when}.`,
        ...(notification.reason ? [`Reason given: ${notification.reason}`] : []),
        'Your sessions were ended and your recovery codes no longer work. At your next login you must bind your authenticator app again before you can do anything else.',
      ];
      break;
    case 'mfa.locked':
      subject = 'Second-factor checks on your account are paused';
      lines = [
        `${notification.subject ?? 'Your account'} had too many wrong dynamic codes; the last one came on ${when}${where}.`,
        notification.until > 8.6e15
          ? 'Checks stay paused until an operator unlocks the account.'
          : `Checks are paused until ${utc(notification.until)}.`,
        'Someone may know the password. If these attempts were not yours, change the password once you can log in.',
      ];
      break;
    case 'login.locked':
      subject = 'Logins to your account are paused after wrong passwords';
      lines = [
        `Your account had too many wrong passwords in a row; the last one came on ${when}${where}.`,
        `Password logins are paused until ${utc(notification.until)}, then each further wrong password pauses them for longer.`,
        'If these attempts were not yours, someone is guessing your password: use a long, unique one, and bind a virtual MFA device if you have none.',
      ];
      break;
    case 'mfa.recovery_code_used':
      subject = 'A recovery code was used for your account';
      lines = [
        `A recovery code stood in for the dynamic code on ${when}${where}. ${notification.remaining} unused recovery code${notification.remaining === 1 ? '' : 's'} left.`,
        notification.remaining <= 3
          ? `Few codes are left: make a new set under Security Settings: ${security}`
          : `Lost the phone? Unbind the old device and bind a new one: ${security}`,
        'If this was not you, someone has your password and a recovery code: contact your administrator or support at once.',
      ];
      break;
    case 'account.password_changed':
      subject = 'The password of your account was changed';
      lines = [
        `The password of your account was reset on ${when}${where}, and every session was signed out.`,
        'If this was not you, someone can read your e-mail: secure your mailbox, then reset the password again and tell your administrator.',
      ];
      break;
    case 'mfa.recovery_codes_regenerated':
      subject = 'New recovery codes were made for your account';
      lines = [
        `A new set of recovery codes was made on ${when}${where}; the old codes no longer work.`,
        `If this was not you, review your security settings: ${security}`,
      ];
      break;
    case 'login.new_browser':
      subject = 'New login to your account';
      lines = [
        `Your account was logged in from a browser or app we had not seen before, on ${when}${where}.`,
        ...(notification.userAgent ? [`Browser: ${notification.userAgent}`] : []),
        `If this was not you, change your password and review your security settings: ${security}`,
      ];
      break;
    case 'account.email_changed':
      subject = 'The email address of your account was changed';
      lines = [
        `The email address of your account was changed to ${notification.newAddress} on ${when}${where}. Security notices go there from now on.`,
        'If this was not you, someone may have taken over your account: contact your administrator or support at once.',
      ];
      break;
    case 'account.phone_changed':
      subject = 'The phone number of your account was changed';
      lines = [
        notification.newNumber
          ? `The phone number of your account was changed to ${notification.newNumber} on ${when}${where}. SMS codes go there from now on.`
          : `The phone number was removed from your account on ${when}${where}.`,
        'If this was not you, someone may have taken over your account: contact your administrator or support at once.',
      ];
      break;
    case 'account.changed_by_admin': {
      const said = {
        email: 'changed your email address',
        phone: 'changed your phone number',
        password: 'set a new password (your sessions were ended)',
        disabled: 'disabled your account: you can no longer log in',
        enabled: 'enabled your account again',
      };
      subject = 'An administrator changed your account';
      lines = [
        `On ${when}, ${notification.admin} ${notification.changes.map((c) => said[c]).join('; ')}.`,
        'If you did not expect this, contact the administrator of your account.',
      ];
      break;
    }
    case 'api_token.created':
      subject = `An API token was created: ${notification.name}`;
      lines = [
        `The API token "${notification.name}" was created for your account on ${when}${where}.`,
        `It may: ${notification.scopes.join(', ')}. It stops working on ${utc(notification.expiresAt)}.`,
        `If this was not you, revoke it at once and change your password: ${context.publicUrl}/api-tokens`,
      ];
      break;
    case 'api_token.expiring':
      subject = `Your API token "${notification.name}" stops working on ${utc(notification.expiresAt).slice(0, 10)}`;
      lines = [
        `The API token "${notification.name}" stops working on ${utc(notification.expiresAt)}.`,
        `Scripts that use it will then be refused. Create a new one and replace it before then: ${context.publicUrl}/api-tokens`,
      ];
      break;
    case 'webhook.disabled':
      subject = `A webhook was turned off: ${notification.endpoint}`;
      lines = [
        notification.reason === 'gone'
          ? `The webhook receiver at ${notification.endpoint} answered 410 Gone on ${when}, so it was turned off: it gets no more events.`
          : `Deliveries to the webhook receiver at ${notification.endpoint} kept failing for about a day, so it was turned off on ${when}: it gets no more events.`,
        `Once the receiver works again, open its recent deliveries and choose "Send again" to turn it back on: ${context.publicUrl}/webhooks`,
      ];
      break;
    case 'realname.reviewed':
      subject = notification.verified ? 'Your real-name record was verified' : 'Your real-name record was not accepted';
      lines = [
        notification.verified
          ? `Support verified the real-name record of your account on ${when}. If you ever lose your phone and your recovery codes, you can now ask for the virtual MFA device to be removed ("Unbind MFA" on the login page).`
          : `Support could not verify the real-name record of your account (${when}).`,
        ...(notification.note ? [`Note from support: ${notification.note}`] : []),
        `Your record: ${context.publicUrl}/account/real-name`,
      ];
      break;
    case 'recovery.rejected':
      subject = 'Your request to unbind MFA was rejected';
      lines = [
        `Support rejected the request to remove the virtual MFA device of your account on ${when}.`,
        `Reason: ${notification.reason}`,
        'Your device stays bound. If you still cannot log in, open a new request with better evidence.',
      ];
      break;
    case 'recovery.cancelled': {
      const why = {
        link: 'the cancel link in our e-mail was used',
        owner_activity: 'the account logged in with its dynamic code, so the device is not lost',
        contact_change: "the account's email address or phone number was changed",
      };
      subject = 'The request to unbind MFA was cancelled';
      lines = [
        `The request to remove the virtual MFA device of your account was cancelled on ${when}: ${why[notification.reason]}.`,
        'Your device stays bound and nothing else changed.',
        `If this was not you, review your security settings: ${security}`,
      ];
      break;
    }
    case 'recovery.completed':
      subject = 'The virtual MFA device was removed from your account';
      lines = [
        `As requested in your approved recovery ticket, the virtual MFA device and the recovery codes of your account were removed on ${when}, and every session was signed out.`,
        'At your next login, bind your authenticator app again. We also advise you to change your password.',
        'If you did not ask for this, contact support at once.',
      ];
      break;
    case 'workspace.mfa_required':
      subject = `The workspace ${notification.workspace} now requires MFA`;
      lines = [
        `The workspace ${notification.workspace} turned on mandatory multi-factor authentication.`,
        notification.deadline <= context.at
          ? 'At your next login you will be asked to bind an authenticator app before you can continue.'
          : `Bind an authenticator app before ${utc(notification.deadline)}: after that, your next login asks you to bind one first.`,
        `Account Management › Security Settings › Virtual MFA: ${security}`,
      ];
      break;
    case 'workspace.passkey_required':
      subject = `The workspace ${notification.workspace} now requires a passkey`;
      lines = [
        `The workspace ${notification.workspace} now accepts only phishing-resistant MFA: a passkey or security key.`,
        notification.deadline <= context.at
          ? 'At your next login you will be asked to add a passkey before you can continue.'
          : `Add a passkey before ${utc(notification.deadline)}: after that, your next login asks you to add one first.`,
        `Account Management › Security Settings › MFA devices: ${security}`,
      ];
      break;
    case 'workspace.mfa_reminder':
      subject = `Reminder: bind an authenticator app for the workspace ${notification.workspace}`;
      lines = [
        `${notification.by} reminds you that the workspace ${notification.workspace} asks every member to use multi-factor authentication, and you have not bound an authenticator app yet.`,
        notification.deadline === null
          ? 'It takes two minutes: scan a QR code with an authenticator app and enter two codes.'
          : notification.deadline <= context.at
            ? 'The grace period is over: your next login asks you to bind one before anything else.'
            : `Bind one before ${utc(notification.deadline)}: after that, your next login asks you to bind one first.`,
        `Account Management › Security Settings › Virtual MFA: ${security}`,
      ];
      break;
  }
  const greeting = `Hello ${context.name},`;
  const text = [greeting, '', ...lines, '', `— ${context.issuer}`].join('\n');
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1d2433;line-height:1.5"><p>${escapeHtml(greeting)}</p>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}<p style="color:#5f6b7d">— ${escapeHtml(context.issuer)}</p></body></html>`;
  return { subject: `${context.issuer}: ${subject}`, text, html };
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
    });
    const to = {
      userId: recipient.userId,
      accountId: recipient.accountId,
      kind: notification.kind,
      subject: rendered.subject,
      now,
    };
    if (options.smsTo) {
      const text = `${rendered.subject}. If this was not you, contact support at once.`;
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
