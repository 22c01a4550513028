/** API error messages of stepUp (English, the source). Keys name the situation; values are shown to people. */
export const stepUpErrors = {
  /** `what` is the operation's description from sensitive-operations.ts (English for now). */
  required: (what: string) => `${what}: a sensitive operation. Verify it is you first (POST /me/step-up).`,
  noPasskey: 'No passkey is registered: verify another way.',
  noDeviceUsePassword: 'No virtual MFA device is bound; verify with your password instead.',
  deviceBound: 'An MFA device is bound: verify with it.',
  /** `methods` are the API's method names (totp, webauthn, email, sms, password). */
  verifyWith: (methods: readonly string[]) =>
    `Verify with ${methods.join(' or ')}: that is how this account protects sensitive operations.`,
  deviceAlwaysUsed: 'With a virtual MFA device bound, sensitive operations are always verified with it.',
  bindFirst: 'Bind a virtual MFA device first; sensitive operations then use it.',
  channelUnreachable: 'That channel cannot reach this account.',
  /** Not errors: GET /me/protection's note on how login is protected. */
  loginNoteBound: 'One of your MFA devices is always required at login.',
  loginNoteUnbound: 'Bind a virtual MFA device to require a dynamic code at login.',
};
