import { accountsErrors } from './accounts.js';
import { apiTokensErrors } from './api-tokens.js';
import { factorsErrors } from './factors.js';
import { mfaErrors } from './mfa.js';
import { oidcErrors } from './oidc.js';
import { recoveryErrors } from './recovery.js';
import { sessionsErrors } from './sessions.js';
import { stepUpErrors } from './step-up.js';
import { usersErrors } from './users.js';
import { verificationErrors } from './verification.js';
import { webhooksErrors } from './webhooks.js';
import { workspacesErrors } from './workspaces.js';
import { httpErrors } from './http.js';

/** Every API error message, by area (English, the source of truth; issue 25). */
export const errorTextsEn = {
  accounts: accountsErrors,
  apiTokens: apiTokensErrors,
  factors: factorsErrors,
  mfa: mfaErrors,
  oidc: oidcErrors,
  recovery: recoveryErrors,
  sessions: sessionsErrors,
  stepUp: stepUpErrors,
  users: usersErrors,
  verification: verificationErrors,
  webhooks: webhooksErrors,
  workspaces: workspacesErrors,
  http: httpErrors,
};
