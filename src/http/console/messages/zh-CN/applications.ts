import type { applicationsTexts } from '../applications.js';
import type { Notice } from '../common.js';

/**
 * Applications (issue 23): the OpenID Connect clients a primary account registers — the list, the
 * registration form, the secret shown once, changing and deleting one.
 */
export const applicationsTextsZh: typeof applicationsTexts = {
  applications: {
    nav: '应用',
    title: '应用',
    intro:
      '通过OpenID Connect使用twofold为您的用户提供登录的应用：应用可获知登录者的身份及登录方式（密码、动态验证码或通行密钥），但永远不会获得密码或动态验证码。',
    none: '暂无应用，请在下方注册。',
    columns: {
      name: '名称',
      type: '类型',
      clientId: '客户端ID',
      redirectUris: '回调地址',
      workspace: '工作空间',
      firstParty: '自有应用',
      created: '注册时间',
    },
    types: { public: '公共客户端', confidential: '机密客户端' } as Record<string, string>,
    typeHint:
      '机密客户端：运行在可安全保存客户端密钥的服务器上。公共客户端：运行在浏览器或手机上（单页应用或原生应用），没有客户端密钥，使用PKCE登录。',
    yes: '是',
    no: '否',
    firstPartyYes: '是：其用户不会看到授权页面',
    firstPartyNo: '否：每位用户需授权一次',
    anyUser: '整个账号',
    unknownWorkspace: '已删除的工作空间（任何人都无法登录）',

    registerHeading: '注册应用',
    nameLabel: '名称',
    namePlaceholder: '例如：Wiki、Grafana',
    redirectUrisLabel: '回调地址（重定向URI）',
    redirectUrisHint:
      '每行一个，最多10个：须使用https，仅localhost、127.0.0.1或[::1]可使用http。须完全匹配，不能包含#片段。',
    postLogoutLabel: '退出登录后的回调地址',
    postLogoutShort: '退出登录后',
    postLogoutHint: '可选，每行一个：用户退出登录后，应用可将其跳转到的地址。',
    typeLabel: '类型',
    workspaceLabel: '工作空间',
    workspaceHint: '可选：仅该工作空间的成员可以登录，并遵循该工作空间的MFA策略。',
    workspaceNone: '无：账号下的所有用户',
    firstPartyLabel: '我的自有应用：不显示授权页面',
    firstPartyHint: '仅当应用由您自己运营时勾选：其用户将不会被要求授权。',
    register: '注册应用',
    stepUpNote: '注册和删除应用需要重新验证您的身份。',

    createdTitle: '应用已注册',
    createdIntro: (name: string) => `${name}已注册。请使用以下信息配置该应用：`,
    clientId: '客户端ID',
    clientSecret: '客户端密钥',
    issuer: '签发者（Issuer）',
    discovery: '服务发现URL',
    secretOnce: '请立即复制客户端密钥：它不会再次显示。twofold仅保存其哈希值；如果密钥丢失，请删除该应用并重新注册。',
    copied: '我已复制密钥，继续',
    publicNoSecret: '公共客户端没有客户端密钥，使用PKCE（S256）登录。',
    secretShownOnce: '客户端密钥仅在注册时显示一次，twofold无法再次显示。',

    breadcrumb: '应用',
    facts: '应用配置',
    editHeading: '修改应用',
    save: '保存修改',
    back: '返回应用列表',
    dangerHeading: '删除应用',
    deleteIntro: '删除后，其用户将无法再通过twofold登录该应用。',
    delete: '删除…',
    deleteHeading: (name: string) => `确定删除${name}吗？`,
    deleteText:
      '该应用将立即停止工作：其登录会话、授权和令牌（访问令牌和刷新令牌）将被撤销，客户端ID和密钥将失效，其用户将无法再通过twofold登录该应用。此操作不可撤销。',
    deleteButton: '删除应用',

    notFound: '您的账号中不存在该应用。',
    typeRule: '请选择应用类型：机密客户端或公共客户端。',
    tooLong: (label: string) => `${label}：列表过长（最多10个地址）。`,
    notices: {
      created: {
        kind: 'success',
        text: '应用已注册。请使用下方的客户端ID和签发者配置该应用；公共客户端没有密钥，使用PKCE登录。',
      },
      saved: { kind: 'success', text: '应用已修改。' },
      deleted: {
        kind: 'success',
        text: '应用已删除，其登录会话、授权和令牌均已撤销。',
      },
    } satisfies Record<string, Notice>,
  },
};
