import type { commonTexts } from '../common.js';
import type { Notice } from '../common.js';
import { formatDate, formatDateTime, getDisplayTimeZone } from '../../../../i18n/format.js';
/** A message a page shows after a redirect: `?notice=<key>`. */

/**
 * What every page shares: formats, navigation, common words, form and error texts, and the notices
 * a redirect carries.
 */
export const commonTextsZh: typeof commonTexts = {
  format: {
    /** "2026年12月1日 16:20 UTC": in the operator's time zone (TWOFOLD_TIME_ZONE), always named. */
    dateTime: (at: number | string) => formatDateTime('zh-CN', getDisplayTimeZone(), at),
    date: (at: number | string) => formatDate('zh-CN', getDisplayTimeZone(), at),
  },
  lang: 'zh-CN',
  brand: 'twofold',
  footer: 'twofold · 账号安全',
  footerDev: ' · 开发模式',
  nav: {
    support: '支持工作台',
    menu: '菜单',
    overview: '概览',
    users: '用户管理',
    workspaces: '工作空间',
    account: '账号管理',
    profile: '个人信息',
    audit: '审计日志',
    sessions: '登录会话',
    outbox: '发件箱',
    signOut: '退出登录',
  },
  common: {
    back: '返回',
    cancel: '取消',
    optional: '（可选）',
    bound: '已绑定',
    notBound: '未绑定',
    save: '保存',
    verify: '验证',
    code: '验证码',
    password: '密码',
    email: '邮箱',
    phone: '手机号',
    displayName: '显示名称',
    none: '无',
  },
  form: {
    codeDigits: '请输入身份验证器应用中显示的6位动态验证码。',
    codeFromMessage: '请输入消息中的6位验证码。',
    codesDigits: '每组动态验证码均为身份验证器应用中显示的6位数字。',
    email: '请输入有效的邮箱地址。',
    emailOrEmpty: '请输入有效的邮箱地址，或留空。',
    passwordLength: '密码长度须为8～256个字符。',
    displayNameLength: '显示名称最多100个字符。',
    phone: '请按国际格式输入手机号（如+8613800138000），或留空。',
    pickMethod: '请从提供的方式中选择一种。',
    reasonRequired: '请填写原因：该原因将记入审计日志，并随邮件发送给该用户。',
  },
  errors: {
    title: '出错了',
    refused: '请求被拒绝',
    notFound: '未找到',
    notPossible: '无法执行',
    internal: '系统内部出错，错误已记录。',
    otherSite: '此表单来自其他网站，已被拒绝。',
    staleForm: '此表单已过期。请返回并刷新页面后重试。',
    noPage: '此地址不存在对应页面。请检查链接，或从概览页重新开始。',
    badAddress: '此地址无效（包含本站页面不会使用的字符）。请检查链接，或从概览页重新开始。',
  },
  notices: {
    'ended-mfa_changed': {
      kind: 'info',
      text: '您的MFA设备已变更，因此您已在此处退出登录：其他会话或管理员添加或移除了设备。请重新登录。',
    },
    'ended-password_changed': {
      kind: 'info',
      text: '您的账号密码已修改，因此您已在此处退出登录。请使用新密码登录。',
    },
    'ended-signed_out_elsewhere': {
      kind: 'info',
      text: '本账号的另一个会话已将您在此处退出登录。如果这不是您本人的操作，请登录并修改密码。',
    },
    'ended-account_changed': {
      kind: 'info',
      text: '管理员修改了您的登录方式，因此您已在此处退出登录。请重新登录。',
    },
    'ended-expired': { kind: 'info', text: '您的会话已过期，请重新登录。' },
    'recovery-cancelled': { kind: 'success', text: '解绑MFA的申请已取消，您的设备仍保持绑定。' },
    bound: { kind: 'success', text: '虚拟MFA设备已绑定。下次登录时将要求输入动态验证码。' },
    unbound: { kind: 'success', text: '虚拟MFA设备已解绑。该设备生成的动态验证码已失效。' },
    'passkey-added': { kind: 'success', text: '通行密钥已添加，下次登录时即可使用。' },
    'signed-out': { kind: 'info', text: '您已退出登录。' },
    welcome: { kind: 'success', text: '您的账号已创建。请绑定虚拟MFA设备以保护账号安全。' },
    expired: { kind: 'info', text: '本次登录已过期或尝试次数已用完，请重新输入密码。' },
    protection: { kind: 'success', text: '账号保护设置已保存。' },
    profile: { kind: 'success', text: '个人信息已保存。' },
    password: { kind: 'success', text: '密码已修改，您的其他会话均已退出登录。' },
    'session-ended': { kind: 'success', text: '该会话已退出登录。' },
    'others-ended': { kind: 'success', text: '其他所有会话均已退出登录。' },
    'password-reset': { kind: 'success', text: '您的密码已修改，请使用新密码登录。' },
    'recovery-used': {
      kind: 'info',
      text: '您已使用恢复码登录。手机丢失？请先解绑旧设备（可使用恢复码完成），再绑定新手机。',
    },
  } satisfies Record<string, Notice>,
};
