import { commonTexts } from './common.js';
import { signInTexts } from './sign-in.js';
import { securityTexts } from './security.js';
import { accountTexts } from './account.js';
import { usersTexts } from './users.js';
import { workspacesTexts } from './workspaces.js';
import { recoveryTexts } from './recovery.js';
import { operatorsTexts } from './operators.js';
import { devicesTexts } from './devices.js';
import { oidcTexts } from './oidc.js';
import { applicationsTexts } from './applications.js';
import { apiTokensTexts } from './api-tokens.js';
import { webhooksTexts } from './webhooks.js';

/**
 * Every text the console shows, in one typed catalogue (English), kept in messages/ by flow. A
 * second language is a second object of the same type: no page changes.
 */
export const en = {
  ...commonTexts,
  ...signInTexts,
  ...securityTexts,
  ...devicesTexts,
  ...accountTexts,
  ...usersTexts,
  ...workspacesTexts,
  ...recoveryTexts,
  ...operatorsTexts,
  ...oidcTexts,
  ...applicationsTexts,
  ...apiTokensTexts,
  ...webhooksTexts,
};

export type Catalogue = typeof en;
