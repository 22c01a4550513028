/** API error messages of sessions (English, the source). Keys name the situation; values are shown to people. */
export const sessionsErrors = {
  sessionNotFound: 'No such open session of yours.',
  passwordlessOff: 'Passwordless sign-in is turned off here.',
  invalidCredentials: 'The login or password is not correct.',
  tooManyLoginsFromNetwork: 'Too many failed logins from your network. Try again later.',
  tooManyLoginsForAccount: 'Too many failed logins for this account. Try again later.',
  loginExpired: 'This login has expired or ran out of tries. Enter your password again.',
  noPasskeyForLogin: 'No passkey is registered for this login.',
  tooManyPasskeySignIns: 'Too many passkey sign-ins from your network. Try again later.',
};
