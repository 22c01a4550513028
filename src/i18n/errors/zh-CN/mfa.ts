import type { mfaErrors } from '../en/mfa.js';

/** API error messages of mfa in Simplified Chinese: the type of the English source, key for key. */
export const mfaErrorsZh: typeof mfaErrors = {
  deviceNotFound: '没有这个MFA设备：它可能已被移除。',
  notBound: '未绑定虚拟MFA设备。',
  severalDevices: '您有多个MFA设备：请在“安全设置 › MFA设备”中移除您要移除的那个。',
  noAuthenticatorApp: '未绑定身份验证器应用：请在“安全设置 › MFA设备”中移除您的通行密钥。',
  userHasNoDevice: '该用户未绑定虚拟MFA设备。',
  enterCodes: (count: number) =>
    count === 2 ? '请输入身份验证器应用中连续的两组动态验证码。' : '请输入身份验证器应用中的一组动态验证码。',
  noRecoveryCodes: '未绑定虚拟MFA设备，因此没有恢复码。',
  bindFirstForRecoveryCodes: '请先绑定虚拟MFA设备；恢复码属于该设备。',
  tooManyDevices: (max: number) => `您已有${max}个MFA设备，已达上限。请先移除一个不再使用的设备。`,
  passkeyRequired: '您所在的某个工作空间要求使用通行密钥：请添加通行密钥或安全密钥后继续。',
  alreadyBound: '已绑定虚拟MFA设备。请先解绑，再绑定新设备；或者添加另一个设备。',
  bindingNotFound: '未找到此次绑定。请重新开始绑定。',
  bindingExpired: '此次绑定已过期（10分钟）。请重新开始绑定并扫描新的二维码。',
  registrationNotFound: '未找到此次注册。请重新添加通行密钥。',
  registrationExpired: '此次注册已过期。请重新添加通行密钥。',
  passkeyAlreadyRegistered: '此通行密钥已注册。',
};
