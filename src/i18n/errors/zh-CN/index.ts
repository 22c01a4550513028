import type { errorTextsEn } from '../en/index.js';
import { accountsErrorsZh } from './accounts.js';
import { apiTokensErrorsZh } from './api-tokens.js';
import { factorsErrorsZh } from './factors.js';
import { mfaErrorsZh } from './mfa.js';
import { oidcErrorsZh } from './oidc.js';
import { recoveryErrorsZh } from './recovery.js';
import { sessionsErrorsZh } from './sessions.js';
import { stepUpErrorsZh } from './step-up.js';
import { usersErrorsZh } from './users.js';
import { verificationErrorsZh } from './verification.js';
import { webhooksErrorsZh } from './webhooks.js';
import { workspacesErrorsZh } from './workspaces.js';
import { httpErrorsZh } from './http.js';

/** Every API error message in Simplified Chinese (issue 25). */
export const errorTextsZh: typeof errorTextsEn = {
  accounts: accountsErrorsZh,
  apiTokens: apiTokensErrorsZh,
  factors: factorsErrorsZh,
  mfa: mfaErrorsZh,
  oidc: oidcErrorsZh,
  recovery: recoveryErrorsZh,
  sessions: sessionsErrorsZh,
  stepUp: stepUpErrorsZh,
  users: usersErrorsZh,
  verification: verificationErrorsZh,
  webhooks: webhooksErrorsZh,
  workspaces: workspacesErrorsZh,
  http: httpErrorsZh,
};
