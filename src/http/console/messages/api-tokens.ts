import type { ApiScope } from '../../../domain/api-tokens/scopes.js';
import type { Notice } from './common.js';

/**
 * The API tokens page (/api-tokens, issue 24): a person's tokens for scripts — the list, creating
 * one (a fresh step-up, the secret shown once), revoking one after a confirmation.
 */
export const apiTokensTexts = {
  apiTokens: {
    nav: 'API tokens',
    title: 'API tokens',
    intro:
      'A token lets a script or another system (an HR system that creates and disables users, a nightly report) call the twofold API without your password or a code.',
    rights:
      'A token acts with your rights, narrowed to the scopes you give it. It never verifies itself for sensitive operations, and never changes a password, an e-mail address, a phone number or a device.',
    none: 'No API token yet. Create one below when a script needs to call the API.',
    columns: {
      name: 'Name',
      scopes: 'Scopes',
      created: 'Created',
      expires: 'Expires',
      lastUsed: 'Last used',
    },
    never: 'Never',
    endsIn: (days: number) => (days <= 0 ? 'ends today' : days === 1 ? 'ends tomorrow' : `ends in ${days} days`),
    /** The scopes in a few words, as the list shows them (the form shows the catalogue's descriptions). */
    scopeLabels: {
      'users:read': 'Read users',
      'users:write': 'Manage users',
      'mfa:reset': 'Reset MFA',
      'audit:read': 'Read the audit log',
      'workspaces:read': 'Read workspaces',
      'workspaces:write': 'Manage workspaces',
    } satisfies Record<ApiScope, string>,
    /** What each scope allows, on the form. */
    scopeDescriptions: {
      'users:read': 'Read sub-users and their MFA state',
      'users:write': 'Create, rename, disable, enable and delete sub-users',
      'mfa:reset': "Reset a sub-user's MFA, with a reason",
      'audit:read': 'Read the audit log',
      'workspaces:read': 'Read workspaces and their members',
      'workspaces:write': 'Create, change and delete workspaces and their members',
    } satisfies Record<ApiScope, string>,
    revoke: 'Revoke…',
    revokeHeading: (name: string) => `Revoke the API token ${name}?`,
    revokeText:
      'Scripts and systems using it stop working at once: their next call is refused, on every twofold server. This cannot be undone; a new token has a new secret.',
    revokeButton: 'Revoke the token',

    createHeading: 'Create a token',
    nameLabel: 'Name',
    nameHint: 'Say what uses it: you will see it in this list, in e-mails and in the audit log.',
    namePlaceholder: 'e.g. HR sync, nightly report',
    scopesLabel: 'Scopes',
    scopesHint: 'Choose at least one: only what the script needs.',
    expiryLabel: 'Expires after',
    expiryHint: (max: number) => `At most ${max} days. You get an e-mail 7 days before it ends; then create a new one.`,
    days: (n: number) => `${n} days`,
    create: 'Create the token',
    stepUpNote: 'Creating a token asks for a fresh verification. Its secret is shown once.',

    createdTitle: 'API token created',
    createdIntro: (name: string, until: string) => `${name} works until ${until}, with these scopes:`,
    secretHeading: 'The token',
    secretOnce:
      'Copy the token now: it is not shown again. twofold keeps only a hash of it; if it is lost, revoke it and create another. Keep it where your script reads its secrets, never in its code.',
    copy: 'Copy the token',
    copied: 'Copied',
    tryHeading: 'Try it',
    tryIntro: 'Send it as a bearer token:',
    tryNoRead:
      'This token has no read scope, so this very call is refused (403 token.scope); the header is the same for the calls it may make.',
    done: 'I have copied the token: back to the list',

    forbidden: 'Only the primary account and user administrators create API tokens.',
    notFound: 'No such working API token of yours: it may have been revoked or have ended already.',
    notices: {
      revoked: { kind: 'success', text: 'Token revoked. Calls made with it are refused from now on.' },
      'already-created': {
        kind: 'info',
        text: 'That form was sent already: its token was created and its secret shown once. If you did not copy it, revoke the token and create another.',
      },
    } satisfies Record<string, Notice>,
  },
};
