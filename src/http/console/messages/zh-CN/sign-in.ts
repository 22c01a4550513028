import type { signInTexts } from '../sign-in.js';
import type { Notice } from '../common.js';

/**
 * Signing up and in: sign-up, login, the dynamic-code step, password reset, and the phone-clock
 * hint (docs/design.md F2, F12).
 */
export const signInTextsZh: typeof signInTexts = {
  signup: {
    title: '注册',
    heading: '创建账号',
    intro: '主账号拥有其下的子用户和工作空间。',
    passwordLabel: '密码',
    passwordHint: '（至少8个字符）',
    submit: '创建账号',
    haveAccount: '已有账号？',
    logIn: '登录',
  },
  login: {
    title: '登录',
    heading: '登录',
    loginLabel: '邮箱，子用户请输入“用户名@账号别名”',
    submit: '登录',
    noAccount: '还没有账号？',
    signUp: '注册',
    lostPhone: '安装身份验证器应用的手机丢失？子用户请联系主账号重置设备。',
    unbindMfa: '解绑MFA',
    invalid: '登录名或密码不正确。',
    or: '或',
    passkey: '使用通行密钥登录',
    passkeyInvalid: '该通行密钥未能登录：它不属于本站任何账号，或未能验证您的身份（指纹、面容或PIN）。请改用密码登录。',
  },
  reset: {
    forgot: '忘记密码？',
    title: '重置密码',
    heading: '重置密码',
    intro: '请输入您的登录名。如果该账号登记了邮箱，我们将发送一个设置新密码的链接（30分钟内有效）。',
    subUsers: '未登记邮箱的子用户：请联系账号管理员为您设置新密码。',
    send: '发送链接',
    sentHeading: '请查收邮件',
    sent: '如果该登录名登记了邮箱，链接已发出。链接仅可使用一次，30分钟内有效。',
    newHeading: '设置新密码',
    newIntro: '您账号的所有会话都将结束，之后请重新登录。已绑定的虚拟MFA设备仍会要求输入动态验证码。',
    newPassword: '新密码（至少8个字符）',
    save: '设置新密码',
    notices: {
      'link-used': {
        kind: 'info',
        text: '该链接已过期（30分钟）或已被使用。请在下方输入登录名以获取新链接。',
      },
      'link-missing': {
        kind: 'info',
        text: '请打开邮件中的链接设置新密码：此页面没有携带链接（或链接已超过30分钟）。请在此重新获取。',
      },
    } satisfies Record<string, Notice>,
  },
  codeStep: {
    recoveryPending: '已有一个请求支持人员移除本账号虚拟MFA设备的工单正在处理中。输入动态验证码即可取消该工单。',
    title: '动态验证码',
    heading: '动态验证码',
    headingPasskey: '使用通行密钥',
    signingInAs: (login: string) => `正在以${login}身份登录。`,
    intro: '请打开身份验证器应用，输入该账号对应的6位动态验证码。',
    introPasskey: '请使用通行密钥，或输入身份验证器应用中该账号对应的6位动态验证码。',
    introPasskeyOnly: '请使用通行密钥完成登录。',
    passkeyExpired: '本次登录已过期或尝试次数已用完，请重新输入密码登录。',
    noPasskey: '该账号已没有已注册的通行密钥。请使用身份验证器应用中的动态验证码或恢复码。',
    triesLeft: (n: number) => (n === 1 ? '这是本次登录的最后一次尝试机会。' : `本次登录还剩${n}次尝试机会。`),
    submit: '验证',
    startOver: '不是您？重新开始',
  },
  clockHint: {
    title: '动态验证码总是校验失败？',
    text: '手机时钟可能不准确。请在手机上开启自动设置日期和时间（“自动设置”/“使用网络提供的时间”），然后输入最新的动态验证码。',
  },
};
