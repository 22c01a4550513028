import type { securityTexts } from '../security.js';
import type { SensitiveOperationId } from '../../../../domain/step-up/sensitive-operations.js';

/**
 * The user's own security: overview, Security Settings, step-up, binding and unbinding a device,
 * recovery codes (docs/design.md F1, F3, F10).
 */
export const securityTextsZh: typeof securityTexts = {
  overview: {
    title: '概览',
    welcome: (name: string) => `欢迎，${name}`,
    account: '账号',
    alias: '账号别名：',
    subUsersLogIn: '子用户的登录名格式为',
    youLogIn: '您的登录名为',
    firstCodes: '管理员已为您绑定此虚拟MFA设备，因此您还没有恢复码。请立即生成并妥善保管：手机丢失时，可凭恢复码登录。',
    noCodesYet: '此虚拟MFA设备还没有恢复码。请立即生成并妥善保管：手机丢失时，可凭恢复码登录。',
    makeCodes: '生成恢复码',
    security: '安全',
    recommend: '强烈建议您绑定虚拟MFA设备：这样即使密码泄露，他人也无法登录您的账号。',
    workspaceBanner: '您所在的某个工作空间要求使用MFA。',
    workspaceDeadline: (at: string) => `请在${at}之前绑定虚拟MFA设备；逾期后，您将在登录时被要求完成绑定。`,
    bindNow: '立即绑定',
  },
  mfaCard: {
    title: '虚拟MFA',
    text: '每次登录时需输入身份验证器应用（Google Authenticator、Microsoft Authenticator等）生成的6位动态验证码。',
    /** What the card says for the devices the person has (an empty list: what binding would add). */
    // The English source infers a union of its literals as the return type: the cast widens it.
    textFor: ((types: string[]): string =>
      types.includes('webauthn')
        ? types.includes('totp')
          ? '您的通行密钥和身份验证器应用：每次登录时需使用通行密钥，或输入应用生成的6位动态验证码。'
          : '每次登录时需使用您的通行密钥（指纹、面容、屏幕锁或安全密钥）。'
        : '每次登录时需输入身份验证器应用（Google Authenticator、Microsoft Authenticator等）生成的6位动态验证码。') as typeof securityTexts.mfaCard.textFor,
    since: '绑定于',
    unbind: '解绑',
    bind: '绑定',
    devices: 'MFA设备',
  },
  security: {
    recoveryPending: '您有一个待处理的工单：申请支持人员移除您的虚拟MFA设备。',
    recoveryPendingUntil: '您有一个申请支持人员移除虚拟MFA设备的工单：已有两名支持人员批准，设备移除时间为',
    recoveryNotYou: '如果这不是您本人提交的申请，请立即取消。',
    title: '安全设置',
    heading: '账号管理',
    settings: '安全设置',
    passwordTitle: '登录密码',
    passwordUsedWith: (login: string) => `用于登录${login}。`,
    passwordSet: '已设置',
    change: '修改',
    protection: '账号保护',
    loginScenario: '登录',
    loginBound: '先输入密码，再输入虚拟MFA设备生成的动态验证码。',
    loginBoundPasskey: '先输入密码，再使用通行密钥或输入动态验证码；也可仅使用通行密钥登录。',
    loginUnbound: '仅需密码。绑定虚拟MFA设备后，登录时还需输入动态验证码。',
    sensitiveScenario: '敏感操作',
    sensitiveText: '解绑设备，修改密码、邮箱或手机号，管理用户的登录方式，设置工作空间的MFA策略。',
    methods: {
      totp: '身份验证器应用的动态验证码（TOTP）',
      webauthn: '通行密钥',
      device: '任一MFA设备：应用生成的动态验证码或通行密钥',
      email: '邮箱验证码',
      sms: '短信验证码',
      password: '密码',
    } as Record<string, string>,
  },
  stepUp: {
    title: '身份验证',
    heading: '验证您的身份',
    isSensitive: (purpose: string) => `${purpose}属于敏感操作。`,
    totpIntro: '请输入身份验证器应用中的动态验证码。',
    passkeyIntro: '请使用通行密钥确认。',
    passkeyOrCode: '请使用通行密钥确认，或在下方输入身份验证器应用中的动态验证码。',
    passkeyOnly: '此操作需要使用通行密钥：应用生成的动态验证码不足以完成验证。',
    sent: (destination: string) => `我们已向${destination}发送6位验证码，10分钟内有效。`,
    codeLabel: '验证码',
    sendAgain: '重新发送验证码',
    emailTo: (destination: string) => `发送验证码至邮箱${destination}`,
    textTo: (destination: string) => `发送短信验证码至${destination}`,
    usePassword: '改用密码验证',
    withPassword: '使用密码验证',
    verified: '验证成功',
    continueWith: (purpose: string) => `身份验证成功。请继续：${purpose}。`,
    continue: '继续',
    purposes: {
      bind: '绑定虚拟MFA设备',
      addDevice: '添加MFA设备或通行密钥',
      removeDevice: '移除MFA设备',
      enterPhishingResistant: '进入要求使用通行密钥的工作空间',
      unbind: '解绑虚拟MFA设备',
      workspace: '进入或修改要求MFA的工作空间',
      enterWorkspace: '进入要求MFA的工作空间',
      users: '修改用户的登录方式',
      protection: '修改敏感操作的验证方式',
      profile: '修改邮箱、手机号或密码',
      recoveryCodes: '生成新的恢复码',
      sessions: '退出其他所有会话',
      policy: '修改工作空间的MFA策略',
      deleteWorkspace: '删除工作空间',
      realName: '提交实名认证信息',
      support: '处理支持申请',
    },
    /** What a step-up continues, by the sensitive operation that asked for it (docs/sensitive-operations.md). */
    operations: {
      'mfa.bind': '绑定虚拟MFA设备',
      'mfa.unbind': '解绑虚拟MFA设备',
      'mfa.add_device': '添加MFA设备或通行密钥',
      'mfa.remove_device': '移除MFA设备',
      'mfa.regenerate_recovery_codes': '生成新的恢复码',
      'sessions.end_others': '退出其他所有会话',
      'account.change_password': '修改密码',
      'account.change_email': '修改邮箱',
      'account.change_phone': '修改手机号',
      'account.change_protection': '修改敏感操作的验证方式',
      'users.change_sign_in': '修改用户的登录方式',
      'users.delete': '删除用户',
      'users.bind_mfa': '为用户绑定虚拟MFA设备',
      'users.reset_mfa': '重置用户的虚拟MFA设备',
      'users.remove_device': '移除用户的MFA设备',
      'workspaces.change_policy': '修改工作空间的MFA策略',
      'workspaces.delete': '删除工作空间',
      'account.submit_real_name': '提交实名认证信息',
      'support.review_real_name': '审核实名认证信息',
      'support.approve_recovery': '批准手机丢失工单',
      'support.reject_recovery': '驳回手机丢失工单',
      'oidc.create_client': '注册应用',
      'oidc.change_client': '修改应用地址',
      'oidc.delete_client': '删除应用',
      'api_tokens.create': '创建API令牌',
      'webhooks.create': '注册Webhook',
      'webhooks.rotate_secret': '更换Webhook签名密钥',
    } satisfies Record<SensitiveOperationId, string> as Record<string, string>,
  },
  bind: {
    requiredByWorkspaces: (names: string[]) =>
      `工作空间${names.map((name) => `“${name}”`).join('、')}要求所有成员使用虚拟MFA。请绑定身份验证器应用以继续；在此之前，您只能退出登录。`,
    requiredByAdministrator: '管理员要求您的登录使用虚拟MFA。请绑定身份验证器应用以继续；在此之前，您只能退出登录。',
    newKey: '这是新的密钥：之前显示的二维码或密钥已失效。如果您已扫描过，请先从应用中删除该条目，再扫描此二维码。',
    openInApp: '在身份验证器应用中打开',
    copyKey: '复制密钥',
    copied: '已复制',
    title: '绑定虚拟MFA',
    heading: '绑定虚拟MFA设备',
    required: '您的账号要求使用虚拟MFA。请绑定身份验证器应用以继续；在此之前，您只能退出登录。',
    steps: [
      '在手机上安装身份验证器应用（Google Authenticator、Microsoft Authenticator或任意TOTP应用）。',
      '页面将显示二维码和密钥；请在应用中扫描二维码或手动输入密钥以添加账号。',
      '输入应用中连续的两组动态验证码完成确认。',
    ],
    showQr: '显示二维码',
    scan: '1. 扫描二维码',
    typeKey: '或手动输入密钥',
    keyHint: '在应用中选择“输入设置密钥”，账号名称填写',
    timeBased: '，类型选择“基于时间”。',
    enterCodes: (two: boolean) => `2. 输入${two ? '连续的两组动态验证码' : '动态验证码'}`,
    codesHint: ((two: boolean): string =>
      two
        ? '请输入应用当前显示的动态验证码，等待其刷新（每30秒一次）后，再输入下一组。'
        : '请输入应用当前显示的动态验证码。') as typeof securityTexts.bind.codesHint,
    expires: (at: string) => `此页面将于${at}过期。`,
    firstCode: '第一组动态验证码',
    nextCode: '第二组动态验证码',
    confirm: '确认',
  },
  recoveryCodes: {
    title: '恢复码',
    heading: '保存您的恢复码',
    intro: '手机丢失时，每个恢复码可代替一次动态验证码：用于登录，以及解绑丢失的设备。恢复码仅在此时显示。',
    download: '下载为文本文件',
    print: '或打印此页面，或将其复制到密码管理器中。',
    saved: '我已将恢复码保存在安全的地方',
    continue: '继续',
    file: (issuer: string, login: string, codes: string[]) =>
      [`${issuer}恢复码（${login}）`, '', ...codes, '', '每个恢复码仅可使用一次，请妥善保管。', ''].join('\n'),
    left: (n: number) => `剩余${n}个`,
    settingTitle: '恢复码',
    settingText: '手机丢失时使用的一次性验证码。',
    regenerate: '生成新的恢复码',
    useOne: '使用恢复码',
    codeLabel: '恢复码',
    codePlaceholder: 'XXXXX-XXXXX',
    signIn: '使用恢复码登录',
    unbindWithOne: '手机丢失？使用恢复码解绑',
    stepUpWithOne: '手机不在身边？使用恢复码验证（该恢复码将失效）',
    unbindButton: '使用恢复码解绑',
    required: '请输入恢复码（10位字母和数字，如7KQ4M-Z2P9X）。',
  },
  unbind: {
    title: '解绑虚拟MFA',
    heading: '解绑虚拟MFA设备',
    consequence: '解绑后，此设备生成的动态验证码将失效，登录时仅需密码。如需更换设备，请先解绑，再绑定新设备。',
    workspaces: (names: string) =>
      `您所在的工作空间要求使用MFA（${names.split(', ').join('、')}）：没有设备将无法进入这些工作空间，直至您重新绑定。`,
    codeLabel: '应用当前显示的动态验证码',
    oneCode: '一组当前的动态验证码即可同时验证您的身份并确认解绑。',
    submit: '解绑',
    passkeyOnly: '您唯一的MFA设备是通行密钥：此处无需输入动态验证码。请在MFA设备页面移除该通行密钥。',
    toDevices: '前往MFA设备',
  },
  confirm: {
    title: '确认',
    deleteUser: (name: string) => `确定删除用户${name}？`,
    deleteUserText: '该用户及其虚拟MFA设备和会话将被删除，其审计事件将保留。此操作不可撤销。',
    deleteUserButton: '删除用户',
    resetDevice: (name: string) => `确定重置${name}的虚拟MFA设备？`,
    resetDeviceText:
      '该用户的设备和恢复码将被删除，其所有会话将立即结束。该用户下次登录时必须绑定新设备（此操作将为该用户开启“要求虚拟MFA”）。系统将通过邮件通知该用户，并附上您填写的原因。',
    resetButton: '重置虚拟MFA',
    policyOn: (name: string) => `确定要求工作空间“${name}”的所有成员使用MFA？`,
    policyOnText: (unbound: number, grace: number) =>
      `${unbound}名成员尚未绑定虚拟MFA设备。${
        grace === 0
          ? '他们将立即失去该工作空间的访问权限，并在下次登录时被引导完成绑定。'
          : `他们在${grace}天内仍可访问，之后将在下次登录时被引导完成绑定。`
      }系统将通过邮件通知未绑定设备的成员。`,
    policyButton: '要求MFA',
    passkeysOn: (name: string) => `确定要求工作空间“${name}”的所有成员使用通行密钥？`,
    passkeysOnText: (without: number, grace: number) =>
      `${without}名成员尚未添加通行密钥。${
        grace === 0
          ? '他们将立即失去该工作空间的访问权限，并在下次登录时被引导添加通行密钥。'
          : `他们在${grace}天内仍可访问，之后将在下次登录时被引导添加通行密钥。`
      }仅通过应用动态验证码验证的会话将无法进入该工作空间。`,
    passkeysButton: '要求通行密钥',
    reasonLabel: '原因',
    reasonPlaceholder: '如：手机丢失，工单4711',
  },
};
