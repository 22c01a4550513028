import type { sessionsErrors } from '../en/sessions.js';

/** API error messages of sessions in Simplified Chinese: the type of the English source, key for key. */
export const sessionsErrorsZh: typeof sessionsErrors = {
  sessionNotFound: '您没有这个未结束的会话。',
  passwordlessOff: '此服务器已关闭无密码登录。',
  invalidCredentials: '登录名或密码不正确。',
  tooManyLoginsFromNetwork: '来自您所在网络的登录失败次数过多，请稍后再试。',
  tooManyLoginsForAccount: '此账号的登录失败次数过多，请稍后再试。',
  loginExpired: '此次登录已过期或尝试次数已用完。请重新输入密码。',
  noPasskeyForLogin: '此登录名未注册通行密钥。',
  tooManyPasskeySignIns: '来自您所在网络的通行密钥登录次数过多，请稍后再试。',
};
