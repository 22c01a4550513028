import type { applicationsTexts } from '../applications.js';
import type { Notice } from '../common.js';

/**
 * Applications (issue 23): the OpenID Connect clients a primary account registers — the list, the
 * registration form, the secret shown once, changing and deleting one.
 */
export const applicationsTextsZh: typeof applicationsTexts = {
  applications: {
    nav: 'Applications',
    title: 'Applications',
    intro:
      'Applications that sign your users in through twofold with OpenID Connect: they get who signed in and how (password, dynamic code or passkey), never a password or a code.',
    none: 'No application yet. Register one below.',
    columns: {
      name: 'Name',
      type: 'Type',
      clientId: 'Client ID',
      redirectUris: 'Redirect URIs',
      workspace: 'Workspace',
      firstParty: 'First-party',
      created: 'Registered',
    },
    types: { public: 'Public', confidential: 'Confidential' } as Record<string, string>,
    typeHint:
      'Confidential: runs on a server that can keep a client secret. Public: runs in the browser or on a phone (a single-page or native app); it has no secret and signs in with PKCE.',
    yes: 'Yes',
    no: 'No',
    firstPartyYes: 'Yes: its users see no consent screen',
    firstPartyNo: 'No: each user allows it once',
    anyUser: 'Whole account',
    unknownWorkspace: 'A removed workspace (nobody can sign in)',

    registerHeading: 'Register an application',
    nameLabel: 'Name',
    namePlaceholder: 'e.g. Wiki, Grafana',
    redirectUrisLabel: 'Redirect URIs',
    redirectUrisHint:
      'One per line, at most 10: https, or http only on localhost, 127.0.0.1 or [::1]. Matched exactly; no #fragment.',
    postLogoutLabel: 'Post-logout redirect URIs',
    postLogoutShort: 'After sign-out',
    postLogoutHint: 'Optional, one per line: where the application may send people after they sign out.',
    typeLabel: 'Type',
    workspaceLabel: 'Workspace',
    workspaceHint: 'Optional: only the members of this workspace may sign in, under its MFA policy.',
    workspaceNone: 'None: every user of the account',
    firstPartyLabel: 'My own application: no consent screen',
    firstPartyHint: 'Tick this only for an application you run yourself: its users are never asked to allow it.',
    register: 'Register the application',
    stepUpNote: 'Registering and deleting an application ask for a fresh verification.',

    createdTitle: 'Application registered',
    createdIntro: (name: string) => `${name} is registered. Configure it with these values:`,
    clientId: 'Client ID',
    clientSecret: 'Client secret',
    issuer: 'Issuer',
    discovery: 'Discovery URL',
    secretOnce:
      'Copy the client secret now: it is not shown again. twofold keeps only a hash of it; if it is lost, delete the application and register it again.',
    copied: 'I have copied the secret: continue',
    publicNoSecret: 'A public application has no client secret: it signs in with PKCE (S256).',
    secretShownOnce: 'Its client secret was shown once, when it was registered; twofold cannot show it again.',

    breadcrumb: 'Applications',
    facts: 'Settings for the application',
    editHeading: 'Change the application',
    save: 'Save the changes',
    back: 'Back to the applications',
    dangerHeading: 'Delete the application',
    deleteIntro: 'Its users can no longer sign in to it through twofold.',
    delete: 'Delete…',
    deleteHeading: (name: string) => `Delete ${name}?`,
    deleteText:
      'It stops working at once: its sign-ins, grants and tokens (access and refresh tokens) are revoked, and its client ID and secret no longer work. Its users can no longer sign in to it through twofold. This cannot be undone.',
    deleteButton: 'Delete the application',

    notFound: 'No such application in your account.',
    typeRule: 'Choose the type of the application: confidential or public.',
    tooLong: (label: string) => `${label}: the list is too long (at most 10 addresses).`,
    notices: {
      created: {
        kind: 'success',
        text: 'Application registered. Configure it with the client ID and the issuer below; a public application has no secret and signs in with PKCE.',
      },
      saved: { kind: 'success', text: 'Application changed.' },
      deleted: {
        kind: 'success',
        text: 'Application deleted. Its sign-ins, grants and tokens are revoked.',
      },
    } satisfies Record<string, Notice>,
  },
};
