import type { accountsErrors } from '../en/accounts.js';

/** API error messages of accounts in Simplified Chinese: the type of the English source, key for key. */
export const accountsErrorsZh: typeof accountsErrors = {
  noUserLogsInAs: (login: string) => `没有以 ${login} 登录的用户。`,
  notOperator: (email: string) => `${email} 不是支持人员。`,
  reasonRequired: '请填写原因（--reason）：它会写入审计日志和邮件。',
  currentPasswordRequired: '要设置新密码，请同时输入当前密码（currentPassword）。',
  tooManyWrongPasswords: '密码错误次数过多，请稍后再试。',
  currentPasswordWrong: '当前密码不正确。',
  emailTakenLogIn: '使用此邮箱的账号已存在，请直接登录。',
  emailTaken: '使用此邮箱的账号已存在。',
  tooManySignUps: '来自您所在网络的注册次数过多，请稍后再试。',
  signUpClosed: '此服务器已关闭注册，请向支持人员申请账号。',
  sessionEnded: '您的会话已结束，请重新登录。',
  nothingToChange: '没有要修改的内容：请提供 displayName、email、phone、password 或 locale。',
  passwordOnlySpaces: '密码不能只包含空格。',
  passwordTooCommon: '此密码是最常见的密码之一，攻击者会最先尝试。请换一个：几个互不相关的词语组合起来效果很好。',
  resetLinkExpired: '此重置链接已过期或已被使用，请重新申请。',
  tooManyResetRequests: '来自您所在网络的重置请求过多，请稍后再试。',
  tooManyResetAttempts: '来自您所在网络的重置尝试过多，请稍后再试。',
};
