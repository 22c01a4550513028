import type { SensitiveOperationId } from '../../../domain/step-up/sensitive-operations.js';

/**
 * The user's own security: overview, Security Settings, step-up, binding and unbinding a device,
 * recovery codes (docs/design.md F1, F3, F10).
 */
export const securityTexts = {
  overview: {
    title: 'Overview',
    welcome: (name: string) => `Welcome, ${name}`,
    account: 'Account',
    alias: 'Account alias:',
    subUsersLogIn: 'Sub-users log in as',
    youLogIn: 'You log in as',
    firstCodes:
      'Your administrator bound this virtual MFA device for you, so you have no recovery codes yet. Make them now and keep them safe: they get you in if the phone is lost.',
    noCodesYet:
      'This virtual MFA device has no recovery codes yet. Make them now and keep them safe: they get you in if the phone is lost.',
    makeCodes: 'Make my recovery codes',
    security: 'Security',
    recommend: 'We strongly recommend binding a virtual MFA device: a leaked password alone then opens nothing.',
    workspaceBanner: 'A workspace you belong to requires MFA.',
    workspaceDeadline: (at: string) =>
      `Bind a virtual MFA device before ${at}; after that, you will have to bind one at login.`,
    bindNow: 'Bind now',
  },
  mfaCard: {
    title: 'Virtual MFA',
    text: 'A 6-digit dynamic code from an authenticator app (Google Authenticator, Microsoft Authenticator, …), asked at every login.',
    /** What the card says for the devices the person has (an empty list: what binding would add). */
    textFor: (types: string[]): string =>
      types.includes('webauthn')
        ? types.includes('totp')
          ? 'Your passkeys and authenticator apps: a passkey, or a 6-digit code from an app, is asked at every login.'
          : 'Your passkey (fingerprint, face, screen lock or security key), asked at every login.'
        : 'A 6-digit dynamic code from an authenticator app (Google Authenticator, Microsoft Authenticator, …), asked at every login.',
    since: 'since',
    unbind: 'Unbind',
    bind: 'Bind',
    devices: 'MFA devices',
  },
  security: {
    recoveryPending: 'A request to support to remove your virtual MFA device is open.',
    recoveryPendingUntil:
      'A request to support to remove your virtual MFA device is open: two operators approved it, and the device will be removed at',
    recoveryNotYou: 'If you did not ask for it, cancel it now.',
    title: 'Security Settings',
    heading: 'Account Management',
    settings: 'Security Settings',
    passwordTitle: 'Login password',
    passwordUsedWith: (login: string) => `Used with ${login}.`,
    passwordSet: 'Set',
    change: 'Change',
    protection: 'Account protection',
    loginScenario: 'Login',
    loginBound: 'Password, then the dynamic code from your virtual MFA device.',
    loginBoundPasskey: 'Password, then your passkey or a dynamic code; or your passkey alone.',
    loginUnbound: 'Password only. Bind a virtual MFA device to require a dynamic code too.',
    sensitiveScenario: 'Sensitive operations',
    sensitiveText:
      "Unbinding, changing your password, email or phone, managing users' sign-in, workspace MFA policies.",
    methods: {
      totp: 'Code from the authenticator app (TOTP)',
      webauthn: 'Passkey',
      device: 'One of your MFA devices: a code from an app, or a passkey',
      email: 'Code by email',
      sms: 'Code by SMS',
      password: 'Password',
    } as Record<string, string>,
  },
  stepUp: {
    title: 'Verify',
    heading: "Verify it's you",
    isSensitive: (purpose: string) => `${purpose} is a sensitive operation.`,
    totpIntro: 'Enter a code from your authenticator app.',
    passkeyIntro: 'Confirm with your passkey.',
    passkeyOrCode: 'Confirm with your passkey, or enter a code from your authenticator app below.',
    passkeyOnly: 'This needs your passkey: a code from an app is not enough here.',
    sent: (destination: string) => `We sent a 6-digit code to ${destination}. It is valid for 10 minutes.`,
    codeLabel: 'Verification code',
    sendAgain: 'Send a new code',
    emailTo: (destination: string) => `Email a code to ${destination}`,
    textTo: (destination: string) => `Text a code to ${destination}`,
    usePassword: 'Use your password instead',
    withPassword: 'Verify with password',
    verified: 'Verified',
    continueWith: (purpose: string) => `Thanks, that was you. Continue with: ${purpose.toLowerCase()}.`,
    continue: 'Continue',
    purposes: {
      bind: 'Binding a virtual MFA device',
      addDevice: 'Adding an MFA device or passkey',
      removeDevice: 'Removing an MFA device',
      enterPhishingResistant: 'Entering a workspace that requires a passkey',
      unbind: 'Unbinding the virtual MFA device',
      workspace: 'Entering or changing a workspace that requires MFA',
      enterWorkspace: 'Entering a workspace that requires MFA',
      users: 'Changing how a user signs in',
      protection: 'Changing how sensitive operations are verified',
      profile: 'Changing your email, phone or password',
      recoveryCodes: 'Making new recovery codes',
      sessions: 'Signing out everywhere else',
      policy: 'Changing a workspace MFA policy',
      deleteWorkspace: 'Deleting a workspace',
      realName: 'Submitting your real-name record',
      support: 'Deciding on a support request',
    },
    /** What a step-up continues, by the sensitive operation that asked for it (docs/sensitive-operations.md). */
    operations: {
      'mfa.bind': 'Binding a virtual MFA device',
      'mfa.unbind': 'Unbinding the virtual MFA device',
      'mfa.add_device': 'Adding an MFA device or passkey',
      'mfa.remove_device': 'Removing an MFA device',
      'mfa.regenerate_recovery_codes': 'Making new recovery codes',
      'sessions.end_others': 'Signing out everywhere else',
      'account.change_password': 'Changing your password',
      'account.change_email': 'Changing your email address',
      'account.change_phone': 'Changing your phone number',
      'account.change_protection': 'Changing how sensitive operations are verified',
      'users.change_sign_in': 'Changing how a user signs in',
      'users.delete': 'Deleting a user',
      'users.bind_mfa': 'Binding a virtual MFA device for a user',
      'users.reset_mfa': "Resetting a user's virtual MFA device",
      'users.remove_device': "Removing one of a user's MFA devices",
      'workspaces.change_policy': 'Changing a workspace MFA policy',
      'workspaces.delete': 'Deleting a workspace',
      'account.submit_real_name': 'Submitting your real-name record',
      'support.review_real_name': 'Deciding on a real-name record',
      'support.approve_recovery': 'Approving a lost-phone request',
      'support.reject_recovery': 'Rejecting a lost-phone request',
      'oidc.create_client': 'Registering an application',
      'oidc.change_client': "Changing an application's addresses",
      'oidc.delete_client': 'Deleting an application',
      'api_tokens.create': 'Creating an API token',
      'webhooks.create': 'Registering a webhook',
      'webhooks.rotate_secret': "Changing a webhook's signing secret",
    } satisfies Record<SensitiveOperationId, string> as Record<string, string>,
  },
  bind: {
    requiredByWorkspaces: (names: string[]) =>
      `${names.length === 1 ? `The workspace ${names[0]} requires` : `The workspaces ${names.join(', ')} require`} every member to use virtual MFA. Bind an authenticator app to continue; until then you can only sign out.`,
    requiredByAdministrator:
      'Your administrator requires virtual MFA for your login. Bind an authenticator app to continue; until then you can only sign out.',
    newKey:
      'This is a new key: the QR code or key shown before no longer works. If you scanned it already, remove that entry from your app and scan this one.',
    openInApp: 'Open in authenticator app',
    copyKey: 'Copy the key',
    copied: 'Copied',
    title: 'Bind virtual MFA',
    heading: 'Bind a virtual MFA device',
    required:
      'Your account requires virtual MFA. Bind an authenticator app to continue; until then you can only sign out.',
    steps: [
      'Install an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, or any TOTP app).',
      'We show a QR code and a key; add the account in the app by scanning or typing it.',
      'Confirm with two consecutive codes from the app.',
    ],
    showQr: 'Show the QR code',
    scan: '1. Scan the QR code',
    typeKey: 'Or type the key',
    keyHint: 'In the app choose "Enter a setup key", account',
    timeBased: ', time-based.',
    enterCodes: (two: boolean) => `2. Enter ${two ? 'two consecutive codes' : 'the code'}`,
    codesHint: (two: boolean): string =>
      two
        ? 'Enter the code the app shows now, wait until it changes (every 30 seconds), then enter the next one.'
        : 'Enter the code the app shows now.',
    expires: (at: string) => `This page expires at ${at}.`,
    firstCode: 'First code',
    nextCode: 'Next code',
    confirm: 'Confirm',
  },
  recoveryCodes: {
    title: 'Recovery codes',
    heading: 'Save your recovery codes',
    intro:
      'If you lose your phone, each of these codes stands in for a dynamic code once: to sign in, and to unbind the lost device. They are shown only now.',
    download: 'Download as a text file',
    print: 'Or print this page, or copy them to your password manager.',
    saved: 'I have saved these codes somewhere safe',
    continue: 'Continue',
    file: (issuer: string, login: string, codes: string[]) =>
      [`${issuer} recovery codes for ${login}`, '', ...codes, '', 'Each code works once. Keep them safe.', ''].join(
        '\n',
      ),
    left: (n: number) => `${n} left`,
    settingTitle: 'Recovery codes',
    settingText: 'Single-use codes for when the phone is lost.',
    regenerate: 'Make new codes',
    useOne: 'Use a recovery code',
    codeLabel: 'Recovery code',
    codePlaceholder: 'XXXXX-XXXXX',
    signIn: 'Sign in with the recovery code',
    unbindWithOne: 'Lost the phone? Unbind with a recovery code',
    stepUpWithOne: 'Phone not at hand? Verify with a recovery code (it is used up)',
    unbindButton: 'Unbind with the recovery code',
    required: 'Enter a recovery code (10 letters and digits, like 7KQ4M-Z2P9X).',
  },
  unbind: {
    title: 'Unbind virtual MFA',
    heading: 'Unbind the virtual MFA device',
    consequence:
      'After unbinding, codes from this device stop working and logins ask only for the password. To replace the device, unbind it, then bind the new one.',
    workspaces: (names: string) =>
      `You belong to workspaces that require MFA (${names}): without a device you cannot enter them until you bind one again.`,
    codeLabel: 'Current code from the app',
    oneCode: 'One current code both verifies it is you and confirms the unbinding.',
    submit: 'Unbind',
    passkeyOnly:
      'Your only MFA device is a passkey: there is no code to type here. Remove the passkey on the MFA devices page.',
    toDevices: 'Go to MFA devices',
  },
  confirm: {
    title: 'Confirm',
    deleteUser: (name: string) => `Delete ${name}?`,
    deleteUserText:
      'The user, its virtual MFA device and its sessions are removed. Its audit events stay. This cannot be undone.',
    deleteUserButton: 'Delete user',
    resetDevice: (name: string) => `Reset the virtual MFA device of ${name}?`,
    resetDeviceText:
      "The device and the user's recovery codes are removed and the user's sessions end at once. The user must bind a new device at the next login (this turns on Require virtual MFA for the user). The user is told by e-mail, with your reason.",
    resetButton: 'Reset virtual MFA',
    policyOn: (name: string) => `Require MFA for every member of ${name}?`,
    policyOnText: (unbound: number, grace: number) =>
      `${unbound} member${unbound === 1 ? ' has' : 's have'} no virtual MFA device. ${
        grace === 0
          ? 'They lose access to the workspace at once and are taken through binding at their next login.'
          : `They keep access for ${grace} day${grace === 1 ? '' : 's'}, then are taken through binding at their next login.`
      } Members without a device are told by e-mail.`,
    policyButton: 'Require MFA',
    passkeysOn: (name: string) => `Require passkeys from every member of ${name}?`,
    passkeysOnText: (without: number, grace: number) =>
      `${without} member${without === 1 ? ' has' : 's have'} no passkey. ${
        grace === 0
          ? 'They lose access to the workspace at once and are taken through adding one at their next login.'
          : `They keep access for ${grace} day${grace === 1 ? '' : 's'}, then are taken through adding one at their next login.`
      } Sessions that proved only a code from an app cannot enter it.`,
    passkeysButton: 'Require passkeys',
    reasonLabel: 'Reason',
    reasonPlaceholder: 'e.g. phone lost, ticket 4711',
  },
};
