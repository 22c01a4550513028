import type { devicesTexts } from '../devices.js';
import type { Notice } from '../common.js';

/**
 * Several MFA devices per person and passkeys (issue 22): Security Settings › MFA devices, adding an
 * authenticator app or a passkey, renaming and removing one, the passkey ceremony's own words, and
 * the page a phishing-resistant workspace sends a person to.
 */
export const devicesTextsZh: typeof devicesTexts = {
  devices: {
    title: 'MFA devices',
    breadcrumb: 'MFA devices',
    intro:
      'Every device here can prove it is you: at login, and for sensitive operations. Keep a second one (a passkey, or an authenticator app on another phone) so that losing one phone does not lock you out.',
    none: 'No MFA device yet. Add an authenticator app or a passkey: a leaked password alone then opens nothing.',
    types: { totp: 'Authenticator app', webauthn: 'Passkey' } as Record<string, string>,
    added: 'Added',
    lastUsed: 'Last used',
    neverUsed: 'never',
    rename: 'Rename',
    nameLabel: 'Name',
    namePlaceholder: 'e.g. Pixel 8, YubiKey 5C',
    nameRule: 'A device name is 1 to 64 characters, not only spaces.',
    saveName: 'Save the name',
    remove: 'Remove…',
    addHeading: 'Add a device',
    addApp: 'Add authenticator app',
    addAppText:
      'An app that shows 6-digit codes (Google Authenticator, Microsoft Authenticator, …): scan a QR code, then confirm with two consecutive codes.',
    addPasskey: 'Add passkey',
    addPasskeyText:
      'A passkey or security key (Touch ID, Windows Hello, an Android phone, a YubiKey): nothing to type, and a look-alike site cannot relay it.',
    optionalName: 'Name (optional)',
    addPasskeyNeedsScript: 'Adding a passkey needs JavaScript in this browser: turn it on for this site first.',
    addPasskeyUnsupported: 'This browser cannot create passkeys: add one from another browser.',
    limit: (max: number) =>
      `You have ${max} MFA devices, the most allowed. Remove one you no longer use to add another.`,
    passkeysUnavailable: 'Passkeys are not available on this server:',
    appHeading: 'Add an authenticator app',
    removeHeading: (name: string) => `Remove ${name}?`,
    removeText: (type: string) =>
      `It stops working at once: ${type === 'webauthn' ? 'the passkey no longer signs you in' : 'its codes no longer sign you in'}. Your other devices keep working. Your other sessions are signed out.`,
    removeOnlyPasskeyWorkspaces: (names: string) =>
      `This is your only passkey, and ${names.includes(', ') ? `the workspaces ${names} require` : `the workspace ${names} requires`} one: without it you cannot enter ${names.includes(', ') ? 'them' : 'it'} (an authenticator app is not enough) until you add a passkey again.`,
    removeLastText:
      'This is your last MFA device: your recovery codes are removed with it, your other sessions are signed out, and logins ask only for the password until you add a device again.',
    removeLastWorkspaces: (names: string) =>
      `You belong to workspaces that require MFA (${names}): without a device you cannot enter them until you add one again.`,
    removeButton: 'Remove the device',
    notFound: 'No such MFA device: it may have been removed already.',
    manage: 'MFA devices',
    count: (n: number) => (n === 1 ? '1 device' : `${n} devices`),
    notices: {
      'app-added': { kind: 'success', text: 'The authenticator app is added. Codes from it now work at login.' },
      'passkey-added': { kind: 'success', text: 'The passkey is added. Use it at your next login.' },
      renamed: { kind: 'success', text: 'Device renamed.' },
      removed: { kind: 'success', text: 'Device removed. It no longer works.' },
      'last-removed': {
        kind: 'success',
        text: 'Your last MFA device was removed, and your recovery codes with it. Logins ask only for the password now.',
      },
      'several-devices': {
        kind: 'info',
        text: 'You have several MFA devices: remove the one you mean here. The others keep working.',
      },
    } satisfies Record<string, Notice>,
  },
  passkeys: {
    registerTitle: 'Add a passkey',
    registerHeading: 'Create your passkey',
    registerIntro:
      'Click the button: your browser asks you to create a passkey for this account. Confirm with your fingerprint, face, screen lock or security key.',
    create: 'Create the passkey',
    expires: (at: string) => `This page expires at ${at}.`,
    needsScript:
      'Passkeys need JavaScript in this browser: turn it on for this site, or use a code from your authenticator app.',
    unsupported: 'This browser cannot use passkeys. Use a code from your authenticator app, or another browser.',
    /** Where no code is accepted, only a passkey. */
    needsScriptOnly:
      'Passkeys need JavaScript in this browser: turn it on for this site, or come back in a browser that runs it.',
    unsupportedOnly: 'This browser cannot use passkeys: come back in another browser.',
    /** Where a recovery code is the only other way. */
    needsScriptOrRecovery:
      'Passkeys need JavaScript in this browser: turn it on for this site, or use one of your recovery codes below.',
    unsupportedOrRecovery:
      'This browser cannot use passkeys: use another browser, or one of your recovery codes below.',
    /** The second step of a login whose only device is a passkey. */
    needsScriptSignIn:
      'Passkeys need JavaScript: this sign-in needs a browser with JavaScript turned on for this site to use your passkey. Without it, sign in with a recovery code below, or follow "Unbind MFA" if you lost the device.',
    unsupportedSignIn:
      'This browser cannot use passkeys: sign in from another browser, with a recovery code below, or follow "Unbind MFA" if you lost the device.',
    cancelled: 'The passkey did not answer: it was cancelled or timed out. Try again.',
    exists: 'This passkey is registered already: pick another one, or add an authenticator app.',
    failed: 'The passkey could not be used. Try again, or use a code from your authenticator app.',
    noAnswer: 'The passkey did not answer. Try again.',
    /** Where no app code would be accepted instead. */
    failedNoCode: 'The passkey could not be used. Try again.',
    use: 'Use your passkey',
    orCode: 'or enter a code',
    requiredTitle: 'Passkey required',
    requiredHeading: 'Add a passkey to continue',
    requiredByWorkspaces: (names: string[]) =>
      `${names.length === 1 ? `The workspace ${names[0]} requires` : `The workspaces ${names.join(', ')} require`} phishing-resistant MFA: a passkey, which a look-alike site cannot relay the way it can relay a code. Add one now; until then you can only sign out.`,
    requiredByPolicy:
      'A workspace you belong to requires phishing-resistant MFA: a passkey, which a look-alike site cannot relay the way it can relay a code. Add one now; until then you can only sign out.',
    instead: 'Or add a passkey instead',
    noPasskeyForWorkspace:
      'This workspace requires a passkey, and you have none yet: add one under MFA devices, then come back.',
    /** The overview's and Security Settings' banner while a workspace's grace period runs. */
    deadlineBanner: (workspace: string) => `The workspace ${workspace} requires a passkey from`,
    addOneUnder: 'add one under',
  },
};
