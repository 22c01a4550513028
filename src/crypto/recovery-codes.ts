import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { RandomBytes } from './random.js';

/**
 * Recovery codes (decision 018): 10 characters of Crockford's base32 (50 bits), shown `XXXXX-XXXXX`.
 * Stored as HMAC-SHA-256 under a key derived from the instance key: a database dump alone cannot be
 * brute-forced (the key is not in the database), and a check costs a few microseconds, not ten
 * argon2 hashes. NIST SP 800-63B §5.1.2 asks for a salted KDF below 112 bits; the keyed hash plus
 * the shared lockout budget (at most 100 tries ever) stands in for it, as recorded in the decision.
 */
export const RECOVERY_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford: no I, L, O, U
export const RECOVERY_CODE_COUNT = 10;
const LENGTH = 10;

/** 10 fresh codes, distinct, uniform over the alphabet (32 divides 256: no modulo bias). */
export function generateRecoveryCodes(random: RandomBytes, count = RECOVERY_CODE_COUNT): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    const bytes = random(LENGTH);
    codes.add(Array.from(bytes, (b) => RECOVERY_CODE_ALPHABET[b % 32]).join(''));
  }
  return [...codes];
}

/** `XXXXX-XXXXX`, as people read and copy it. */
export function formatRecoveryCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/**
 * What people type, made canonical: case, spaces and dashes ignored; Crockford's look-alikes read as
 * the digit they resemble (O → 0, I and L → 1). Null when it cannot be a code.
 */
export function normalizeRecoveryCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return code.length === LENGTH && [...code].every((c) => RECOVERY_CODE_ALPHABET.includes(c)) ? code : null;
}

export interface RecoveryCodeHasher {
  readonly currentKeyId: string;
  /** The stored form of a canonical code, under the given (or current) key. */
  hash(code: string, keyId?: string): string | null;
  /** Constant-time comparison of two stored forms. */
  equal(a: string, b: string): boolean;
}

export function createRecoveryCodeHasher(keys: { id: string; key: Buffer }[]): RecoveryCodeHasher {
  // A key of its own, derived from each instance key (RFC 5869), so the hash key is never the
  // encryption key itself.
  const derived = new Map(
    keys.map((k) => [k.id, Buffer.from(hkdfSync('sha256', k.key, Buffer.alloc(0), 'twofold recovery codes v1', 32))]),
  );
  return {
    currentKeyId: keys[0]!.id,
    hash(code, keyId = keys[0]!.id) {
      const key = derived.get(keyId);
      return key ? createHmac('sha256', key).update(code).digest('base64url') : null;
    },
    equal(a, b) {
      const x = Buffer.from(a);
      const y = Buffer.from(b);
      return x.length === y.length && timingSafeEqual(x, y);
    },
  };
}
