/** API error messages of the HTTP layer (English, the source). Keys name the situation; values are shown to people. */
export const httpErrors = {
  // The request itself (plugins/errors.ts, app.ts)
  invalidRequestFields: (fields: string) => `The request is not valid: ${fields}`,
  invalidRequest: 'The request is not valid.',
  invalidPercentEncoding: 'The address is not valid percent-encoding (RFC 3986 §2.1).',
  paramTooLong: 'A part of the address is longer than any id of ours.',
  invalidJson: 'The body is not valid JSON.',
  emptyBody: 'The body is empty; send a JSON object.',
  bodyTooLarge: 'The body is too large (limit 64 KiB).',
  sendJson: 'Send the body as application/json.',
  nulCharacter: 'The request contains a NUL character.',
  noRoute: (method: string, path: string) => `No route ${method} ${path}.`,
  headersTooLarge: 'The request headers are too large.',
  timeout: 'The request did not arrive in time.',
  invalidHttp: 'The request is not well-formed HTTP.',
  busy: 'The service is busy with other requests for the same account. Nothing was changed; try again in a moment.',
  databaseUnreachable:
    'The service cannot reach its database right now. Nothing was changed; try again in a few seconds.',
  internal: 'Something went wrong on our side. The error was logged.',
  // Uploads (plugins/multipart.ts)
  tooManyUploads:
    'The service is receiving as many uploads as it takes at once. Nothing was changed; try again in a moment.',
  filesInEvidenceParts: 'Files go in parts named "evidence".',
  fileTooLarge: (megabytes: number) => `Each file may be at most ${megabytes} MB.`,
  tooManyParts: 'The form has too many parts.',
  malformedMultipart: 'The multipart/form-data body is malformed (no boundary, or truncated).',
  // Who is calling (plugins/auth.ts)
  tokenMalformed: 'This API token is malformed: copy it again, all of it (tfk_…).',
  tokenNotAllowed: 'This call cannot be made with an API token.',
  tokenUnknown: 'This API token is unknown, revoked or expired, or its owner is disabled.',
  tokenScope: (scope: string) => `This call needs an API token with the scope ${scope}.`,
  sessionMissing: 'Log in first: the session is missing, expired or signed out.',
  otherSite: 'This request came from another site and was refused.',
  bindFirst: 'Bind a virtual MFA device first: this session may only bind a device or sign out.',
  logInFirst: 'Log in first.',
  // Routes
  codesOrCredential: 'Send either codes (an authenticator app) or credential (a passkey).',
  codeOrRecoveryCode: 'Send either code (the dynamic code) or recoveryCode, not both or neither.',
  statusTokenMissing: 'Send the status token as Authorization: Bearer.',
  /** Not an error: POST /password-resets' answer, the same for every login. */
  resetLinkOnItsWay: 'If the login has an e-mail address on record, a reset link is on its way.',
};
