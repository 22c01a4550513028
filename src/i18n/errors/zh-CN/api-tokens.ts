import type { apiTokensErrors } from '../en/api-tokens.js';

/** API error messages of apiTokens in Simplified Chinese: the type of the English source, key for key. */
export const apiTokensErrorsZh: typeof apiTokensErrors = {
  cannotMakeChange: 'API令牌不能进行此项修改：请登录控制台并验证您的身份。',
  cannotChangeUserFields: (fields: readonly string[]) =>
    `API令牌不能修改用户的 ${fields.join('、')}：请登录控制台并验证您的身份。`,
  resetNeedsReason: '使用API令牌重置MFA时必须填写原因。',
  nameLength: '请为令牌填写1到100个字符的名称。',
  chooseScope: '请至少选择一个权限范围。',
  unknownScopes: (unknown: string, known: string) => `未知的权限范围 ${unknown}：请从 ${known} 中选择。`,
  lifetime: (maxDays: number) => `令牌的有效期为1到${maxDays}天。`,
  sessionEnded: '您的会话已结束，请重新登录。',
  onlyAdminsCreate: '只有主账号和用户管理员可以创建API令牌。',
  tooMany: (max: number) => `您已有${max}个有效的API令牌，已达上限：请撤销一个不再使用的令牌。`,
  cannotCreateTokens: 'API令牌不能创建API令牌。',
  notFound: '没有找到您的这个API令牌。',
  noPrimaryAccount: (email: string) => `没有以 ${email} 登录的主账号。`,
  noSubUser: (username: string, email: string) => `${email} 的账号下没有子用户 ${username}。`,
  notUserAdmin: (username: string) => `${username} 不是用户管理员：不能拥有API令牌。`,
  userDisabled: '该用户已被禁用。',
  noWorkingToken: (id: string) => `没有有效的API令牌 ${id}。`,
};
