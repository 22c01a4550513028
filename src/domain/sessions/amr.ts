/**
 * What a sign-in proved, as Authentication Method Reference values (RFC 8176 §2), and the
 * Authentication Context Class it reaches (OpenID Connect Core §2 `acr`; decision 029).
 *
 * - `pwd` password, `otp` a one-time code from an authenticator app (RFC 6238), `hwk` a passkey
 *   bound to one authenticator, `swk` a synced passkey (a software-protected key, RFC 8176 §2),
 *   `user` the authenticator verified its user (WebAuthn UV), `mfa` more than one factor.
 * - `rc` is ours: a recovery code is a look-up secret (NIST SP 800-63B §5.1.2), not an OTP device,
 *   and RFC 8176 has no value for it. A relying party that needs a device-backed factor can refuse it.
 */
export type AuthMethod = 'pwd' | 'otp' | 'hwk' | 'swk' | 'user' | 'mfa' | 'rc';

const ORDER: readonly AuthMethod[] = ['pwd', 'otp', 'hwk', 'swk', 'rc', 'user', 'mfa'];

export const ACR = {
  password: 'urn:twofold:acr:pwd',
  mfa: 'urn:twofold:acr:mfa',
  /** A passkey was proved: phishing-resistant (NIST SP 800-63B §5.2.5). */
  phishingResistant: 'urn:twofold:acr:phr',
} as const;
export type Acr = (typeof ACR)[keyof typeof ACR];
/** Weakest first: an `acr_values` request is met by the level asked for or a stronger one. */
export const ACR_LEVELS: readonly Acr[] = [ACR.password, ACR.mfa, ACR.phishingResistant];

/** The methods one proof adds: the second step's factor, or a passkey alone (which verified its user). */
export function methodsOf(
  factor: 'password' | 'totp' | 'recovery_code' | 'webauthn',
  passkey?: { backed_up: number },
  userVerified = false,
): AuthMethod[] {
  if (factor === 'password') return ['pwd'];
  if (factor === 'totp') return ['otp'];
  if (factor === 'recovery_code') return ['rc'];
  return [passkey?.backed_up === 1 ? 'swk' : 'hwk', ...(userVerified ? (['user'] as const) : [])];
}

export function parseAmr(stored: string): AuthMethod[] {
  return stored.split(',').filter((m): m is AuthMethod => (ORDER as readonly string[]).includes(m));
}

/**
 * The union of what a session had proved and what it proves now, in a stable order, as stored in
 * `sessions.amr`. `mfa` is added once two different factors are proved — or a passkey that
 * verified its user, which is itself multi-factor (NIST SP 800-63B §5.1.9).
 */
export function mergeAmr(stored: string, proved: readonly AuthMethod[]): string {
  const all = new Set<AuthMethod>([...parseAmr(stored), ...proved]);
  const factors = ['pwd', 'otp', 'hwk', 'swk', 'rc'].filter((m) => all.has(m as AuthMethod)).length;
  if (factors >= 2 || ((all.has('hwk') || all.has('swk')) && all.has('user'))) all.add('mfa');
  return ORDER.filter((m) => all.has(m)).join(',');
}

/** The class a session reaches: a passkey makes it phishing-resistant, any second factor MFA. */
export function acrOf(amr: readonly AuthMethod[]): Acr {
  if (amr.includes('hwk') || amr.includes('swk')) return ACR.phishingResistant;
  return amr.includes('mfa') ? ACR.mfa : ACR.password;
}
