import type { verificationErrors } from '../en/verification.js';

/** API error messages of verification in Simplified Chinese: the type of the English source, key for key. */
export const verificationErrorsZh: typeof verificationErrors = {
  emailNotConfigured: '此服务器未配置邮件（未设置 TWOFOLD_SMTP_URL），因此无法通过邮件发送验证码。请选择其他方式。',
  noEmail: '此账号没有可以联系到的邮箱。',
  smsNotConfigured:
    '此服务器未配置短信（未设置 TWOFOLD_SMS_WEBHOOK_URL），因此无法通过短信发送验证码。请选择其他方式。',
  noPhone: '此账号没有可以联系到的手机号。',
  sessionEnded: '您的会话已结束，请重新登录。',
  tooManyCodes: '请求验证码的次数过多。请稍等片刻再请求。',
};
