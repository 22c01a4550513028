import type { oidcTexts } from '../oidc.js';
/**
 * twofold as an OpenID Provider (issue 23): the pages an application's sign-in passes through
 * (consent, refusal, return, sign-out).
 */
export const oidcTextsZh: typeof oidcTexts = {
  oidc: {
    signInFor: (app: string) => `Sign in to continue to ${app}.`,
    signInAgainFor: (app: string) => `${app} asks you to sign in again, with every factor you have.`,
    continueTitle: 'Returning to the application',
    continueText: (app: string) => `You are signed in. Returning to ${app}…`,
    continueLink: 'Continue',
    consentTitle: 'Allow access',
    consentHeading: (app: string) => `${app} wants to sign you in`,
    consentIntro: (login: string) => `Signed in as ${login}. If you allow it, the application receives:`,
    consentNote:
      'You are asked once per application. Deleting the application, disabling your account or a new password ends its access.',
    allow: 'Allow',
    deny: 'Cancel',
    scopes: {
      openid: 'Your user id in twofold, and how you signed in (password, dynamic code or passkey)',
      profile: 'Your name and login name',
      email: 'Your e-mail address',
      offline_access: 'Staying signed in while you are away (a refresh token)',
    } as Record<string, string>,
    refusedTitle: 'Sign-in not possible',
    refused: {
      other_account:
        'This application does not exist, or it is not available to your account. Go back to the application, or sign in to twofold with another account.',
      not_member: (app: string, workspace: string) =>
        `${app} is only open to the members of the workspace ${workspace}, and you are not a member. Ask its owner to add you.`,
      disabled: 'This account is disabled. Ask your administrator.',
    },
    signInAsOther: 'Sign in with another account',
    backToApp: 'Back to the application',
    passkeyTitle: 'A passkey is required',
    passkeyNeeded: (app: string) =>
      `${app} requires a passkey (phishing-resistant MFA). Verify with one of your passkeys to continue.`,
    noPasskey: (app: string) =>
      `${app} requires a passkey (phishing-resistant MFA), and you have none yet. Add one under Security Settings › MFA devices, then sign in to the application again.`,
    addPasskey: 'Add a passkey',
    purposePasskey: (app: string) => `Signing in to ${app}`,
    expiredTitle: 'This sign-in has expired',
    expired:
      'This sign-in request is no longer valid (it expired or was already used). Go back to the application and sign in again.',
    errorTitle: 'The application sent an invalid request',
    badRedirect:
      'The application asked to return to an address it has not registered with twofold. Nothing was sent to it. Tell its developers.',
    errorText: (description: string) =>
      `twofold could not continue: ${description} Nothing was sent to the application. Tell its developers, or go back and try again.`,
    logoutTitle: 'Sign out',
    logoutText: 'Sign out of twofold too, in this browser? Other applications you signed in to may keep you signed in.',
    logoutTextFor: (app: string) =>
      `You signed out of ${app}. Sign out of twofold too, in this browser? Other applications you signed in to may keep you signed in.`,
    logoutYes: 'Sign out of twofold',
    logoutNo: 'Stay signed in to twofold',
    loggedOutTitle: 'Signed out',
    loggedOut: 'You are signed out.',
    signInToTwofold: 'Sign in to twofold',
    backTo: (app: string) => `Back to ${app}`,
    switchFor: (app: string) => `Sign in with another account to continue to ${app}.`,
    bindFor: (app: string) =>
      `${app} requires a second factor. Bind an authenticator app to continue to ${app}; you go back to it afterwards.`,
    cancelled: 'The user did not allow the application.',
    notAllowed: 'The user may not sign in to this application.',
  },
};
