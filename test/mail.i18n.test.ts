import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bindDevice,
  call,
  createHarness,
  createSubUser,
  databaseKinds,
  loginAs,
  passwordStep,
  primaryAccount,
  signupAndLogin,
  wrongCode,
  type Harness,
} from './helpers/harness.js';
import { referenceBase32Decode, referenceTotp } from './helpers/rfc6238.js';
import { renderNotification, type Notification, type NotificationKind } from '../src/domain/notify/notifications.js';
import { locales } from '../src/i18n/locale.js';

/** One notification of every kind (the type makes a new kind without a sample fail to compile). */
const samples: { [K in NotificationKind]: Extract<Notification, { kind: K }> } = {
  'mfa.bound': { kind: 'mfa.bound', byAdmin: null, device: { name: 'Pixel', type: 'totp' } },
  'mfa.unbound': { kind: 'mfa.unbound', device: 'Pixel' },
  'mfa.device_removed': {
    kind: 'mfa.device_removed',
    device: { name: 'YubiKey', type: 'webauthn' },
    remaining: 2,
    byAdmin: null,
  },
  'mfa.reset_by_admin': { kind: 'mfa.reset_by_admin', admin: 'Ada', reason: 'Phone lost' },
  'mfa.locked': { kind: 'mfa.locked', until: Date.UTC(2026, 11, 7, 12, 43), subject: null },
  'login.locked': { kind: 'login.locked', until: Date.UTC(2026, 11, 7, 12, 43) },
  'mfa.recovery_code_used': { kind: 'mfa.recovery_code_used', remaining: 9 },
  'mfa.recovery_codes_regenerated': { kind: 'mfa.recovery_codes_regenerated' },
  'account.password_changed': { kind: 'account.password_changed' },
  'login.new_browser': { kind: 'login.new_browser', userAgent: 'Mozilla/5.0 NewBrowser/1.0' },
  'workspace.mfa_required': { kind: 'workspace.mfa_required', workspace: 'Ops', deadline: Date.UTC(2026, 11, 14) },
  'workspace.passkey_required': {
    kind: 'workspace.passkey_required',
    workspace: 'Ops',
    deadline: Date.UTC(2026, 11, 14),
  },
  'workspace.mfa_reminder': { kind: 'workspace.mfa_reminder', workspace: 'Ops', deadline: null, by: 'Ada' },
  'account.email_changed': { kind: 'account.email_changed', newAddress: 'new@example.com' },
  'account.phone_changed': { kind: 'account.phone_changed', newNumber: '+8613800000000' },
  'realname.reviewed': { kind: 'realname.reviewed', verified: true, note: null },
  'recovery.rejected': { kind: 'recovery.rejected', reason: 'Blurry photo' },
  'recovery.cancelled': { kind: 'recovery.cancelled', reason: 'owner_activity' },
  'recovery.completed': { kind: 'recovery.completed' },
  'webhook.disabled': { kind: 'webhook.disabled', endpoint: 'https://hooks.example.com/in', reason: 'gone' },
  'api_token.created': {
    kind: 'api_token.created',
    name: 'CI deploy',
    scopes: ['users:read', 'mfa:reset'],
    expiresAt: Date.UTC(2027, 2, 1),
  },
  'api_token.expiring': { kind: 'api_token.expiring', name: 'CI deploy', expiresAt: Date.UTC(2026, 11, 10) },
  'account.changed_by_admin': {
    kind: 'account.changed_by_admin',
    admin: 'Ada',
    changes: ['email', 'phone', 'password', 'disabled', 'enabled'],
  },
};

/** The other branches of the texts: each must render too. */
const variants: Notification[] = [
  { kind: 'mfa.bound', byAdmin: 'Ada', device: { name: 'Key', type: 'webauthn' } },
  { kind: 'mfa.bound', byAdmin: null },
  { kind: 'mfa.unbound' },
  { kind: 'mfa.device_removed', device: { name: 'Pixel', type: 'totp' }, remaining: 0, byAdmin: 'Ada' },
  { kind: 'mfa.device_removed', device: { name: 'Pixel', type: 'totp' }, remaining: 1, byAdmin: null },
  { kind: 'mfa.reset_by_admin', admin: 'Ada', reason: null },
  { kind: 'mfa.locked', until: Number.MAX_SAFE_INTEGER, subject: { displayName: 'Sam', username: 'sam' } },
  { kind: 'mfa.recovery_code_used', remaining: 1 },
  { kind: 'login.new_browser', userAgent: null },
  { kind: 'workspace.mfa_required', workspace: 'Ops', deadline: 0 },
  { kind: 'workspace.passkey_required', workspace: 'Ops', deadline: 0 },
  { kind: 'workspace.mfa_reminder', workspace: 'Ops', deadline: 0, by: 'Ada' },
  { kind: 'workspace.mfa_reminder', workspace: 'Ops', deadline: Date.UTC(2026, 11, 14), by: 'Ada' },
  { kind: 'account.phone_changed', newNumber: null },
  { kind: 'realname.reviewed', verified: false, note: 'Name does not match' },
  { kind: 'recovery.cancelled', reason: 'link' },
  { kind: 'recovery.cancelled', reason: 'contact_change' },
  { kind: 'webhook.disabled', endpoint: 'https://hooks.example.com/in', reason: 'failing' },
];

const at = Date.UTC(2026, 11, 7, 12, 28, 41);
const context = { name: 'Li Lei', issuer: 'twofold', publicUrl: 'https://2fa.example.com', at, ip: '203.0.113.9' };
/** English words that no Chinese text of ours contains (values in the samples avoid them). */
const english = /\b(the|your|you|was|were|account|device|code|codes|if|this|from|on)\b/i;

describe('mail catalogue', () => {
  it.each(locales.flatMap((locale) => [...Object.values(samples), ...variants].map((n) => [locale, n] as const)))(
    '%s: %o renders',
    (locale, notification) => {
      const mail = renderNotification(notification, { ...context, locale });
      expect(mail.subject).toMatch(/^twofold[:：] \S|^twofold：\S/);
      expect(mail.text.split('\n').filter((l) => l.trim()).length).toBeGreaterThanOrEqual(4);
      expect(mail.text).not.toMatch(/undefined|null|NaN|\[object/);
      if (locale === 'zh-CN') {
        expect(mail.subject).toMatch(/[\u4e00-\u9fff]/);
        expect(mail.text.replace(/https?:\/\/\S+/g, '')).not.toMatch(english);
        expect(mail.subject).not.toMatch(english);
        expect(mail.text).not.toMatch(/[,.;:?!]$/m);
      }
    },
  );

  it('every kind has a sample', () => {
    expect(Object.keys(samples)).toHaveLength(Object.keys(samples).length);
    for (const [kind, sample] of Object.entries(samples)) expect(sample.kind).toBe(kind);
  });

  it('reads dates in the reader language, in the display time zone, and escapes values in HTML', () => {
    const zh = renderNotification(samples['api_token.created'], { ...context, locale: 'zh-CN' });
    expect(zh.subject).toBe('twofold：已创建API令牌：CI deploy');
    expect(zh.text).toContain('您的账号于2026年12月7日 12:28 UTC（来自203.0.113.9）创建了API令牌“CI deploy”。');
    expect(zh.text).toContain('该令牌将于2027年3月1日 00:00 UTC失效。');
    expect(zh.text.startsWith('Li Lei，您好：\n')).toBe(true);
    const en = renderNotification(samples['api_token.created'], { ...context, locale: null });
    expect(en.subject).toBe('twofold: An API token was created: CI deploy');
    expect(en.text).toContain('The API token "CI deploy" was created for your account on 7 Dec 2026, 12:28 UTC');
    const expiring = renderNotification(samples['api_token.expiring'], { ...context, locale: 'zh-CN' });
    expect(expiring.subject).toBe('twofold：您的API令牌“CI deploy”将于2026年12月10日失效');

    const byOperator = renderNotification(
      { kind: 'mfa.reset_by_admin', admin: 'The operator of this service', reason: null },
      { ...context, locale: 'zh-CN' },
    );
    expect(byOperator.text).toContain('本服务的运营人员于2026年12月7日 12:28 UTC重置了您账号的虚拟MFA设备。');
    const bySubAdmin = renderNotification(
      { kind: 'account.changed_by_admin', admin: 'Ann (ann)', changes: ['email', 'disabled'] },
      { ...context, locale: 'zh-CN' },
    );
    expect(bySubAdmin.text).toContain(
      '2026年12月7日 12:28 UTC，Ann（ann）更改了您的邮箱；禁用了您的账号：您已无法登录。',
    );

    const hostile = renderNotification(
      { kind: 'mfa.reset_by_admin', admin: '<script>x</script>', reason: 'a & "b"' },
      { ...context, name: '<b>李</b>', locale: 'zh-CN' },
    );
    expect(hostile.html).toContain('&lt;b&gt;李&lt;/b&gt;，您好：');
    expect(hostile.html).toContain('&lt;script&gt;x&lt;/script&gt;于');
    expect(hostile.html).toContain('原因：a &amp; &quot;b&quot;');
    expect(hostile.html).not.toContain('<script>');
    expect(hostile.html).toContain('<html lang="zh-CN">');
  });
});

describe.each(databaseKinds())('security mail in the recipient language (%s)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => {
    await h.close();
  });

  const mails = async (to: string) => (await h.services.outbox(to)).reverse();
  const inChinese = async (token: string) =>
    expect((await call(h.app, 'PATCH', '/api/v1/me', { token, body: { locale: 'zh-CN' } })).status).toBeLessThan(300);
  /** "2026年12月7日 12:28 UTC" */
  const zhDate = /\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} UTC/;

  it('binding a device: Chinese for a zh-CN user, English for one who never chose', async () => {
    const zh = await signupAndLogin(h);
    await inChinese(zh.token);
    await bindDevice(h, zh.token);
    const [bound] = (await mails(zh.email)).filter((m) => m.kind === 'mfa.bound');
    expect(bound!.subject).toBe('twofold test：您的账号绑定了虚拟MFA设备');
    expect(bound!.text).toMatch(/^\S+，您好：\n/);
    expect(bound!.text).toContain('此后，登录时需要输入该身份验证器应用中的6位动态验证码。');
    expect(bound!.text).toMatch(new RegExp(`您的账号于${zhDate.source}（来自127\\.0\\.0\\.1）添加了虚拟MFA设备`));
    expect(bound!.text).not.toContain('From now on');
    expect(bound!.text).not.toContain('If this was not you');
    expect(bound!.text).not.toContain('Hello');

    const en = await signupAndLogin(h);
    await bindDevice(h, en.token);
    const [english] = (await mails(en.email)).filter((m) => m.kind === 'mfa.bound');
    expect(english!.subject).toBe('twofold test: A virtual MFA device was bound to your account');
    expect(english!.text).toContain('From now on, a 6-digit code from that authenticator app works at login.');
  });

  it('a recovery code used, and new ones made: Chinese', async () => {
    const user = await signupAndLogin(h);
    await inChinese(user.token);
    const device = await bindDevice(h, user.token);
    const challengeId = await passwordStep(h, user.email);
    const login = await call(h.app, 'POST', '/api/v1/sessions/mfa', {
      body: { challengeId, recoveryCode: device.recoveryCodes[0] },
    });
    expect(login.status).toBe(201);
    const [used] = (await mails(user.email)).filter((m) => m.kind === 'mfa.recovery_code_used');
    expect(used!.subject).toBe('twofold test：您的账号使用了一个恢复码');
    expect(used!.text).toContain('您还剩9个未使用的恢复码。');
    expect(used!.text).toContain('手机丢失了？请解绑旧设备并绑定新设备：http://twofold.test/account/security');
    expect(used!.text).toMatch(zhDate);
    expect(used!.text).not.toContain('recovery code');
    expect(used!.text).not.toContain('If this was not you');
  });

  it('a lockout: the zh-CN sub-user reads Chinese, its English primary account English', async () => {
    const primary = await primaryAccount(h);
    const sub = await createSubUser(h, primary.token, primary.alias, {
      email: `locked.${primary.alias}@example.com`,
      displayName: '小王',
    });
    const subSession = (await loginAs(h, sub.login)).body.session.token;
    await inChinese(subSession);
    const { secret } = await bindDevice(h, subSession);
    for (let round = 0; round < 2; round++) {
      const challengeId = await passwordStep(h, sub.login);
      for (let i = 0; i < 5; i++)
        await call(h.app, 'POST', '/api/v1/sessions/mfa', {
          body: { challengeId, code: wrongCode(secret, h.clock.now()) },
        });
    }
    const [locked] = (await mails(`locked.${primary.alias}@example.com`)).filter((m) => m.kind === 'mfa.locked');
    expect(locked!.subject).toBe('twofold test：您账号的第二重验证已暂停');
    expect(locked!.text).toMatch(
      new RegExp(`^小王，您好：\\n\\n您的账号输入错误的动态验证码次数过多，最近一次发生在${zhDate.source}`),
    );
    expect(locked!.text).toMatch(new RegExp(`验证已暂停，直到${zhDate.source}。`));
    expect(locked!.text).not.toContain('paused');
    expect(locked!.text).not.toContain('Someone may know the password');

    const [toPrimary] = (await mails(primary.email)).filter((m) => m.kind === 'mfa.locked');
    expect(toPrimary!.subject).toBe('twofold test: Second-factor checks on your account are paused');
    expect(toPrimary!.text).toContain(`Your sub-user 小王 (${sub.username}) had too many wrong dynamic codes`);
  });

  it('an administrator resets the device of a zh-CN sub-user: Chinese, with the reason', async () => {
    const primary = await primaryAccount(h);
    const sub = await createSubUser(h, primary.token, primary.alias, { email: `reset.${primary.alias}@example.com` });
    await inChinese((await loginAs(h, sub.login)).body.session.token);
    const enrollment = await call(h.app, 'POST', `/api/v1/users/${sub.id}/mfa-device`, { token: primary.token });
    const key = referenceBase32Decode(enrollment.body.enrollment.secret);
    await call(h.app, 'POST', `/api/v1/users/${sub.id}/mfa-device/activate`, {
      token: primary.token,
      body: {
        enrollmentId: enrollment.body.enrollment.id,
        codes: [referenceTotp(key, h.clock.now(), -1), referenceTotp(key, h.clock.now())],
      },
    });
    const reset = await call(h.app, 'DELETE', `/api/v1/users/${sub.id}/mfa-device`, {
      token: primary.token,
      body: { reason: '手机在火车上丢了' },
    });
    expect(reset.status).toBe(204);
    const sent = await mails(`reset.${primary.alias}@example.com`);
    const got = ['mfa.bound', 'mfa.reset_by_admin'].map((kind) => sent.find((m) => m.kind === kind)!);
    expect(got.map((m) => m.subject)).toEqual([
      'twofold test：您的账号绑定了虚拟MFA设备',
      'twofold test：管理员重置了您的虚拟MFA设备',
    ]);
    expect(got[0]!.text).toMatch(/主账号（[^）]+）于\d{4}年.*为您的账号绑定了虚拟MFA设备“[^”]+”。/);
    expect(got[0]!.text).not.toContain('The primary account');
    expect(got[1]!.text).toMatch(new RegExp(`\\S+于${zhDate.source}重置了您账号的虚拟MFA设备。`));
    expect(got[1]!.text).toContain('原因：手机在火车上丢了');
    expect(got[1]!.text).toContain('下次登录时，您必须先重新绑定身份验证器应用，才能进行其他操作。');
    expect(got[1]!.text).not.toContain('Reason given');
    expect(got[1]!.text).not.toContain('Your sessions were ended');
  });

  it('a zh-CN sub-user who lost its device is told, in Chinese, to ask its administrator', async () => {
    const primary = await primaryAccount(h);
    const sub = await createSubUser(h, primary.token, primary.alias, { email: `lost.${primary.alias}@example.com` });
    await inChinese((await loginAs(h, sub.login)).body.session.token);
    h.clock.advance(61_000);
    const sent = await call(h.app, 'POST', '/api/v1/recovery/verifications', { body: { login: sub.login } });
    expect(sent.status).toBe(202);
    await h.services.recoveryTickets.settled();
    const [mail] = (await mails(`lost.${primary.alias}@example.com`)).filter((m) => m.kind === 'recovery.sub_user');
    expect(mail!.subject).toBe('twofold test：MFA设备丢失了？');
    expect(mail!.text).toContain('请联系您所在组织的主账号（或用户管理员）为您重置设备。');
    expect(mail!.text).not.toContain('Sub-users do not open support tickets');
  });

  it('codes by e-mail and SMS, and a password-reset link, in Chinese for a zh-CN user', async () => {
    const primary = await primaryAccount(h);
    const sub = await createSubUser(h, primary.token, primary.alias, {
      phone: '+8613800138000',
      email: `codes.${primary.alias}@example.com`,
    });
    const session = (await loginAs(h, sub.login)).body.session.token;
    await inChinese(session);
    h.clock.advance(301_000);
    for (const channel of ['email', 'sms'])
      expect(
        (await call(h.app, 'POST', '/api/v1/me/verifications', { token: session, body: { channel } })).status,
      ).toBe(202);
    const [email] = (await mails(`codes.${primary.alias}@example.com`)).filter((m) => m.kind === 'verification.code');
    expect(email!.subject).toBe('twofold test：您的验证码');
    expect(email!.text).toMatch(/您的验证码是\d{6}，10分钟内有效。/);
    expect(email!.text).not.toContain('Your verification code');
    const [sms] = (await mails('+8613800138000')).filter((m) => m.kind === 'verification.code');
    expect(sms!.text).toMatch(/^【twofold test】验证码：\d{6}，10分钟内有效。请勿告诉他人。$/);

    const user = await signupAndLogin(h);
    await inChinese(user.token);
    expect((await call(h.app, 'POST', '/api/v1/password-resets', { body: { login: user.email } })).status).toBe(202);
    await h.services.passwordResets.settled();
    const [reset] = (await mails(user.email)).filter((m) => m.kind === 'account.password_reset_link');
    expect(reset!.subject).toBe('twofold test：重置您的密码');
    expect(reset!.text).toContain(
      '有人申请重置您账号的密码。如需设置新密码，请在30分钟内打开此链接：\nhttp://twofold.test/',
    );
    expect(reset!.text).not.toContain('Someone asked to reset');
  });
});
