import { formatDate, formatDateTime, getDisplayTimeZone } from '../../../i18n/format.js';
/** A message a page shows after a redirect: `?notice=<key>`. */
export type Notice = { kind: 'success' | 'info'; text: string };

/**
 * What every page shares: formats, navigation, common words, form and error texts, and the notices
 * a redirect carries.
 */
export const commonTexts = {
  format: {
    /** "1 Dec 2026, 16:20 UTC": in the operator's time zone (TWOFOLD_TIME_ZONE), always named. */
    dateTime: (at: number | string) => formatDateTime('en', getDisplayTimeZone(), at),
    date: (at: number | string) => formatDate('en', getDisplayTimeZone(), at),
  },
  /** The page's `<html lang>` (BCP 47). */
  lang: 'en' as 'en' | 'zh-CN',
  brand: 'twofold',
  footer: 'twofold · account security',
  footerDev: ' · dev mode',
  nav: {
    support: 'Support',
    menu: 'Menu',
    overview: 'Overview',
    users: 'User Management',
    workspaces: 'Workspaces',
    account: 'Account Management',
    profile: 'Profile',
    audit: 'Audit log',
    sessions: 'Sessions',
    outbox: 'Outbox',
    signOut: 'Sign out',
  },
  common: {
    back: 'Back',
    cancel: 'Cancel',
    optional: '(optional)',
    bound: 'Bound',
    notBound: 'Not bound',
    save: 'Save',
    verify: 'Verify',
    code: 'Code',
    password: 'Password',
    email: 'Email',
    phone: 'Phone',
    displayName: 'Display name',
    none: 'none',
  },
  form: {
    codeDigits: 'Enter the 6 digits shown in your authenticator app.',
    codeFromMessage: 'Enter the 6 digits from the message.',
    codesDigits: 'Each code is the 6 digits shown in the authenticator app.',
    email: 'Enter a valid email address.',
    emailOrEmpty: 'Enter a valid email address, or leave it empty.',
    passwordLength: 'The password must be 8 to 256 characters long.',
    displayNameLength: 'The display name can be at most 100 characters.',
    phone: 'Enter the phone number in international format, e.g. +4915112345678, or leave it empty.',
    pickMethod: 'Pick one of the offered methods.',
    reasonRequired: 'Give a reason: it goes into the audit log and the e-mail to the user.',
  },
  errors: {
    title: 'Something went wrong',
    refused: 'Request refused',
    notFound: 'Not found',
    notPossible: 'Not possible',
    internal: 'Something went wrong on our side. The error was logged.',
    otherSite: 'This form was sent from another site and was refused.',
    staleForm: 'This form is out of date. Go back, reload the page and try again.',
    noPage: 'There is no page at this address. Check the link, or start from the overview.',
    badAddress:
      'This address is not valid (it holds characters no page of ours has). Check the link, or start from the overview.',
  },
  notices: {
    'ended-mfa_changed': {
      kind: 'info',
      text: 'Your MFA devices changed, so you were signed out here: a device was added or removed in another session, or by an administrator. Log in again.',
    },
    'ended-password_changed': {
      kind: 'info',
      text: 'You were signed out here because the password of your account was changed. Log in with the new one.',
    },
    'ended-signed_out_elsewhere': {
      kind: 'info',
      text: 'You were signed out here from another session of your account. If that was not you, log in and change your password.',
    },
    'ended-account_changed': {
      kind: 'info',
      text: 'You were signed out here because an administrator changed how you sign in. Log in again.',
    },
    'ended-expired': { kind: 'info', text: 'Your session expired. Log in again.' },
    'recovery-cancelled': { kind: 'success', text: 'The request to unbind MFA is cancelled. Your device stays bound.' },
    bound: { kind: 'success', text: 'Virtual MFA is bound. The next login will ask for a dynamic code.' },
    unbound: { kind: 'success', text: 'Virtual MFA is unbound. Codes from that device no longer work.' },
    'passkey-added': { kind: 'success', text: 'The passkey is added: use it at your next login.' },
    'signed-out': { kind: 'info', text: 'You are signed out.' },
    welcome: { kind: 'success', text: 'Your account is ready. Bind a virtual MFA device to protect it.' },
    expired: { kind: 'info', text: 'That login expired or ran out of tries. Enter your password again.' },
    protection: { kind: 'success', text: 'Account protection saved.' },
    profile: { kind: 'success', text: 'Profile saved.' },
    password: { kind: 'success', text: 'Password changed. Your other sessions were signed out.' },
    'session-ended': { kind: 'success', text: 'That session was signed out.' },
    'others-ended': { kind: 'success', text: 'Every other session was signed out.' },
    'password-reset': { kind: 'success', text: 'Your password was changed. Log in with the new one.' },
    'recovery-used': {
      kind: 'info',
      text: 'You signed in with a recovery code. Lost the phone? Unbind the old device (a recovery code does it), then bind the new phone.',
    },
  } satisfies Record<string, Notice>,
};
