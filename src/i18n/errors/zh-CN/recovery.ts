import type { recoveryErrors } from '../en/recovery.js';

/** A lost-device ticket's status in words (RecoveryTicketStatus). */
const TICKET_STATUS: Record<string, string> = {
  submitted: '已提交',
  awaiting_second_approval: '等待第二位支持人员审批',
  cooling_off: '已批准，处于等待期',
  completed: '已完成',
  rejected: '已拒绝',
  cancelled: '已取消',
};
const ticketStatus = (status: string) => TICKET_STATUS[status] ?? status;

/** A real-name record's status in words. */
const REAL_NAME_STATUS: Record<string, string> = { pending: '待审核', verified: '已通过', rejected: '已拒绝' };

/** API error messages of recovery in Simplified Chinese: the type of the English source, key for key. */
export const recoveryErrorsZh: typeof recoveryErrors = {
  operatorsOnly: '只有支持人员可以查看或处理此内容。',
  noSuchTicket: '工单不存在。',
  ownTicket: '支持人员不能处理自己账号的工单。',
  noSuchEvidenceFile: '文件不存在（工单关闭30天后，证明材料会被删除）。',
  imagesOnly: '页面上只显示图片，请下载此文件查看。',
  cannotApprove: (status: string) => `此工单的状态为“${ticketStatus(status)}”，无法批准。`,
  cannotReject: (status: string) => `此工单的状态为“${ticketStatus(status)}”，无法拒绝。`,
  secondOperatorMustApprove: '您已批准过此工单，需要另一位支持人员再次批准。',
  approvedAlready: '您已批准过此工单。',
  ownRealName: '支持人员不能审核自己账号的实名认证记录。',
  noRealName: '此账号没有实名认证记录。',
  realNameAlready: (status: string) => `此记录的状态已是“${REAL_NAME_STATUS[status] ?? status}”。`,
  subUserNoRealName: '子用户没有实名认证记录：如果您丢失了设备，请由您的主账号为您重置。',
  identityFactsIncomplete: '请填写身份信息的每一项。',
  idNumberTooShort: '证件号码太短。',
  tooManyWrongCodes: '错误的验证码次数过多，请稍后再试。',
  wrongEmailCode: '邮箱验证码错误、已过期或已被使用。如有需要，请重新获取。',
  noSuchTicketOrLink: '工单不存在，或链接无效。',
  realNameRequired:
    '此账号没有已通过的实名认证记录，支持人员无法核实您的身份。请使用恢复码恢复，或联系此服务的管理者。',
  ticketOpenWait: '此账号已有一个处理中的申请。请等待处理结果，或通过我们邮件中的链接取消该申请。',
  ticketOpen: '此账号已有一个处理中的申请。',
  recentContactChange: '此账号的邮箱或手机号在最近7天内有变更，暂时无法提交工单。请稍后再试，或联系支持人员。',
  tooManyCodes: '获取验证码的次数过多，请稍后再获取。',
  codeSentRecently: '验证码已在一分钟内发送，10分钟内仍然有效。请等待一分钟后再获取。',
  tooManyFromNetwork: '来自您所在网络的请求过多，请稍后再试。',
  fileTooLarge: (name: string, megabytes: number) => `${name}超过${megabytes} MB。`,
  notEvidenceType: (name: string) => `${name}不是JPEG、PNG或PDF文件。`,
  tooManyFiles: (max: number) => `最多只能附加${max}个文件。`,
  nothingToCancel: '没有可以取消的处理中申请。',
  requestAlready: (status: string) => `此申请的状态已是“${ticketStatus(status)}”。`,
  noLongerCancellable: '此申请已无法取消。',
};
