import type { oidcErrors } from '../en/oidc.js';

/** API error messages of oidc in Simplified Chinese: the type of the English source, key for key. */
export const oidcErrorsZh: typeof oidcErrors = {
  nameRequired: '请为应用填写名称（1到100个字符）。',
  tooManyUris: (max: number) => `最多填写${max}个地址。`,
  uriProblem: (label: string, uri: string, problem: string) => `${label ? `${label} ` : ''}${uri} 无效：${problem}。`,
  redirectUriRequired: '请至少填写一个重定向URI。',
  uriProblems: {
    tooLong: '长度超过2000个字符',
    notAbsolute: '不是绝对URL',
    fragment: '不得包含#片段（RFC 6749 §3.1.2）',
    credentials: '不得包含用户名或密码',
    notHttps: '必须使用https（仅localhost、127.0.0.1或[::1]可使用http）',
  },
  noPrimaryAccount: (email: string) => `没有以 ${email} 登录的主账号。`,
  noWorkspaceInAccount: (workspaceId: string, email: string) => `${email} 的账号下没有工作空间 ${workspaceId}。`,
  noClientId: (clientId: string) => `没有客户端ID为 ${clientId} 的应用。`,
  onlyPrimaryManages: '只有主账号可以注册和管理应用。',
  clientNotFound: '您的账号下没有这个应用。',
  workspaceNotFound: '您的账号下没有这个工作空间。',
};
