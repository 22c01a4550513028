/** API error messages of accounts (English, the source). Keys name the situation; values are shown to people. */
export const accountsErrors = {
  noUserLogsInAs: (login: string) => `No user logs in as ${login}.`,
  notOperator: (email: string) => `${email} is not a support operator.`,
  reasonRequired: 'Give a reason (--reason): it goes into the audit log and the e-mail.',
  currentPasswordRequired: 'To set a new password, enter the current one too (currentPassword).',
  tooManyWrongPasswords: 'Too many wrong passwords. Try again later.',
  currentPasswordWrong: 'The current password is not correct.',
  emailTakenLogIn: 'An account with this email already exists. Log in instead.',
  emailTaken: 'An account with this email already exists.',
  tooManySignUps: 'Too many sign-ups from your network. Try again later.',
  signUpClosed: 'Sign-up is closed on this server. Ask an operator for an account.',
  sessionEnded: 'Your session has ended. Log in again.',
  nothingToChange: 'Nothing to change: send displayName, email, phone, password or locale.',
  passwordOnlySpaces: 'A password cannot be only spaces.',
  passwordTooCommon:
    'This password is one of the most common ones, which attackers try first. Choose another: a few unrelated words work well.',
  resetLinkExpired: 'This reset link has expired or was already used. Ask for a new one.',
  tooManyResetRequests: 'Too many reset requests from your network. Try again later.',
  tooManyResetAttempts: 'Too many reset attempts from your network. Try again later.',
};
