/** API error messages of mfa (English, the source). Keys name the situation; values are shown to people. */
export const mfaErrors = {
  deviceNotFound: 'No such MFA device: it may have been removed already.',
  notBound: 'No virtual MFA device is bound.',
  severalDevices: 'You have several MFA devices: remove the one you mean under Security Settings › MFA devices.',
  noAuthenticatorApp: 'No authenticator app is bound: remove your passkey under Security Settings › MFA devices.',
  userHasNoDevice: 'This user has no virtual MFA device bound.',
  enterCodes: (count: number) =>
    `Enter ${count === 2 ? 'two consecutive codes' : 'one code'} from your authenticator app.`,
  noRecoveryCodes: 'No virtual MFA device is bound, so there are no recovery codes.',
  bindFirstForRecoveryCodes: 'Bind a virtual MFA device first; recovery codes belong to it.',
  tooManyDevices: (max: number) =>
    `You already have ${max} MFA devices, the most allowed. Remove one you no longer use first.`,
  passkeyRequired: 'A workspace you belong to requires a passkey: add a passkey or security key to go on.',
  alreadyBound: 'A virtual MFA device is already bound. Unbind it first to bind a new one, or add another device.',
  bindingNotFound: 'This binding was not found. Start binding again.',
  bindingExpired: 'This binding expired (10 minutes). Start binding again and scan the new QR code.',
  registrationNotFound: 'This registration was not found. Start adding the passkey again.',
  registrationExpired: 'This registration expired. Start adding the passkey again.',
  passkeyAlreadyRegistered: 'This passkey is already registered.',
};
