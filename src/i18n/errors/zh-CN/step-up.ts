import type { stepUpErrors } from '../en/step-up.js';

/** API error messages of stepUp in Simplified Chinese: the type of the English source, key for key. */
export const stepUpErrorsZh: typeof stepUpErrors = {
  required: (what: string) => `${what}：这是敏感操作。请先验证您的身份（POST /me/step-up）。`,
  noPasskey: '未注册通行密钥：请使用其他方式验证。',
  noDeviceUsePassword: '未绑定虚拟MFA设备；请改用密码验证。',
  deviceBound: '已绑定MFA设备：请使用它进行验证。',
  verifyWith: (methods: readonly string[]) => `请使用 ${methods.join(' 或 ')} 进行验证：这是此账号保护敏感操作的方式。`,
  deviceAlwaysUsed: '绑定虚拟MFA设备后，敏感操作始终使用它进行验证。',
  bindFirst: '请先绑定虚拟MFA设备；之后敏感操作将使用它进行验证。',
  channelUnreachable: '该渠道无法联系到此账号。',
  loginNoteBound: '登录时始终需要验证您的一个MFA设备。',
  loginNoteUnbound: '绑定虚拟MFA设备后，登录时将需要输入动态验证码。',
};
