import type { recoveryTexts } from '../recovery.js';
import type { Notice } from '../common.js';

/**
 * Lost-device recovery: the real-name record, identity facts and the "Unbind MFA" request
 * (docs/design.md F7, F8).
 */
export const recoveryTextsZh: typeof recoveryTexts = {
  realName: {
    title: '实名认证',
    heading: '实名认证',
    intro:
      '仅当主账号已通过实名认证时，支持人员才能为其解绑丢失手机上的虚拟MFA设备。您的证件号码和营业执照号码均加密存储；支持人员只能看到您日后提交的信息是否与之一致，以及号码的后4位。',
    status: '状态',
    states: { none: '未提交', pending: '待审核', verified: '已认证', rejected: '已驳回' },
    idLast4: '证件号码尾号',
    note: '支持人员备注',
    submit: '提交审核',
    resubmit: '重新提交',
    subUser: '子用户无需实名认证：如果您丢失设备，可由您的主账号为您重置。',
    notices: {
      submitted: { kind: 'success', text: '您的实名信息已提交，支持人员将进行审核。' },
    } satisfies Record<string, Notice>,
    card: '实名认证',
    cardText: '如果您的手机和恢复码都已丢失，需通过实名认证才能申请支持人员解绑MFA。',
    open: '实名信息',
  },
  facts: {
    type: '类型',
    personal: '个人',
    enterprise: '企业',
    name: '姓名（与证件一致）',
    idNumber: '证件号码',
    phone: '手机号',
    companyName: '企业名称（企业填写）',
    licenseNumber: '营业执照号码（企业填写）',
  },
  recovery: {
    title: '解绑MFA',
    heading: '解绑MFA：手机丢失',
    intro:
      '安装了身份验证器应用的手机和恢复码都已丢失？已通过实名认证的主账号可以申请支持人员解绑虚拟MFA设备。申请将由两名支持人员审核；审核通过并经过等待期后，设备将被解绑，您下次登录时需绑定新手机。',
    recoveryFirst: '仍有恢复码？请直接在登录页面使用恢复码，更加快捷。',
    subUsers: '子用户：请联系您所在组织的主账号（或用户管理员）重置您的设备。',
    login: '登录名（主账号的邮箱）',
    loginRequired: '请输入账号的登录名。',
    sendCode: '发送邮箱验证码',
    codeSentTo: (login: string) => `如果${login}是已登记邮箱的主账号，6位验证码已发送至该邮箱（10分钟内有效）。`,
    eligibleIntro: '仅当您的账号同时满足以下两个条件时，支持人员才能解绑设备：',
    eligibleRealName: '已通过实名认证（账号管理 › 安全设置 › 实名认证）；',
    eligibleContact: '最近7天内未修改过邮箱和手机号（修改后一周内无法提交申请）。',
    contactSupport: '不满足以上条件，或没有恢复码？请联系支持人员',
    noSupportContact: '如果不满足以上条件且已没有可用的恢复码，请联系本服务的运维人员：此时只有他们能够提供帮助。',
    newCode: '重新发送验证码',
    newCodeSent: '新的验证码已发送，请使用最新的验证码。',
    newCodeTooSoon: '请求过于频繁：邮箱中已收到的验证码在10分钟内仍然有效，请在上方输入。',
    chooseFilesAgain: '请重新选择文件：表单提交失败后，浏览器不会保留已选择的文件。',
    fileTooLarge: (mb: number) => `每个文件不得超过${mb}MB。请选择更小的照片，或以较低的分辨率重新拍摄。`,
    tooManyFiles: '最多可选择3个文件。',
    expired: '该表单已过期（验证码有效期为10分钟）。请重新输入登录名以获取新的验证码。',
    code: '邮件中的验证码',
    ticketTitle: '标题',
    ticketTitleValue: '解绑MFA：手机丢失',
    description: '情况说明',
    files: (mb: number) =>
      `证明材料：本人手持身份证的照片、营业执照扫描件（JPEG、PNG或PDF格式，最多3个文件，每个不超过${mb}MB）`,
    consent: '我同意支持人员仅为处理本次申请而使用我的证件号码及上述文件；文件将在申请关闭30天后删除。',
    submit: '提交申请',
    submittedHeading: '申请已提交',
    submitted:
      '支持人员将审核您的申请。我们已向所有登记的邮箱发送了包含取消申请链接的邮件。请收藏下方的申请状态链接：该链接仅显示一次。',
    statusLink: '申请状态',
    statusHeading: '申请状态',
    states: {
      submitted: '已提交：待审核',
      awaiting_second_approval: '已通过一次审批：等待第二位支持人员审批',
      cooling_off: '已批准：等待期结束后将解绑设备',
      completed: '已完成：设备已解绑，请登录并绑定新手机',
      rejected: '已驳回',
      cancelled: '已取消',
    },
    effectiveAt: '设备解绑时间',
    willBeRemovedAt: '设备预计解绑时间：',
    stillCancellable: '在此之前，使用动态验证码登录或点击我们邮件中的链接，即可取消该申请。',
    alreadyCancelled: '该申请已取消。您的设备仍保持绑定，无需其他操作。',
    alreadyClosed: (state: string) => `该申请已关闭（${state}），无可取消的内容。`,
    cancelHeading: '取消解绑MFA申请',
    cancelIntro: '有人向支持人员申请解绑您账号的虚拟MFA设备。如果不是您本人操作，或您已找回手机，请取消该申请。',
    cancel: '取消申请',
    cancelled: '申请已取消。您的设备仍保持绑定。',
    invalidLink: '该链接无效。',
    backToLogin: '返回登录',
  },
};
