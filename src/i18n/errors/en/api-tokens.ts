/** API error messages of apiTokens (English, the source). Keys name the situation; values are shown to people. */
export const apiTokensErrors = {
  cannotMakeChange: 'An API token cannot make this change: sign in to the console and verify it is you.',
  cannotChangeUserFields: (fields: readonly string[]) =>
    `An API token cannot change a user's ${fields.join(', ')}: sign in to the console and verify it is you.`,
  resetNeedsReason: 'An MFA reset made with an API token needs a reason.',
  nameLength: 'Give the token a name of 1 to 100 characters.',
  chooseScope: 'Choose at least one scope.',
  /** `unknown` and `known`: scope names, joined with ", ". */
  unknownScopes: (unknown: string, known: string) => `Unknown scope ${unknown}: choose from ${known}.`,
  lifetime: (maxDays: number) => `A token lives 1 to ${maxDays} days.`,
  sessionEnded: 'Your session has ended. Log in again.',
  onlyAdminsCreate: 'Only the primary account and user administrators create API tokens.',
  tooMany: (max: number) => `You have ${max} working API tokens, the most one may have: revoke one you no longer use.`,
  cannotCreateTokens: 'An API token cannot create API tokens.',
  notFound: 'No such API token of yours.',
  noPrimaryAccount: (email: string) => `No primary account logs in as ${email}.`,
  noSubUser: (username: string, email: string) => `No sub-user ${username} in the account of ${email}.`,
  notUserAdmin: (username: string) => `${username} is not a user administrator: it cannot own tokens.`,
  userDisabled: 'That user is disabled.',
  noWorkingToken: (id: string) => `No working API token ${id}.`,
};
