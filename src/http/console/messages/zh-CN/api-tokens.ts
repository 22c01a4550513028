import type { apiTokensTexts } from '../api-tokens.js';
import type { ApiScope } from '../../../../domain/api-tokens/scopes.js';
import type { Notice } from '../common.js';

/**
 * The API tokens page (/api-tokens, issue 24): a person's tokens for scripts — the list, creating
 * one (a fresh step-up, the secret shown once), revoking one after a confirmation.
 */
export const apiTokensTextsZh: typeof apiTokensTexts = {
  apiTokens: {
    nav: 'API令牌',
    title: 'API令牌',
    intro:
      'API令牌可让脚本或其他系统（如创建和停用用户的人事系统、每晚生成的报表）调用twofold API，无需您的密码或动态验证码。',
    rights:
      'API令牌以您的权限执行操作，并限定在您授予的权限范围内。它无法自行完成敏感操作的身份验证，也无法修改密码、邮箱、手机号或设备。',
    none: '尚未创建API令牌。当脚本需要调用API时，请在下方创建。',
    columns: {
      name: '名称',
      scopes: '权限范围',
      created: '创建时间',
      expires: '过期时间',
      lastUsed: '最近使用',
    },
    never: '从未使用',
    endsIn: (days: number) => (days <= 0 ? '今天到期' : days === 1 ? '明天到期' : `${days}天后到期`),
    /** The scopes in a few words, as the list shows them (the form shows the catalogue's descriptions). */
    scopeLabels: {
      'users:read': '读取用户',
      'users:write': '管理用户',
      'mfa:reset': '重置MFA',
      'audit:read': '读取审计日志',
      'workspaces:read': '读取工作空间',
      'workspaces:write': '管理工作空间',
    } satisfies Record<ApiScope, string>,
    scopeDescriptions: {
      'users:read': '读取子用户及其MFA状态',
      'users:write': '创建、重命名、禁用、启用和删除子用户',
      'mfa:reset': '重置子用户的MFA（须填写原因）',
      'audit:read': '读取审计日志',
      'workspaces:read': '读取工作空间及其成员',
      'workspaces:write': '创建、修改和删除工作空间及其成员',
    } satisfies Record<ApiScope, string>,
    revoke: '吊销…',
    revokeHeading: (name: string) => `确定吊销API令牌“${name}”？`,
    revokeText:
      '使用该令牌的脚本和系统将立即失效：在所有twofold服务器上，其下一次调用都将被拒绝。此操作不可撤销；新令牌将使用新的密钥。',
    revokeButton: '吊销令牌',

    createHeading: '创建令牌',
    nameLabel: '名称',
    nameHint: '请注明用途：该名称将显示在此列表、邮件和审计日志中。',
    namePlaceholder: '如：人事同步、每日报表',
    scopesLabel: '权限范围',
    scopesHint: '至少选择一项：仅选择脚本所需的权限。',
    expiryLabel: '有效期',
    expiryHint: (max: number) => `最长${max}天。到期前7天您将收到邮件提醒，届时请创建新令牌。`,
    days: (n: number) => `${n}天`,
    create: '创建令牌',
    stepUpNote: '创建令牌需要重新验证您的身份。令牌密钥仅显示一次。',

    createdTitle: 'API令牌已创建',
    createdIntro: (name: string, until: string) => `“${name}”的有效期至${until}，权限范围如下：`,
    secretHeading: '令牌',
    secretOnce:
      '请立即复制令牌：它不会再次显示。twofold仅保存其哈希值；如果丢失，请吊销该令牌并创建新令牌。请将其保存在脚本读取密钥的位置，切勿写入代码中。',
    copy: '复制令牌',
    copied: '已复制',
    tryHeading: '试一试',
    tryIntro: '将其作为Bearer令牌发送：',
    tryNoRead:
      '此令牌没有读取权限，因此这条调用本身会被拒绝（403 token.scope）；对于它有权执行的调用，请求头的写法相同。',
    done: '我已复制令牌，返回列表',

    forbidden: '仅主账号和用户管理员可以创建API令牌。',
    notFound: '未找到您名下该有效的API令牌：它可能已被吊销或已过期。',
    notices: {
      revoked: { kind: 'success', text: '令牌已吊销。此后使用该令牌的调用都将被拒绝。' },
      'already-created': {
        kind: 'info',
        text: '该表单已提交过：令牌已创建，其密钥已显示过一次。如果您没有复制，请吊销该令牌并创建新令牌。',
      },
    } satisfies Record<string, Notice>,
  },
};
