/** API error messages of recovery (English, the source). Keys name the situation; values are shown to people. */

/** A ticket's status as words: `awaiting_second_approval` → `awaiting second approval`. */
const words = (status: string) => status.replace(/_/g, ' ');

export const recoveryErrors = {
  // Support operators (support.service.ts, operators.ts, real-names.service.ts)
  operatorsOnly: 'Only support operators can see or handle this.',
  noSuchTicket: 'No such ticket.',
  ownTicket: 'Operators cannot handle a ticket of their own account.',
  noSuchEvidenceFile: 'No such file (evidence is deleted 30 days after a ticket closes).',
  imagesOnly: 'Only images are shown on the page; download this file instead.',
  cannotApprove: (status: string) => `This ticket is ${words(status)}: it cannot be approved.`,
  cannotReject: (status: string) => `This ticket is ${words(status)}: it cannot be rejected.`,
  secondOperatorMustApprove: 'You approved this ticket already: a second, different operator must approve it.',
  approvedAlready: 'You approved this ticket already.',
  ownRealName: 'Operators cannot review the real-name record of their own account.',
  noRealName: 'This account has no real-name record.',
  realNameAlready: (status: string) => `This record is already ${status}.`,
  subUserNoRealName: 'Sub-users have no real-name record: if you lose your device, your primary account resets it.',
  // Identity facts (evidence.ts)
  identityFactsIncomplete: 'Fill in every field of the identity facts.',
  idNumberTooShort: 'The ID number is too short.',
  // The applicant's ticket (tickets.service.ts)
  tooManyWrongCodes: 'Too many wrong codes. Wait before trying again.',
  wrongEmailCode: 'The e-mail code is wrong, expired or already used. Ask for a new one if needed.',
  noSuchTicketOrLink: 'No such ticket, or the link is not valid.',
  realNameRequired:
    'This account has no verified real-name record, so support cannot check your identity. Recover with a recovery code, or ask the person who runs this service.',
  ticketOpenWait: 'A request for this account is already open. Wait for it, or cancel it with the link in our e-mail.',
  ticketOpen: 'A request for this account is already open.',
  recentContactChange:
    'The email address or phone number of this account changed in the last 7 days, so a ticket cannot be opened yet. Try again later, or contact support.',
  tooManyCodes: 'Too many codes were asked for. Wait before asking for another one.',
  codeSentRecently:
    'A code was sent less than a minute ago: it still works for 10 minutes. Wait a minute before asking for another one.',
  tooManyFromNetwork: 'Too many requests from your network. Try again later.',
  fileTooLarge: (name: string, megabytes: number) => `${name} is larger than ${megabytes} MB.`,
  notEvidenceType: (name: string) => `${name} is not a JPEG, PNG or PDF file.`,
  tooManyFiles: (max: number) => `Attach at most ${max} files.`,
  nothingToCancel: 'There is no open request to cancel.',
  requestAlready: (status: string) => `This request is already ${words(status)}.`,
  noLongerCancellable: 'This request can no longer be cancelled.',
};
