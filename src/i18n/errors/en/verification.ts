/** API error messages of verification (English, the source). Keys name the situation; values are shown to people. */
export const verificationErrors = {
  emailNotConfigured:
    'Email is not configured on this server (TWOFOLD_SMTP_URL is not set), so no code can be sent by email. Choose another method.',
  noEmail: 'No email address can be reached for this account.',
  smsNotConfigured:
    'SMS is not configured on this server (TWOFOLD_SMS_WEBHOOK_URL is not set), so no code can be sent by SMS. Choose another method.',
  noPhone: 'No phone number can be reached for this account.',
  sessionEnded: 'Your session has ended. Log in again.',
  tooManyCodes: 'Too many codes were asked for. Wait a little before asking for another one.',
};
