import type { webhooksErrors } from '../en/webhooks.js';

/** API error messages of webhooks in Simplified Chinese: the type of the English source, key for key. */
export const webhooksErrorsZh: typeof webhooksErrors = {
  chooseEvent: '请至少选择一个事件。',
  eventNamedTwice: '每个事件只能列出一次。',
  unknownEvent: (type: string) => `${type}不是审计日志的事件类型。`,
  onlyPrimaryAccount: '只有主账号可以注册和管理Webhook。',
  notFound: '您的账号下没有该Webhook。',
  tooMany: (max: number) => `一个账号最多可以有${max}个Webhook。`,
  noSuchDelivery: '此Webhook没有该投递。',
  urlLength: (max: number) => `Webhook URL的长度必须为1到${max}个字符。`,
  urlNotHttp: 'Webhook URL必须是以http://或https://开头的完整地址。',
  urlCredentials: 'Webhook URL不能包含用户名或密码。',
  urlNoHost: 'Webhook URL没有主机名。',
  hostUnresolved: (host: string) => `无法解析Webhook URL的主机${host}。`,
  hostNotPublic: (host: string, address: string) =>
    `Webhook URL的主机${host}解析为${address}，这不是公网地址（设置TWOFOLD_WEBHOOKS_ALLOW_PRIVATE=1可允许）。`,
};
