import type { Notification, NotificationKind } from '../../domain/notify/kinds.js';

/**
 * The e-mails and SMS twofold sends, in English: the source of every mail text (issue 25). The
 * zh-CN catalogue has this file's type, so a kind or a bit missing there fails to compile. Values
 * arrive as they are: the HTML part escapes them, never the catalogue.
 */

/** What a text may use besides its notification, already in the reader's language and time zone. */
export interface MailContext {
  name: string;
  issuer: string;
  publicUrl: string;
  /** The event's instant (a deadline is compared with it). */
  at: number;
  /** The event's instant, formatted for the reader ("7 Dec 2026, 12:28 UTC"). */
  when: string;
  /** Where the request came from, ready to append (`whereFrom`), or ''. */
  where: string;
  /** Any other instant, formatted like `when`. */
  date: (at: number) => string;
  /** A day, without the time ("7 Dec 2026"). */
  day: (at: number) => string;
  /** The account's Security Settings page. */
  security: string;
}

export interface MailContent {
  subject: string;
  lines: string[];
}

type Of<K extends NotificationKind> = Extract<Notification, { kind: K }>;
export type NotificationTexts = { [K in NotificationKind]: (n: Of<K>, c: MailContext) => MailContent };

const deviceWord = (type: 'totp' | 'webauthn') => (type === 'webauthn' ? 'passkey' : 'authenticator app');

const notifications: NotificationTexts = {
  'mfa.bound': (n, c) => {
    const what =
      n.device?.type === 'webauthn'
        ? `the passkey "${n.device.name}"`
        : `a virtual MFA device${n.device ? ` ("${n.device.name}")` : ''}`;
    return {
      subject:
        n.device?.type === 'webauthn'
          ? 'A passkey was added to your account'
          : 'A virtual MFA device was bound to your account',
      lines: [
        n.byAdmin
          ? `${n.byAdmin} bound ${what} to your account on ${c.when}.`
          : `${what[0]!.toUpperCase()}${what.slice(1)} was added to your account on ${c.when}${c.where}.`,
        n.device?.type === 'webauthn'
          ? 'From now on, you can sign in with that passkey.'
          : 'From now on, a 6-digit code from that authenticator app works at login.',
        `If this was not you, sign in and review your security settings: ${c.security}`,
      ],
    };
  },
  'mfa.device_removed': (n, c) => ({
    subject: `An MFA device was removed from your account: ${n.device.name}`,
    lines: [
      n.byAdmin
        ? `${n.byAdmin} removed the ${deviceWord(n.device.type)} "${n.device.name}" from your account on ${c.when}.`
        : `The ${deviceWord(n.device.type)} "${n.device.name}" was removed from your account on ${c.when}${c.where}.`,
      n.remaining > 0
        ? `It no longer works for signing in. ${n.remaining === 1 ? 'Your other MFA device still does.' : `Your ${n.remaining} other MFA devices still do.`}`
        : 'It was your last MFA device: your recovery codes no longer work, and logging in asks for no second factor — unless your administrator or a workspace requires one, in which case you will be asked to bind a device.',
      `If this was not you, change your password and review your devices: ${c.security}`,
    ],
  }),
  'mfa.unbound': (n, c) => ({
    subject: 'The virtual MFA device was removed from your account',
    lines: [
      `The virtual MFA device of your account${n.device ? ` ("${n.device}")` : ''} was unbound on ${c.when}${c.where}.`,
      'Codes from that device no longer work, and logging in now asks only for the password.',
      `If this was not you, change your password and bind a device again: ${c.security}`,
    ],
  }),
  'mfa.reset_by_admin': (n, c) => ({
    subject: 'Your virtual MFA device was reset by an administrator',
    lines: [
      `${n.admin} reset the virtual MFA device of your account on ${c.when}.`,
      ...(n.reason ? [`Reason given: ${n.reason}`] : []),
      'Your sessions were ended and your recovery codes no longer work. At your next login you must bind your authenticator app again before you can do anything else.',
    ],
  }),
  'mfa.locked': (n, c) => ({
    subject: 'Second-factor checks on your account are paused',
    lines: [
      `${n.subject ? `Your sub-user ${n.subject.displayName}${n.subject.username ? ` (${n.subject.username})` : ''}` : 'Your account'} had too many wrong dynamic codes; the last one came on ${c.when}${c.where}.`,
      n.until > 8.6e15
        ? 'Checks stay paused until an operator unlocks the account.'
        : `Checks are paused until ${c.date(n.until)}.`,
      'Someone may know the password. If these attempts were not yours, change the password once you can log in.',
    ],
  }),
  'login.locked': (n, c) => ({
    subject: 'Logins to your account are paused after wrong passwords',
    lines: [
      `Your account had too many wrong passwords in a row; the last one came on ${c.when}${c.where}.`,
      `Password logins are paused until ${c.date(n.until)}, then each further wrong password pauses them for longer.`,
      'If these attempts were not yours, someone is guessing your password: use a long, unique one, and bind a virtual MFA device if you have none.',
    ],
  }),
  'mfa.recovery_code_used': (n, c) => ({
    subject: 'A recovery code was used for your account',
    lines: [
      `A recovery code stood in for the dynamic code on ${c.when}${c.where}. ${n.remaining} unused recovery code${n.remaining === 1 ? '' : 's'} left.`,
      n.remaining <= 3
        ? `Few codes are left: make a new set under Security Settings: ${c.security}`
        : `Lost the phone? Unbind the old device and bind a new one: ${c.security}`,
      'If this was not you, someone has your password and a recovery code: contact your administrator or support at once.',
    ],
  }),
  'account.password_changed': (_n, c) => ({
    subject: 'The password of your account was changed',
    lines: [
      `The password of your account was reset on ${c.when}${c.where}, and every session was signed out.`,
      'If this was not you, someone can read your e-mail: secure your mailbox, then reset the password again and tell your administrator.',
    ],
  }),
  'mfa.recovery_codes_regenerated': (_n, c) => ({
    subject: 'New recovery codes were made for your account',
    lines: [
      `A new set of recovery codes was made on ${c.when}${c.where}; the old codes no longer work.`,
      `If this was not you, review your security settings: ${c.security}`,
    ],
  }),
  'login.new_browser': (n, c) => ({
    subject: 'New login to your account',
    lines: [
      `Your account was logged in from a browser or app we had not seen before, on ${c.when}${c.where}.`,
      ...(n.userAgent ? [`Browser: ${n.userAgent}`] : []),
      `If this was not you, change your password and review your security settings: ${c.security}`,
    ],
  }),
  'account.email_changed': (n, c) => ({
    subject: 'The email address of your account was changed',
    lines: [
      `The email address of your account was changed to ${n.newAddress} on ${c.when}${c.where}. Security notices go there from now on.`,
      'If this was not you, someone may have taken over your account: contact your administrator or support at once.',
    ],
  }),
  'account.phone_changed': (n, c) => ({
    subject: 'The phone number of your account was changed',
    lines: [
      n.newNumber
        ? `The phone number of your account was changed to ${n.newNumber} on ${c.when}${c.where}. SMS codes go there from now on.`
        : `The phone number was removed from your account on ${c.when}${c.where}.`,
      'If this was not you, someone may have taken over your account: contact your administrator or support at once.',
    ],
  }),
  'account.changed_by_admin': (n, c) => {
    const said = {
      email: 'changed your email address',
      phone: 'changed your phone number',
      password: 'set a new password (your sessions were ended)',
      disabled: 'disabled your account: you can no longer log in',
      enabled: 'enabled your account again',
    };
    return {
      subject: 'An administrator changed your account',
      lines: [
        `On ${c.when}, ${n.admin} ${n.changes.map((change) => said[change]).join('; ')}.`,
        'If you did not expect this, contact the administrator of your account.',
      ],
    };
  },
  'api_token.created': (n, c) => ({
    subject: `An API token was created: ${n.name}`,
    lines: [
      `The API token "${n.name}" was created for your account on ${c.when}${c.where}.`,
      `It may: ${n.scopes.join(', ')}. It stops working on ${c.date(n.expiresAt)}.`,
      `If this was not you, revoke it at once and change your password: ${c.publicUrl}/api-tokens`,
    ],
  }),
  'api_token.expiring': (n, c) => ({
    subject: `Your API token "${n.name}" stops working on ${c.day(n.expiresAt)}`,
    lines: [
      `The API token "${n.name}" stops working on ${c.date(n.expiresAt)}.`,
      `Scripts that use it will then be refused. Create a new one and replace it before then: ${c.publicUrl}/api-tokens`,
    ],
  }),
  'webhook.disabled': (n, c) => ({
    subject: `A webhook was turned off: ${n.endpoint}`,
    lines: [
      n.reason === 'gone'
        ? `The webhook receiver at ${n.endpoint} answered 410 Gone on ${c.when}, so it was turned off: it gets no more events.`
        : `Deliveries to the webhook receiver at ${n.endpoint} kept failing for about a day, so it was turned off on ${c.when}: it gets no more events.`,
      `Once the receiver works again, open its recent deliveries and choose "Send again" to turn it back on: ${c.publicUrl}/webhooks`,
    ],
  }),
  'realname.reviewed': (n, c) => ({
    subject: n.verified ? 'Your real-name record was verified' : 'Your real-name record was not accepted',
    lines: [
      n.verified
        ? `Support verified the real-name record of your account on ${c.when}. If you ever lose your phone and your recovery codes, you can now ask for the virtual MFA device to be removed ("Unbind MFA" on the login page).`
        : `Support could not verify the real-name record of your account (${c.when}).`,
      ...(n.note ? [`Note from support: ${n.note}`] : []),
      `Your record: ${c.publicUrl}/account/real-name`,
    ],
  }),
  'recovery.rejected': (n, c) => ({
    subject: 'Your request to unbind MFA was rejected',
    lines: [
      `Support rejected the request to remove the virtual MFA device of your account on ${c.when}.`,
      `Reason: ${n.reason}`,
      'Your device stays bound. If you still cannot log in, open a new request with better evidence.',
    ],
  }),
  'recovery.cancelled': (n, c) => {
    const why = {
      link: 'the cancel link in our e-mail was used',
      owner_activity: 'the account logged in with its dynamic code, so the device is not lost',
      contact_change: "the account's email address or phone number was changed",
    };
    return {
      subject: 'The request to unbind MFA was cancelled',
      lines: [
        `The request to remove the virtual MFA device of your account was cancelled on ${c.when}: ${why[n.reason]}.`,
        'Your device stays bound and nothing else changed.',
        `If this was not you, review your security settings: ${c.security}`,
      ],
    };
  },
  'recovery.completed': (_n, c) => ({
    subject: 'The virtual MFA device was removed from your account',
    lines: [
      `As requested in your approved recovery ticket, the virtual MFA device and the recovery codes of your account were removed on ${c.when}, and every session was signed out.`,
      'At your next login, bind your authenticator app again. We also advise you to change your password.',
      'If you did not ask for this, contact support at once.',
    ],
  }),
  'workspace.mfa_required': (n, c) => ({
    subject: `The workspace ${n.workspace} now requires MFA`,
    lines: [
      `The workspace ${n.workspace} turned on mandatory multi-factor authentication.`,
      n.deadline <= c.at
        ? 'At your next login you will be asked to bind an authenticator app before you can continue.'
        : `Bind an authenticator app before ${c.date(n.deadline)}: after that, your next login asks you to bind one first.`,
      `Account Management › Security Settings › Virtual MFA: ${c.security}`,
    ],
  }),
  'workspace.passkey_required': (n, c) => ({
    subject: `The workspace ${n.workspace} now requires a passkey`,
    lines: [
      `The workspace ${n.workspace} now accepts only phishing-resistant MFA: a passkey or security key.`,
      n.deadline <= c.at
        ? 'At your next login you will be asked to add a passkey before you can continue.'
        : `Add a passkey before ${c.date(n.deadline)}: after that, your next login asks you to add one first.`,
      `Account Management › Security Settings › MFA devices: ${c.security}`,
    ],
  }),
  'workspace.mfa_reminder': (n, c) => ({
    subject: `Reminder: bind an authenticator app for the workspace ${n.workspace}`,
    lines: [
      `${n.by} reminds you that the workspace ${n.workspace} asks every member to use multi-factor authentication, and you have not bound an authenticator app yet.`,
      n.deadline === null
        ? 'It takes two minutes: scan a QR code with an authenticator app and enter two codes.'
        : n.deadline <= c.at
          ? 'The grace period is over: your next login asks you to bind one before anything else.'
          : `Bind one before ${c.date(n.deadline)}: after that, your next login asks you to bind one first.`,
      `Account Management › Security Settings › Virtual MFA: ${c.security}`,
    ],
  }),
};

export const mailTextsEn = {
  /** The first line of every e-mail. */
  greeting: (name: string) => `Hello ${name},`,
  /** The last line of every e-mail. */
  signature: (issuer: string) => `— ${issuer}`,
  /** A subject as sent: the issuer first. */
  subject: (issuer: string, subject: string) => `${issuer}: ${subject}`,
  /**
   * Who did something, as the domain names them (actorLabel in src/domain/users/user-views.ts and the
   * operator's reset): English there, so other languages map the fixed phrases. Names stay as they are.
   */
  actor: (label: string): string => label,
  /** Appended to "… on <time>" when the request's address is known. */
  whereFrom: (ip: string) => ` from ${ip}`,
  /** The SMS a notification sends to a number (e.g. the old one, after a change). */
  notificationSms: (subject: string) => `${subject}. If this was not you, contact support at once.`,
  notifications,

  /** An e-mail or SMS code (login, step-up, a new address or number). */
  verificationCode: {
    subject: 'your verification code',
    sms: (issuer: string, code: string) => `${issuer} code: ${code}. Valid 10 minutes. Never share it.`,
    lines: (code: string) => [
      `Your verification code is ${code}. It is valid for 10 minutes.`,
      'If you did not ask for it, someone may know your password: change it.',
    ],
  },
  /** The e-mail code for a lost-device ticket ("Unbind MFA" on the login page). */
  recoveryCode: {
    subject: 'your code to request unbinding MFA',
    lines: (code: string) => [
      `Your code to submit a request to unbind the virtual MFA device is ${code}. It is valid for 10 minutes.`,
      'It only works for that request: it cannot log you in.',
      'If you did not ask for it, someone knows your login: you can ignore this message, but keep an eye on your account.',
    ],
  },
  /** A sub-user asked for a lost-device ticket: it gets a pointer to its administrator instead. */
  recoverySubUser: {
    subject: 'lost your MFA device?',
    lines: [
      'Someone asked to unbind the virtual MFA device of your login. Sub-users do not open support tickets:',
      'ask the primary account (or a user administrator) of your organisation to reset your device.',
      'At your next login you then bind your authenticator app again.',
    ],
  },
  /** A password-reset link; `by` names the administrator who sent it, else the person asked. */
  passwordReset: {
    subject: (byAdmin: boolean): string => (byAdmin ? 'choose a new password' : 'reset your password'),
    lines: (link: string, by: string | null) => [
      by
        ? `${by} sent you this link to choose a new password for your account. Open it within 30 minutes:`
        : 'Someone asked to reset the password of your account. To choose a new one, open this link within 30 minutes:',
      link,
      '',
      by
        ? 'Until you use it, your current password keeps working. Your virtual MFA device still protects the account.'
        : 'If it was not you, ignore this message: your password stays as it is. Your virtual MFA device still protects the account.',
    ],
  },
  /** The cancel link of a lost-device ticket, at each stage (src/domain/recovery/effects.ts). */
  recoveryCancelLink: {
    subject: {
      submitted: () => 'a request to unbind MFA was made for your account',
      cooling_off: (effective: string) => `your virtual MFA device will be removed on ${effective}`,
      reminder: (effective: string) => `your virtual MFA device will be removed within 24 hours, on ${effective}`,
    },
    said: {
      submitted: () =>
        'Someone asked support to remove the virtual MFA device of your account because the phone was lost. Support will review the identity evidence.',
      cooling_off: (effective: string) =>
        `Two support operators approved the request to remove the virtual MFA device of your account. Unless it is cancelled, the device and your recovery codes will be removed on ${effective} and every session will be signed out.`,
      reminder: (effective: string) =>
        `This is the last reminder: two support operators approved the request to remove the virtual MFA device of your account. Unless it is cancelled, the device and your recovery codes will be removed on ${effective}, in less than 24 hours, and every session will be signed out.`,
    },
    lines: (said: string, link: string) => [
      said,
      '',
      'If this was not you, or you found your phone, cancel the request here:',
      link,
      'Logging in with your dynamic code also cancels it.',
    ],
    sms: (subject: string, link: string) => `${subject}. Not you? Cancel: ${link}`,
  },
};

export type MailTexts = typeof mailTextsEn;
