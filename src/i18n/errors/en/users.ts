/** API error messages of users (English, the source). Keys name the situation; values are shown to people. */
export const usersErrors = {
  sessionEnded: 'Your session has ended. Log in again.',
  onlyAdminsManage: 'Only the primary account and user administrators manage users.',
  notFound: 'No such user in this account.',
  primaryAccountNotAUser: 'The primary account is managed under Account Management, not as a user.',
  adminsNotThemselves: 'Administrators cannot manage themselves through user management; use Account Management.',
  onlyPrimaryManagesAdmins: 'Only the primary account manages other user administrators.',
  usernameTaken: (username: string) => `The username ${username} is taken in this account.`,
  onlyPrimaryGrantsRoles: 'Only the primary account grants or removes roles.',
  noEmailForReset: 'This user has no e-mail address: set one first, or set a new password yourself.',
  disabled: 'This user is disabled: enable it first.',
  resetLinkSentRecently: 'A link went to this address less than a minute ago. Wait a minute before sending another.',
};
