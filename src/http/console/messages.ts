import { commonTexts } from './messages/common.js';
import { signInTexts } from './messages/sign-in.js';
import { securityTexts } from './messages/security.js';
import { accountTexts } from './messages/account.js';
import { usersTexts } from './messages/users.js';
import { workspacesTexts } from './messages/workspaces.js';
import { recoveryTexts } from './messages/recovery.js';
import { operatorsTexts } from './messages/operators.js';
import { devicesTexts } from './messages/devices.js';
import { oidcTexts } from './messages/oidc.js';
import { applicationsTexts } from './messages/applications.js';
import { apiTokensTexts } from './messages/api-tokens.js';
import { webhooksTexts } from './messages/webhooks.js';
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

/** The catalogue in use. */
export const t: Catalogue = en;
