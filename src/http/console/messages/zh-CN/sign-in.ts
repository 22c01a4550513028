import type { signInTexts } from '../sign-in.js';
import type { Notice } from '../common.js';

/**
 * Signing up and in: sign-up, login, the dynamic-code step, password reset, and the phone-clock
 * hint (docs/design.md F2, F12).
 */
export const signInTextsZh: typeof signInTexts = {
  signup: {
    title: 'Sign up',
    heading: 'Create your account',
    intro: 'A primary account owns its sub-users and workspaces.',
    passwordLabel: 'Password',
    passwordHint: '(at least 8 characters)',
    submit: 'Create account',
    haveAccount: 'Already have an account?',
    logIn: 'Log in',
  },
  login: {
    title: 'Log in',
    heading: 'Log in',
    loginLabel: 'Email, or username@alias for a sub-user',
    submit: 'Log in',
    noAccount: 'No account yet?',
    signUp: 'Sign up',
    lostPhone: 'Lost the phone with your authenticator app? A sub-user asks its primary account to reset the device.',
    unbindMfa: 'Unbind MFA',
    invalid: 'The login or password is not correct.',
    or: 'or',
    passkey: 'Sign in with a passkey',
    passkeyInvalid:
      'That passkey did not sign you in: it belongs to no account here, or it did not verify you (fingerprint, face or PIN). Sign in with your password instead.',
  },
  reset: {
    forgot: 'Forgot password?',
    title: 'Reset password',
    heading: 'Reset your password',
    intro:
      'Enter your login. If it has an e-mail address on record, we send a link to choose a new password (valid 30 minutes).',
    subUsers: 'Sub-users without an e-mail address: ask the administrator of your account to set a new password.',
    send: 'Send the link',
    sentHeading: 'Check your e-mail',
    sent: 'If that login has an e-mail address on record, a link is on its way. It works once, for 30 minutes.',
    newHeading: 'Choose a new password',
    newIntro:
      'Every session of your account ends; log in again afterwards. A bound virtual MFA device still asks for its code.',
    newPassword: 'New password (at least 8 characters)',
    save: 'Set the new password',
    notices: {
      'link-used': {
        kind: 'info',
        text: 'That link has expired (30 minutes) or was already used. Enter your login below for a new one.',
      },
      'link-missing': {
        kind: 'info',
        text: 'Open the link from the e-mail to choose a new password: this page has no link (or it is over 30 minutes old). Ask for a new one here.',
      },
    } satisfies Record<string, Notice>,
  },
  codeStep: {
    recoveryPending:
      'A request to support to remove the virtual MFA device of this account is open. Entering your dynamic code cancels it.',
    title: 'Dynamic code',
    heading: 'Dynamic code',
    headingPasskey: 'Use your passkey',
    signingInAs: (login: string) => `Signing in as ${login}.`,
    intro: 'Open your authenticator app and enter the 6-digit code shown for this account.',
    introPasskey: 'Use your passkey, or enter the 6-digit code your authenticator app shows for this account.',
    introPasskeyOnly: 'Use your passkey to finish signing in.',
    passkeyExpired: 'This login has expired or ran out of tries. Start over with your password.',
    noPasskey:
      'No passkey is registered for this account any more. Use a code from your authenticator app or a recovery code.',
    triesLeft: (n: number) => (n === 1 ? 'This is the last try for this login.' : `${n} tries left for this login.`),
    submit: 'Verify',
    startOver: 'Not you? Start over',
  },
  clockHint: {
    title: 'Codes keep failing?',
    text: 'The phone\'s clock may be off. On the phone, turn on automatic date and time ("Set automatically" / "Use network-provided time"), then enter the newest code.',
  },
};
