import type { MailTexts, NotificationTexts } from './en.js';

/**
 * The e-mails and SMS in Simplified Chinese, with the words of docs/i18n-glossary.md. Typed by the
 * English catalogue: every kind and every bit must be here.
 */

/** The domain's English actor labels in Chinese (see `actor` in en.ts); a name stays as it is. */
function actor(label: string): string {
  if (label === 'An administrator') return '管理员';
  if (label === 'The operator of this service') return '本服务的运营人员';
  const primary = /^The primary account \((.*)\)$/s.exec(label);
  if (primary) return `主账号（${primary[1]}）`;
  const subUser = /^(.*) \(([^()]*)\)$/s.exec(label);
  return subUser ? `${subUser[1]}（${subUser[2]}）` : label;
}

const deviceWord = (type: 'totp' | 'webauthn') => (type === 'webauthn' ? '通行密钥' : '身份验证器应用');

const notifications: NotificationTexts = {
  'mfa.bound': (n, c) => {
    const passkey = n.device?.type === 'webauthn';
    const what = passkey ? `通行密钥“${n.device!.name}”` : `虚拟MFA设备${n.device ? `“${n.device.name}”` : ''}`;
    return {
      subject: passkey ? '您的账号添加了通行密钥' : '您的账号绑定了虚拟MFA设备',
      lines: [
        n.byAdmin
          ? `${actor(n.byAdmin)}于${c.when}为您的账号绑定了${what}。`
          : `您的账号于${c.when}${c.where}添加了${what}。`,
        passkey ? '此后，您可以使用该通行密钥登录。' : '此后，登录时需要输入该身份验证器应用中的6位动态验证码。',
        `如果这不是您本人的操作，请登录并检查您的安全设置：${c.security}`,
      ],
    };
  },
  'mfa.device_removed': (n, c) => ({
    subject: `您的账号移除了一个MFA设备：${n.device.name}`,
    lines: [
      n.byAdmin
        ? `${actor(n.byAdmin)}于${c.when}从您的账号中移除了${deviceWord(n.device.type)}“${n.device.name}”。`
        : `${deviceWord(n.device.type)}“${n.device.name}”已于${c.when}${c.where}从您的账号中移除。`,
      n.remaining > 0
        ? `该设备已无法用于登录。${n.remaining === 1 ? '您的另一个MFA设备仍然可用。' : `您的其他${n.remaining}个MFA设备仍然可用。`}`
        : '这是您的最后一个MFA设备：您的恢复码已失效，登录时也不再要求第二重验证——除非您的管理员或某个工作空间要求使用MFA，届时系统会要求您绑定设备。',
      `如果这不是您本人的操作，请修改密码并检查您的设备：${c.security}`,
    ],
  }),
  'mfa.unbound': (n, c) => ({
    subject: '您的账号已解绑虚拟MFA设备',
    lines: [
      `您账号的虚拟MFA设备${n.device ? `“${n.device}”` : ''}已于${c.when}${c.where}解绑。`,
      '该设备生成的动态验证码已失效，现在登录只需输入密码。',
      `如果这不是您本人的操作，请修改密码并重新绑定设备：${c.security}`,
    ],
  }),
  'mfa.reset_by_admin': (n, c) => ({
    subject: '管理员重置了您的虚拟MFA设备',
    lines: [
      `${actor(n.admin)}于${c.when}重置了您账号的虚拟MFA设备。`,
      ...(n.reason ? [`原因：${n.reason}`] : []),
      '您的所有会话均已结束，恢复码也已失效。下次登录时，您必须先重新绑定身份验证器应用，才能进行其他操作。',
    ],
  }),
  'mfa.locked': (n, c) => ({
    subject: '您账号的第二重验证已暂停',
    lines: [
      `${n.subject ? `您的子用户${n.subject.displayName}${n.subject.username ? `（${n.subject.username}）` : ''}` : '您的账号'}输入错误的动态验证码次数过多，最近一次发生在${c.when}${c.where}。`,
      n.until > 8.6e15 ? '在支持人员解锁该账号之前，验证将一直暂停。' : `验证已暂停，直到${c.date(n.until)}。`,
      '可能有人知道了该账号的密码。如果这些尝试不是您本人所为，请在能够登录后立即修改密码。',
    ],
  }),
  'login.locked': (n, c) => ({
    subject: '由于多次密码错误，您账号的登录已暂停',
    lines: [
      `您的账号连续输入错误密码的次数过多，最近一次发生在${c.when}${c.where}。`,
      `密码登录已暂停，直到${c.date(n.until)}；此后每再输错一次密码，暂停时间都会更长。`,
      '如果这些尝试不是您本人所为，说明有人在猜测您的密码：请使用一个足够长且不与他处重复的密码；如果您还没有虚拟MFA设备，请绑定一个。',
    ],
  }),
  'mfa.recovery_code_used': (n, c) => ({
    subject: '您的账号使用了一个恢复码',
    lines: [
      `${c.when}${c.where}，一个恢复码代替动态验证码完成了验证。您还剩${n.remaining}个未使用的恢复码。`,
      n.remaining <= 3
        ? `剩余的恢复码不多了：请在“安全设置”中生成一组新的恢复码：${c.security}`
        : `手机丢失了？请解绑旧设备并绑定新设备：${c.security}`,
      '如果这不是您本人的操作，说明有人掌握了您的密码和一个恢复码：请立即联系您的管理员或支持人员。',
    ],
  }),
  'account.password_changed': (_n, c) => ({
    subject: '您账号的密码已修改',
    lines: [
      `您账号的密码已于${c.when}${c.where}重置，所有会话均已退出登录。`,
      '如果这不是您本人的操作，说明有人能够读取您的邮件：请先保护好您的邮箱，然后再次重置密码，并告知您的管理员。',
    ],
  }),
  'mfa.recovery_codes_regenerated': (_n, c) => ({
    subject: '您的账号生成了新的恢复码',
    lines: [
      `${c.when}${c.where}，您的账号生成了一组新的恢复码；旧的恢复码已失效。`,
      `如果这不是您本人的操作，请检查您的安全设置：${c.security}`,
    ],
  }),
  'login.new_browser': (n, c) => ({
    subject: '您的账号有新的登录',
    lines: [
      `${c.when}${c.where}，您的账号在一个此前未见过的浏览器或应用上登录。`,
      ...(n.userAgent ? [`浏览器：${n.userAgent}`] : []),
      `如果这不是您本人的操作，请修改密码并检查您的安全设置：${c.security}`,
    ],
  }),
  'account.email_changed': (n, c) => ({
    subject: '您账号的邮箱已更改',
    lines: [
      `您账号的邮箱已于${c.when}${c.where}更改为${n.newAddress}。此后安全通知将发送到该邮箱。`,
      '如果这不是您本人的操作，您的账号可能已被他人控制：请立即联系您的管理员或支持人员。',
    ],
  }),
  'account.phone_changed': (n, c) => ({
    subject: '您账号的手机号已更改',
    lines: [
      n.newNumber
        ? `您账号的手机号已于${c.when}${c.where}更改为${n.newNumber}。此后短信验证码将发送到该号码。`
        : `您账号的手机号已于${c.when}${c.where}移除。`,
      '如果这不是您本人的操作，您的账号可能已被他人控制：请立即联系您的管理员或支持人员。',
    ],
  }),
  'account.changed_by_admin': (n, c) => {
    const said = {
      email: '更改了您的邮箱',
      phone: '更改了您的手机号',
      password: '为您设置了新密码（您的会话均已结束）',
      disabled: '禁用了您的账号：您已无法登录',
      enabled: '重新启用了您的账号',
    };
    return {
      subject: '管理员更改了您的账号',
      lines: [
        `${c.when}，${actor(n.admin)}${n.changes.map((change) => said[change]).join('；')}。`,
        '如果您对此并不知情，请联系您账号的管理员。',
      ],
    };
  },
  'api_token.created': (n, c) => ({
    subject: `已创建API令牌：${n.name}`,
    lines: [
      `您的账号于${c.when}${c.where}创建了API令牌“${n.name}”。`,
      `其权限范围：${n.scopes.join('、')}。该令牌将于${c.date(n.expiresAt)}失效。`,
      `如果这不是您本人的操作，请立即撤销该令牌并修改密码：${c.publicUrl}/api-tokens`,
    ],
  }),
  'api_token.expiring': (n, c) => ({
    subject: `您的API令牌“${n.name}”将于${c.day(n.expiresAt)}失效`,
    lines: [
      `API令牌“${n.name}”将于${c.date(n.expiresAt)}失效。`,
      `届时，使用它的脚本将被拒绝访问。请在此之前创建一个新令牌并替换它：${c.publicUrl}/api-tokens`,
    ],
  }),
  'webhook.disabled': (n, c) => ({
    subject: `Webhook已停用：${n.endpoint}`,
    lines: [
      n.reason === 'gone'
        ? `位于${n.endpoint}的Webhook接收端于${c.when}返回了410 Gone，因此已被停用：它将不再收到任何事件。`
        : `向位于${n.endpoint}的Webhook接收端的投递持续失败了约一天，因此已于${c.when}停用：它将不再收到任何事件。`,
      `接收端恢复正常后，请打开它最近的投递记录并选择“重新发送”，即可重新启用：${c.publicUrl}/webhooks`,
    ],
  }),
  'realname.reviewed': (n, c) => ({
    subject: n.verified ? '您的实名认证已通过' : '您的实名认证未通过',
    lines: [
      n.verified
        ? `支持人员已于${c.when}通过了您账号的实名认证。今后如果您的手机和恢复码都丢失了，您可以申请移除虚拟MFA设备（登录页面上的“解绑MFA”）。`
        : `支持人员未能通过您账号的实名认证（${c.when}）。`,
      ...(n.note ? [`支持人员备注：${n.note}`] : []),
      `您的实名认证信息：${c.publicUrl}/account/real-name`,
    ],
  }),
  'recovery.rejected': (n, c) => ({
    subject: '您的解绑MFA申请已被拒绝',
    lines: [
      `支持人员已于${c.when}拒绝了移除您账号虚拟MFA设备的申请。`,
      `原因：${n.reason}`,
      '您的设备仍保持绑定。如果您仍然无法登录，请提供更充分的证明材料，重新提交申请。',
    ],
  }),
  'recovery.cancelled': (n, c) => {
    const why = {
      link: '有人使用了我们邮件中的取消链接',
      owner_activity: '该账号已使用动态验证码登录，说明设备并未丢失',
      contact_change: '该账号的邮箱或手机号已更改',
    };
    return {
      subject: '解绑MFA的申请已取消',
      lines: [
        `移除您账号虚拟MFA设备的申请已于${c.when}取消，原因是${why[n.reason]}。`,
        '您的设备仍保持绑定，其他一切均未改变。',
        `如果这不是您本人的操作，请检查您的安全设置：${c.security}`,
      ],
    };
  },
  'recovery.completed': (_n, c) => ({
    subject: '您的账号已解绑虚拟MFA设备',
    lines: [
      `根据您已获批准的恢复工单，您账号的虚拟MFA设备和恢复码已于${c.when}移除，所有会话均已退出登录。`,
      '下次登录时，请重新绑定您的身份验证器应用。我们还建议您修改密码。',
      '如果您并未提出此申请，请立即联系支持人员。',
    ],
  }),
  'workspace.mfa_required': (n, c) => ({
    subject: `工作空间${n.workspace}现已要求使用MFA`,
    lines: [
      `工作空间${n.workspace}已开启强制多因素认证。`,
      n.deadline <= c.at
        ? '下次登录时，系统会要求您先绑定身份验证器应用，然后才能继续。'
        : `请在${c.date(n.deadline)}之前绑定身份验证器应用：此后，您下次登录时会被要求先完成绑定。`,
      `账号管理 › 安全设置 › 虚拟MFA：${c.security}`,
    ],
  }),
  'workspace.passkey_required': (n, c) => ({
    subject: `工作空间${n.workspace}现已要求使用通行密钥`,
    lines: [
      `工作空间${n.workspace}现在只接受防钓鱼MFA：通行密钥或安全密钥。`,
      n.deadline <= c.at
        ? '下次登录时，系统会要求您先添加通行密钥，然后才能继续。'
        : `请在${c.date(n.deadline)}之前添加通行密钥：此后，您下次登录时会被要求先添加一个。`,
      `账号管理 › 安全设置 › MFA设备：${c.security}`,
    ],
  }),
  'workspace.mfa_reminder': (n, c) => ({
    subject: `提醒：请为工作空间${n.workspace}绑定身份验证器应用`,
    lines: [
      `${actor(n.by)}提醒您：工作空间${n.workspace}要求每位成员使用多因素认证，而您尚未绑定身份验证器应用。`,
      n.deadline === null
        ? '只需两分钟：用身份验证器应用扫描二维码，然后输入连续的两组动态验证码。'
        : n.deadline <= c.at
          ? '宽限期已过：您下次登录时会被要求先完成绑定，然后才能进行其他操作。'
          : `请在${c.date(n.deadline)}之前完成绑定：此后，您下次登录时会被要求先完成绑定。`,
      `账号管理 › 安全设置 › 虚拟MFA：${c.security}`,
    ],
  }),
};

export const mailTextsZh: MailTexts = {
  actor,
  greeting: (name) => `${name}，您好：`,
  signature: (issuer) => `— ${issuer}`,
  subject: (issuer, subject) => `${issuer}：${subject}`,
  whereFrom: (ip) => `（来自${ip}）`,
  notificationSms: (subject) => `${subject}。如果这不是您本人的操作，请立即联系支持人员。`,
  notifications,

  verificationCode: {
    subject: '您的验证码',
    sms: (issuer, code) => `【${issuer}】验证码：${code}，10分钟内有效。请勿告诉他人。`,
    lines: (code) => [
      `您的验证码是${code}，10分钟内有效。`,
      '如果您并未请求此验证码，可能有人知道了您的密码：请修改密码。',
    ],
  },
  recoveryCode: {
    subject: '您申请解绑MFA的验证码',
    lines: (code) => [
      `您提交解绑虚拟MFA设备申请的验证码是${code}，10分钟内有效。`,
      '它只能用于提交该申请，无法用于登录。',
      '如果您并未请求此验证码，说明有人知道您的登录名：您可以忽略此邮件，但请留意您账号的动态。',
    ],
  },
  recoverySubUser: {
    subject: 'MFA设备丢失了？',
    lines: [
      '有人申请解绑您登录名下的虚拟MFA设备。子用户无需提交工单：',
      '请联系您所在组织的主账号（或用户管理员）为您重置设备。',
      '之后在下次登录时，重新绑定您的身份验证器应用即可。',
    ],
  },
  passwordReset: {
    subject: (byAdmin) => (byAdmin ? '设置新密码' : '重置您的密码'),
    lines: (link, by) => [
      by
        ? `${actor(by)}向您发送了此链接，用于为您的账号设置新密码。请在30分钟内打开：`
        : '有人申请重置您账号的密码。如需设置新密码，请在30分钟内打开此链接：',
      link,
      '',
      by
        ? '在您使用此链接之前，当前密码仍然有效。您的虚拟MFA设备仍在保护该账号。'
        : '如果这不是您本人的操作，请忽略此邮件：您的密码不会改变。您的虚拟MFA设备仍在保护该账号。',
    ],
  },
  recoveryCancelLink: {
    subject: {
      submitted: () => '有人为您的账号提交了解绑MFA的申请',
      cooling_off: (effective) => `您的虚拟MFA设备将于${effective}移除`,
      reminder: (effective) => `您的虚拟MFA设备将在24小时内（${effective}）移除`,
    },
    said: {
      submitted: () => '有人以手机丢失为由，向支持人员申请移除您账号的虚拟MFA设备。支持人员将审核身份证明材料。',
      cooling_off: (effective) =>
        `两位支持人员已批准移除您账号虚拟MFA设备的申请。除非该申请被取消，您的设备和恢复码将于${effective}移除，所有会话也将退出登录。`,
      reminder: (effective) =>
        `这是最后一次提醒：两位支持人员已批准移除您账号虚拟MFA设备的申请。除非该申请被取消，您的设备和恢复码将于${effective}（不到24小时后）移除，所有会话也将退出登录。`,
    },
    lines: (said, link) => [
      said,
      '',
      '如果这不是您本人的操作，或者您已找回手机，请在此取消该申请：',
      link,
      '使用动态验证码登录也会取消该申请。',
    ],
    sms: (subject, link) => `${subject}。不是您本人操作？取消申请：${link}`,
  },
};
