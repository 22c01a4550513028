import type { devicesTexts } from '../devices.js';
import type { Notice } from '../common.js';

/**
 * Several MFA devices per person and passkeys (issue 22): Security Settings › MFA devices, adding an
 * authenticator app or a passkey, renaming and removing one, the passkey ceremony's own words, and
 * the page a phishing-resistant workspace sends a person to.
 */
export const devicesTextsZh: typeof devicesTexts = {
  devices: {
    title: 'MFA设备',
    breadcrumb: 'MFA设备',
    intro:
      '此处的每个设备都可用于验证您的身份：登录时，以及执行敏感操作时。建议再添加一个备用设备（通行密钥，或另一部手机上的身份验证器应用），以免一部手机丢失就无法登录。',
    none: '尚未添加MFA设备。请添加身份验证器应用或通行密钥：这样即使密码泄露，他人也无法登录您的账号。',
    types: { totp: '身份验证器应用', webauthn: '通行密钥' } as Record<string, string>,
    added: '添加时间',
    lastUsed: '最近使用',
    neverUsed: '从未使用',
    rename: '重命名',
    nameLabel: '名称',
    namePlaceholder: '如：Pixel 8、YubiKey 5C',
    nameRule: '设备名称须为1～64个字符，且不能全为空格。',
    saveName: '保存名称',
    remove: '移除…',
    addHeading: '添加设备',
    addApp: '添加身份验证器应用',
    addAppText:
      '可显示6位动态验证码的应用（Google Authenticator、Microsoft Authenticator等）：扫描二维码，然后输入连续的两组动态验证码完成确认。',
    addPasskey: '添加通行密钥',
    addPasskeyText:
      '通行密钥或安全密钥（Touch ID、Windows Hello、Android手机、YubiKey）：无需输入任何内容，仿冒网站也无法转发使用。',
    optionalName: '名称（可选）',
    addPasskeyNeedsScript: '添加通行密钥需要浏览器启用JavaScript：请先为本站开启JavaScript。',
    addPasskeyUnsupported: '此浏览器无法创建通行密钥：请使用其他浏览器添加。',
    limit: (max: number) => `您已有${max}个MFA设备，已达上限。请移除一个不再使用的设备后再添加。`,
    passkeysUnavailable: '此服务器暂不支持通行密钥：',
    appHeading: '添加身份验证器应用',
    removeHeading: (name: string) => `确定移除“${name}”？`,
    removeText: (type: string) =>
      `该设备将立即失效：${type === 'webauthn' ? '该通行密钥将无法再用于登录' : '其动态验证码将无法再用于登录'}。您的其他设备不受影响，其他会话将退出登录。`,
    removeOnlyPasskeyWorkspaces: (names: string) =>
      `这是您唯一的通行密钥，而工作空间${names
        .split(', ')
        .map((name) => `“${name}”`)
        .join('、')}要求使用通行密钥：移除后，在重新添加通行密钥之前，您将无法进入（身份验证器应用不足以满足要求）。`,
    removeLastText:
      '这是您最后一个MFA设备：恢复码将随之删除，其他会话将退出登录，在您重新添加设备之前，登录时仅需密码。',
    removeLastWorkspaces: (names: string) =>
      `您所在的工作空间要求使用MFA（${names.split(', ').join('、')}）：没有设备将无法进入这些工作空间，直至您重新添加设备。`,
    removeButton: '移除设备',
    notFound: '未找到该MFA设备：它可能已被移除。',
    manage: 'MFA设备',
    count: (n: number) => `${n}个设备`,
    notices: {
      'app-added': { kind: 'success', text: '身份验证器应用已添加，其动态验证码现可用于登录。' },
      'passkey-added': { kind: 'success', text: '通行密钥已添加，下次登录时即可使用。' },
      renamed: { kind: 'success', text: '设备已重命名。' },
      removed: { kind: 'success', text: '设备已移除，已无法再使用。' },
      'last-removed': {
        kind: 'success',
        text: '您最后一个MFA设备已移除，恢复码也已一并删除。现在登录时仅需密码。',
      },
      'several-devices': {
        kind: 'info',
        text: '您有多个MFA设备：请在此处移除您要移除的那一个，其他设备不受影响。',
      },
    } satisfies Record<string, Notice>,
  },
  passkeys: {
    registerTitle: '添加通行密钥',
    registerHeading: '创建通行密钥',
    registerIntro: '点击下方按钮，浏览器将提示您为此账号创建通行密钥。请使用指纹、面容、屏幕锁或安全密钥确认。',
    create: '创建通行密钥',
    expires: (at: string) => `此页面将于${at}过期。`,
    needsScript: '通行密钥需要浏览器启用JavaScript：请为本站开启JavaScript，或使用身份验证器应用中的动态验证码。',
    unsupported: '此浏览器不支持通行密钥。请使用身份验证器应用中的动态验证码，或更换浏览器。',
    /** Where no code is accepted, only a passkey. */
    needsScriptOnly: '通行密钥需要浏览器启用JavaScript：请为本站开启JavaScript，或使用支持JavaScript的浏览器重新访问。',
    unsupportedOnly: '此浏览器不支持通行密钥：请使用其他浏览器重新访问。',
    /** Where a recovery code is the only other way. */
    needsScriptOrRecovery: '通行密钥需要浏览器启用JavaScript：请为本站开启JavaScript，或使用下方的恢复码。',
    unsupportedOrRecovery: '此浏览器不支持通行密钥：请更换浏览器，或使用下方的恢复码。',
    /** The second step of a login whose only device is a passkey. */
    needsScriptSignIn:
      '通行密钥需要JavaScript：本次登录需要浏览器为本站开启JavaScript才能使用通行密钥。否则，请使用下方的恢复码登录；如果设备已丢失，请点击“解绑MFA”。',
    unsupportedSignIn:
      '此浏览器不支持通行密钥：请更换浏览器登录，或使用下方的恢复码登录；如果设备已丢失，请点击“解绑MFA”。',
    cancelled: '通行密钥未响应：操作已取消或超时。请重试。',
    exists: '此通行密钥已注册：请选择其他通行密钥，或添加身份验证器应用。',
    failed: '无法使用该通行密钥。请重试，或使用身份验证器应用中的动态验证码。',
    noAnswer: '通行密钥未响应，请重试。',
    /** Where no app code would be accepted instead. */
    failedNoCode: '无法使用该通行密钥，请重试。',
    use: '使用通行密钥',
    orCode: '或输入动态验证码',
    requiredTitle: '需要通行密钥',
    requiredHeading: '请添加通行密钥以继续',
    requiredByWorkspaces: (names: string[]) =>
      `工作空间${names.map((name) => `“${name}”`).join('、')}要求使用防钓鱼MFA，即通行密钥：仿冒网站可以转发动态验证码，却无法转发通行密钥。请立即添加；在此之前，您只能退出登录。`,
    requiredByPolicy:
      '您所在的某个工作空间要求使用防钓鱼MFA，即通行密钥：仿冒网站可以转发动态验证码，却无法转发通行密钥。请立即添加；在此之前，您只能退出登录。',
    instead: '或改为添加通行密钥',
    noPasskeyForWorkspace: '此工作空间要求使用通行密钥，而您尚未添加：请在MFA设备中添加后再返回。',
    /** The overview's and Security Settings' banner while a workspace's grace period runs. */
    deadlineBanner: (workspace: string) => `工作空间“${workspace}”要求您添加通行密钥，截止时间为`,
    addOneUnder: '请前往',
  },
};
