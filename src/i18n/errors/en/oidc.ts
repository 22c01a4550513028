/** API error messages of oidc (English, the source). Keys name the situation; values are shown to people. */
export const oidcErrors = {
  nameRequired: 'Give the application a name (1 to 100 characters).',
  tooManyUris: (max: number) => `Give at most ${max} addresses.`,
  /** `problem` is the field's reason (English, from redirectUriProblem); `label` names the list, or is empty. */
  uriProblem: (label: string, uri: string, problem: string) => `${label ? `${label} ` : ''}${uri} ${problem}.`,
  redirectUriRequired: 'Give at least one redirect URI.',
  noPrimaryAccount: (email: string) => `No primary account logs in as ${email}.`,
  noWorkspaceInAccount: (workspaceId: string, email: string) =>
    `No workspace ${workspaceId} in the account of ${email}.`,
  noClientId: (clientId: string) => `No application has the client ID ${clientId}.`,
  onlyPrimaryManages: 'Only the primary account registers and manages applications.',
  clientNotFound: 'No such application in your account.',
  workspaceNotFound: 'No such workspace in your account.',
};
