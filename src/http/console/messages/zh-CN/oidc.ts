import type { oidcTexts } from '../oidc.js';
/**
 * twofold as an OpenID Provider (issue 23): the pages an application's sign-in passes through
 * (consent, refusal, return, sign-out).
 */
export const oidcTextsZh: typeof oidcTexts = {
  oidc: {
    signInFor: (app: string) => `登录以继续访问${app}。`,
    signInAgainFor: (app: string) => `${app}要求您使用已有的全部验证方式重新登录。`,
    continueTitle: '正在返回应用',
    continueText: (app: string) => `您已登录，正在返回${app}…`,
    continueLink: '继续',
    consentTitle: '授权访问',
    consentHeading: (app: string) => `${app}请求使用您的账号登录`,
    consentIntro: (login: string) => `当前登录账号：${login}。如果您允许，该应用将获取：`,
    consentNote: '每个应用只需授权一次。删除该应用、禁用您的账号或设置新密码后，其访问权限将失效。',
    allow: '允许',
    deny: '取消',
    scopes: {
      openid: '您在twofold中的用户ID，以及您的登录方式（密码、动态验证码或通行密钥）',
      profile: '您的姓名和登录名',
      email: '您的邮箱地址',
      offline_access: '在您离开期间保持登录状态（刷新令牌）',
    } as Record<string, string>,
    refusedTitle: '无法登录',
    refused: {
      other_account: '该应用不存在，或您的账号无法使用该应用。请返回应用，或使用其他账号登录twofold。',
      not_member: (app: string, workspace: string) =>
        `${app}仅对工作空间“${workspace}”的成员开放，而您不是该工作空间的成员。请联系其所有者将您添加为成员。`,
      disabled: '该账号已被禁用，请联系您的管理员。',
    },
    signInAsOther: '使用其他账号登录',
    backToApp: '返回应用',
    passkeyTitle: '需要通行密钥',
    passkeyNeeded: (app: string) => `${app}要求使用通行密钥（防钓鱼MFA）。请使用您的通行密钥完成验证以继续。`,
    noPasskey: (app: string) =>
      `${app}要求使用通行密钥（防钓鱼MFA），而您尚未添加通行密钥。请在“安全设置 › MFA设备”中添加，然后重新登录该应用。`,
    addPasskey: '添加通行密钥',
    purposePasskey: (app: string) => `登录${app}`,
    expiredTitle: '本次登录已过期',
    expired: '该登录请求已失效（已过期或已被使用）。请返回应用重新登录。',
    errorTitle: '应用发送了无效请求',
    badRedirect: '应用请求返回的地址未在twofold中注册，因此未向其发送任何信息。请告知该应用的开发人员。',
    errorText: (description: string) =>
      `twofold无法继续：${description} 未向应用发送任何信息。请告知该应用的开发人员，或返回后重试。`,
    logoutTitle: '退出登录',
    logoutText: '是否同时在此浏览器中退出twofold？您登录过的其他应用可能仍会保持登录状态。',
    logoutTextFor: (app: string) =>
      `您已退出${app}。是否同时在此浏览器中退出twofold？您登录过的其他应用可能仍会保持登录状态。`,
    logoutYes: '退出twofold',
    logoutNo: '保持twofold登录状态',
    loggedOutTitle: '已退出登录',
    loggedOut: '您已退出登录。',
    signInToTwofold: '登录twofold',
    backTo: (app: string) => `返回${app}`,
    switchFor: (app: string) => `使用其他账号登录以继续访问${app}。`,
    bindFor: (app: string) =>
      `${app}要求使用第二重验证。请绑定身份验证器应用以继续访问${app}，完成后将自动返回该应用。`,
    // Sent to the application as the OAuth error_description, which RFC 6749 §4.1.2.1 limits to
    // ASCII: these two stay in English.
    cancelled: 'The user did not allow the application.',
    notAllowed: 'The user may not sign in to this application.',
  },
};
