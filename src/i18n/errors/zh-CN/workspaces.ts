import type { workspacesErrors } from '../en/workspaces.js';

/** API error messages of workspaces in Simplified Chinese: the type of the English source, key for key. */
export const workspacesErrorsZh: typeof workspacesErrors = {
  notFoundOrNotMember: '工作空间不存在，或您不是其成员。',
  managersOnly: '只有工作空间的所有者和管理员可以执行此操作。',
  ownerOnly: '只有工作空间的所有者可以执行此操作。',
  notAMember: '该用户不是此工作空间的成员。',
  ownerUnchangeable: '工作空间的所有者不能被移除，也不能被更改角色。',
  passkeyRequired: '此工作空间要求防钓鱼MFA：请使用通行密钥完成身份验证（或在“安全设置 › MFA设备”中添加一个）后进入。',
  verifyToEnter: '此工作空间要求MFA：请使用身份验证器应用中的动态验证码完成身份验证（POST /me/step-up）后进入。',
  bindToEnter: '此工作空间要求MFA：请绑定虚拟MFA设备（账号管理 › 安全设置）后进入。',
  bindBeforeRequiring: '要求成员使用MFA之前，请先绑定您自己的虚拟MFA设备，并在本次会话中完成身份验证。',
  phishingResistantNeedsMfa: '防钓鱼MFA是强制MFA的一种：请同时要求MFA。',
  passkeyBeforeRequiring: '要求成员使用防钓鱼MFA之前，请先添加通行密钥，并在本次会话中使用它完成身份验证。',
  alreadyMember: '该用户已是成员。',
  ownerRemovesAdmins: '只有工作空间的所有者可以移除管理员。',
  remindedRecently: '不到一小时前已提醒过未启用MFA的成员，请稍后再试。',
};
