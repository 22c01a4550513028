import type { recoveryTexts } from '../recovery.js';
import type { Notice } from '../common.js';

/**
 * Lost-device recovery: the real-name record, identity facts and the "Unbind MFA" request
 * (docs/design.md F7, F8).
 */
export const recoveryTextsZh: typeof recoveryTexts = {
  realName: {
    title: 'Real-name verification',
    heading: 'Real-name verification',
    intro:
      'Support can remove the virtual MFA device of a lost phone only for a primary account whose real-name record is verified. Your ID and licence numbers are stored encrypted; support sees only whether what you state later matches, and the last 4 digits.',
    status: 'Status',
    states: { none: 'Not submitted', pending: 'Waiting for review', verified: 'Verified', rejected: 'Rejected' },
    idLast4: 'ID number ending in',
    note: 'Note from support',
    submit: 'Submit for review',
    resubmit: 'Submit a new record',
    subUser: 'Sub-users have no real-name record: if you lose your device, your primary account resets it.',
    notices: {
      submitted: { kind: 'success', text: 'Your record was submitted. Support will review it.' },
    } satisfies Record<string, Notice>,
    card: 'Real-name verification',
    cardText: 'Needed to ask support to unbind MFA if you lose your phone and your recovery codes.',
    open: 'Real-name record',
  },
  facts: {
    type: 'Type',
    personal: 'Personal',
    enterprise: 'Enterprise',
    name: 'Full name (as on the ID)',
    idNumber: 'ID number',
    phone: 'Phone number',
    companyName: 'Company name (enterprise)',
    licenseNumber: 'Business licence number (enterprise)',
  },
  recovery: {
    title: 'Unbind MFA',
    heading: 'Unbind MFA: lost phone',
    intro:
      'Lost the phone with your authenticator app and your recovery codes? A primary account with a verified real-name record can ask support to remove the virtual MFA device. Two support operators review the request; then, after a waiting period, the device is removed and you bind a new phone at your next login.',
    recoveryFirst: 'Still have a recovery code? Use it on the login page instead: it is faster.',
    subUsers: 'Sub-users: ask the primary account (or a user administrator) of your organisation to reset your device.',
    login: 'Login (the email of the primary account)',
    loginRequired: 'Enter the login of the account.',
    sendCode: 'E-mail me a code',
    codeSentTo: (login: string) =>
      `If ${login} is a primary account with an e-mail address, a 6-digit code is on its way to it (valid 10 minutes).`,
    eligibleIntro: 'Support can remove the device only when both are true for your account:',
    eligibleRealName:
      'it has a verified real-name record (Account Management › Security Settings › Real-name verification), and',
    eligibleContact:
      'its e-mail address and phone number have not changed in the last 7 days (a recent change blocks requests for a week).',
    contactSupport: 'Neither true, or no recovery code? Contact support',
    noSupportContact:
      'If neither is true and you have no recovery code left, ask the person who runs this service: only they can help then.',
    newCode: 'Send a new code',
    newCodeSent: 'A new code is on its way. Use the newest one.',
    newCodeTooSoon:
      'Too soon for another code: the code already in your mailbox still works for 10 minutes. Enter it above.',
    chooseFilesAgain: 'Choose your files again: a browser never keeps them after a refused form.',
    fileTooLarge: (mb: number) =>
      `Each file may be at most ${mb} MB. Choose a smaller photo, or take it again at a lower resolution.`,
    tooManyFiles: 'Choose at most 3 files.',
    expired: 'This form has expired (its code lives 10 minutes). Enter your login again for a new code.',
    code: 'Code from the e-mail',
    ticketTitle: 'Title',
    ticketTitleValue: 'Unbind MFA: lost phone',
    description: 'What happened',
    files: (mb: number) =>
      `Evidence: a photo of you holding your ID card, a business licence scan (JPEG, PNG or PDF, up to 3 files of ${mb} MB each)`,
    consent:
      'I agree that support processes my ID number and these files only to handle this request; the files are deleted 30 days after it closes.',
    submit: 'Submit the request',
    submittedHeading: 'Request submitted',
    submitted:
      'Support will review it. Every address on record was e-mailed with a link to cancel the request. Bookmark the status link below: it is shown only once.',
    statusLink: 'Request status',
    statusHeading: 'Request status',
    states: {
      submitted: 'Submitted: waiting for review',
      awaiting_second_approval: 'Approved once: waiting for a second operator',
      cooling_off: 'Approved: the device will be removed after the waiting period',
      completed: 'Completed: the device was removed; log in and bind your new phone',
      rejected: 'Rejected',
      cancelled: 'Cancelled',
    },
    effectiveAt: 'Device removed on',
    willBeRemovedAt: 'The device will be removed at',
    stillCancellable: 'Until then, a login with your dynamic code or the link in our e-mail cancels the request.',
    alreadyCancelled: 'This request was already cancelled. Your device stays bound; nothing more to do.',
    alreadyClosed: (state: string) => `This request is closed (${state}): there is nothing left to cancel.`,
    cancelHeading: 'Cancel the request to unbind MFA',
    cancelIntro:
      'Someone asked support to remove the virtual MFA device of your account. If it was not you, or you found your phone, cancel it.',
    cancel: 'Cancel the request',
    cancelled: 'The request is cancelled. Your device stays bound.',
    invalidLink: 'This link is not valid.',
    backToLogin: 'Back to login',
  },
};
