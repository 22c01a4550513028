import type { usersErrors } from '../en/users.js';

/** API error messages of users in Simplified Chinese: the type of the English source, key for key. */
export const usersErrorsZh: typeof usersErrors = {
  sessionEnded: '您的会话已结束，请重新登录。',
  onlyAdminsManage: '只有主账号和用户管理员可以管理用户。',
  notFound: '此账号下没有该用户。',
  primaryAccountNotAUser: '主账号在“账号管理”中管理，不作为用户管理。',
  adminsNotThemselves: '管理员不能通过用户管理来管理自己，请使用“账号管理”。',
  onlyPrimaryManagesAdmins: '只有主账号可以管理其他用户管理员。',
  usernameTaken: (username: string) => `此账号下的用户名${username}已被使用。`,
  onlyPrimaryGrantsRoles: '只有主账号可以授予或移除角色。',
  noEmailForReset: '此用户没有邮箱：请先设置邮箱，或由您直接为其设置新密码。',
  disabled: '此用户已被禁用，请先启用。',
  resetLinkSentRecently: '一分钟内已向此邮箱发送过链接，请等待一分钟后再发送。',
};
