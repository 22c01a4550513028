/** API error messages of oidc (English, the source). Keys name the situation; values are shown to people. */
export const oidcErrors = {
  nameRequired: 'Give the application a name (1 to 100 characters).',
  tooManyUris: (max: number) => `Give at most ${max} addresses.`,
  /** `problem` is the field's reason (English, from redirectUriProblem); `label` names the list, or is empty. */
  uriProblem: (label: string, uri: string, problem: string) => `${label ? `${label} ` : ''}${uri} ${problem}.`,
  redirectUriRequired: 'Give at least one redirect URI.',
  uriProblems: {
    tooLong: 'is longer than 2000 characters',
    notAbsolute: 'is not an absolute URL',
    fragment: 'must not have a #fragment (RFC 6749 §3.1.2)',
    credentials: 'must not carry a user name or password',
    notHttps: 'must use https (http only on localhost, 127.0.0.1 or [::1])',
  },
  noPrimaryAccount: (email: string) => `No primary account logs in as ${email}.`,
  noWorkspaceInAccount: (workspaceId: string, email: string) =>
    `No workspace ${workspaceId} in the account of ${email}.`,
  noClientId: (clientId: string) => `No application has the client ID ${clientId}.`,
  onlyPrimaryManages: 'Only the primary account registers and manages applications.',
  clientNotFound: 'No such application in your account.',
  workspaceNotFound: 'No such workspace in your account.',
};
