import { createHmac, timingSafeEqual } from 'node:crypto';
import { HOTP, Secret } from 'otpauth';

/**
 * TOTP per RFC 6238 on top of otpauth's RFC 4226 HOTP. twofold issues only SHA1 / 6 digits /
 * 30 s, the combination every authenticator app honours (Key Uri Format: Google Authenticator
 * ignores `algorithm`, `digits` and `period`).
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** RFC 4226 §4 R6 recommends 160-bit shared secrets. */
export const TOTP_SECRET_BYTES = 20;
/** RFC 6238 §5.2: "at most one time step is allowed as the network delay". */
export const VERIFY_WINDOW_STEPS = 1;
/** How far (in steps) we look for a code to tell the user the phone clock is off (docs/design.md F12): 5 minutes. */
export const CLOCK_SKEW_SEARCH_STEPS = 10;
/** Learned drift is bounded (RFC 6238 §6), so resync cannot widen acceptance without limit. */
export const MAX_DRIFT_STEPS = 10;

export type HotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

/** RFC 6238 §4.2: T = floor((unixTime - T0) / X), T0 = 0, X = 30. */
export function timeStep(nowMs: number, periodSeconds = TOTP_PERIOD_SECONDS): number {
  return Math.floor(nowMs / 1000 / periodSeconds);
}

function toSecret(secret: Uint8Array | Secret): Secret {
  return secret instanceof Secret ? secret : new Secret({ buffer: Uint8Array.from(secret).buffer });
}

export function hotp(
  secret: Uint8Array | Secret,
  counter: number,
  digits = TOTP_DIGITS,
  algorithm: HotpAlgorithm = 'SHA1',
): string {
  return HOTP.generate({ secret: toSecret(secret), counter, digits, algorithm });
}

export function totp(secret: Uint8Array, nowMs: number): string {
  return hotp(secret, timeStep(nowMs));
}

/**
 * RFC 4226 §5.3 HOTP-SHA1, 6 digits, straight on node:crypto for the verify path: the same value as
 * `hotp()` (the RFC vectors test both) at half the cost, as otpauth wraps each call in objects.
 */
function hotpSha1Digits6(key: Uint8Array, counter: number): Buffer {
  const message = Buffer.alloc(8);
  message.writeUInt32BE(Math.floor(counter / 2 ** 32), 0);
  message.writeUInt32BE(counter >>> 0, 4);
  const mac = createHmac('sha1', key).update(message).digest();
  // Dynamic truncation: 4 bytes at the offset given by the low nibble of the last byte, top bit cleared.
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return Buffer.from(String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, '0'));
}

/**
 * The step in [center - window, center + window] whose code equals `code`, or null. Every
 * candidate is computed and compared in constant time without an early exit (Keycloak #50316,
 * better-auth/utils #24); on the (1-in-a-million) chance of two matches the one nearest the centre wins.
 */
export function matchStep(secret: Uint8Array, code: string, centerStep: number, window: number): number | null {
  const submitted = Buffer.from(code);
  let best: number | null = null;
  for (let offset = -window; offset <= window; offset++) {
    const step = centerStep + offset;
    if (step < 0) continue;
    const candidate = hotpSha1Digits6(secret, step);
    const equal = candidate.length === submitted.length && timingSafeEqual(candidate, submitted);
    if (equal && (best === null || Math.abs(step - centerStep) < Math.abs(best - centerStep))) best = step;
  }
  return best;
}

export function secretToBase32(secret: Uint8Array): string {
  return new Secret({ buffer: Uint8Array.from(secret).buffer }).base32;
}

/** Strict RFC 4648 base32 (A-Z, 2-7, optional padding), case-folded only after validation. */
export function base32ToSecret(text: string): Uint8Array {
  const normalized = text.replace(/[\s-]/g, '').toUpperCase();
  if (!/^[A-Z2-7]+=*$/.test(normalized)) throw new Error('not base32: only A-Z and 2-7 are allowed');
  return Secret.fromBase32(normalized.replace(/=+$/, '')).bytes;
}

/**
 * The Key Uri Format provisioning URI: issuer and account name percent-encoded, unpadded base32,
 * and the issuer both as label prefix and parameter ("they should be equal").
 */
export function otpauthUri(input: { issuer: string; accountName: string; secret: Uint8Array }): string {
  const issuer = encodeURIComponent(input.issuer.replaceAll(':', ' '));
  const account = encodeURIComponent(input.accountName.replaceAll(':', ' '));
  const secret = secretToBase32(input.secret).replace(/=+$/, '');
  return `otpauth://totp/${issuer}:${account}?secret=${secret}&issuer=${issuer}&algorithm=SHA1&digits=${TOTP_DIGITS}&period=${TOTP_PERIOD_SECONDS}`;
}

/** Parse an otpauth:// URI (for the CLI's small authenticator). */
export function parseOtpauthUri(uri: string): {
  secret: Uint8Array;
  digits: number;
  period: number;
  algorithm: HotpAlgorithm;
  label: string;
} {
  const url = new URL(uri);
  if (url.protocol !== 'otpauth:' || url.hostname !== 'totp') throw new Error('expected an otpauth://totp/ URI');
  const secretText = url.searchParams.get('secret');
  if (!secretText) throw new Error('the URI has no secret parameter');
  const algorithm = (url.searchParams.get('algorithm') ?? 'SHA1').toUpperCase();
  if (algorithm !== 'SHA1' && algorithm !== 'SHA256' && algorithm !== 'SHA512')
    throw new Error(`unsupported algorithm ${algorithm}`);
  const digits = Number(url.searchParams.get('digits') ?? TOTP_DIGITS);
  const period = Number(url.searchParams.get('period') ?? TOTP_PERIOD_SECONDS);
  if (![6, 7, 8].includes(digits) || !Number.isInteger(period) || period < 1)
    throw new Error('unsupported digits or period');
  return {
    secret: base32ToSecret(secretText),
    digits,
    period,
    algorithm,
    label: decodeURIComponent(url.pathname.replace(/^\//, '')),
  };
}

/**
 * Finds consecutive steps s, s+1, ... matching `codes` in order, all within `window` of `center`
 * (API.md: activation and resync take two consecutive codes, proving the app follows the clock).
 */
export function matchConsecutive(secret: Uint8Array, codes: string[], center: number, window: number): number | null {
  const first = codes[0]!;
  for (let offset = -window; offset <= window - (codes.length - 1); offset++) {
    const start = center + offset;
    if (start < 0 || matchStep(secret, first, start, 0) === null) continue;
    // Each later code in constant time too (matchStep), like every other code comparison.
    if (codes.every((code, i) => matchStep(secret, code, start + i, 0) !== null)) return start + codes.length - 1;
  }
  return null;
}
