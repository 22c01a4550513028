import type { Catalogue } from '../en.js';
import { commonTextsZh } from './common.js';
import { signInTextsZh } from './sign-in.js';
import { securityTextsZh } from './security.js';
import { accountTextsZh } from './account.js';
import { usersTextsZh } from './users.js';
import { workspacesTextsZh } from './workspaces.js';
import { recoveryTextsZh } from './recovery.js';
import { operatorsTextsZh } from './operators.js';
import { devicesTextsZh } from './devices.js';
import { oidcTextsZh } from './oidc.js';
import { applicationsTextsZh } from './applications.js';
import { apiTokensTextsZh } from './api-tokens.js';
import { webhooksTextsZh } from './webhooks.js';

/**
 * The console in Simplified Chinese (issue 25), in the words Chinese cloud consoles use: 虚拟MFA设备,
 * 绑定/解绑, 动态验证码, 主账号, 子用户, 工作空间, 敏感操作, 工单, 实名认证. Each part has the type of
 * its English source, so a missing or extra key fails the compiler.
 */
export const zhCN: Catalogue = {
  ...commonTextsZh,
  ...signInTextsZh,
  ...securityTextsZh,
  ...devicesTextsZh,
  ...accountTextsZh,
  ...usersTextsZh,
  ...workspacesTextsZh,
  ...recoveryTextsZh,
  ...operatorsTextsZh,
  ...oidcTextsZh,
  ...applicationsTextsZh,
  ...apiTokensTextsZh,
  ...webhooksTextsZh,
};
