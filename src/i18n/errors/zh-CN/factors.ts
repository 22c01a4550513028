import type { factorsErrors } from '../en/factors.js';

/** API error messages of factors in Simplified Chinese: the type of the English source, key for key. */
export const factorsErrorsZh: typeof factorsErrors = {
  sentCodeInvalid: '验证码无效：可能输入有误、已过期（10分钟）、已被使用或尝试次数已用完。请重新获取验证码。',
  passkeyNotVerified: '无法验证通行密钥。请重试，或使用身份验证器应用中的动态验证码。',
  passkeysNeedDomain: (origin: string) =>
    `通行密钥需要域名：TWOFOLD_PUBLIC_URL 为 ${origin}，而WebAuthn依赖方不能是IP地址。请使用主机名（试用时可以使用 http://localhost）。`,
  passkeysNeedHttps: (origin: string) =>
    `通行密钥需要https：TWOFOLD_PUBLIC_URL 为 ${origin}，而浏览器只允许在https（或 http://localhost）上使用WebAuthn。`,
  codeClockSkew:
    '动态验证码无效。它与几分钟之外的时间相符，您手机的时钟似乎不准：请在手机上开启自动设置日期和时间（网络时间），然后输入新的动态验证码。',
  codeInvalid: '动态验证码无效或已被使用。请等待身份验证器应用中的下一组动态验证码后重试。',
  locked: (seconds: number) =>
    `验证码错误次数过多，此账号的二次验证已暂停；${seconds > 3600 ? '请过一段时间再试（支持人员可以解锁）' : `请在${seconds}秒后重试`}。`,
  recoveryCodeInvalid: '恢复码无效或已被使用。每个恢复码只能使用一次；请检查是否输入有误。',
  tooManyWrongPasswords: '密码错误次数过多，请稍后再试。',
  passwordWrong: '密码不正确。',
};
