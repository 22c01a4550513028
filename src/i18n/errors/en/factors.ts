/** API error messages of factors (English, the source). Keys name the situation; values are shown to people. */
export const factorsErrors = {
  sentCodeInvalid:
    'The code is not valid: it may be mistyped, expired (10 minutes), already used, or out of tries. Ask for a new code.',
  passkeyNotVerified: 'The passkey could not be verified. Try again, or use a code from your authenticator app.',
  passkeysNeedDomain: (origin: string) =>
    `Passkeys need a domain name: TWOFOLD_PUBLIC_URL is ${origin}, and a WebAuthn relying party cannot be an IP address. Use a host name (http://localhost works for trials).`,
  passkeysNeedHttps: (origin: string) =>
    `Passkeys need https: TWOFOLD_PUBLIC_URL is ${origin}, and browsers allow WebAuthn only on https (or http://localhost).`,
  codeClockSkew:
    "The code is not valid. It matches a time a few minutes away, so your phone's clock looks off: turn on automatic date and time (network time) on the phone, then enter the new code.",
  codeInvalid:
    'The code is not valid or was already used. Wait for the next code in your authenticator app and try again.',
  locked: (seconds: number) =>
    `Too many wrong codes. Second-factor checks for this account are paused; try again in ${seconds > 3600 ? 'a while (an operator can unlock it)' : `${seconds} seconds`}.`,
  recoveryCodeInvalid: 'The recovery code is not valid or was already used. Each code works once; check for typos.',
  tooManyWrongPasswords: 'Too many wrong passwords. Try again later.',
  passwordWrong: 'The password is not correct.',
};
