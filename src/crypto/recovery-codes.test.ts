import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  RECOVERY_CODE_ALPHABET,
  createRecoveryCodeHasher,
  formatRecoveryCode,
  generateRecoveryCodes,
  normalizeRecoveryCode,
} from './recovery-codes.js';

describe('recovery codes', () => {
  it('are 10 distinct codes of 10 Crockford base32 characters, spread over the whole alphabet', () => {
    const codes = generateRecoveryCodes(randomBytes);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
    const seen = new Set(generateRecoveryCodes(randomBytes, 200).join(''));
    expect(seen.size).toBe(RECOVERY_CODE_ALPHABET.length);
  });

  it('read the way people type them: case, spaces, dashes and look-alikes do not matter; anything else is no code', () => {
    expect(formatRecoveryCode('7KQ4MZ2P9X')).toBe('7KQ4M-Z2P9X');
    expect(normalizeRecoveryCode(' 7kq4m - z2p9x ')).toBe('7KQ4MZ2P9X');
    expect(normalizeRecoveryCode('OIL00-11111')).toBe('01100' + '11111');
    expect(normalizeRecoveryCode('7KQ4M-Z2P9')).toBeNull();
    expect(normalizeRecoveryCode('7KQ4M-Z2P9U')).toBeNull();
    expect(normalizeRecoveryCode('correct horse battery')).toBeNull();
  });

  it('hash under a key derived from the instance key: the same code, another key, another hash', () => {
    const a = createRecoveryCodeHasher([{ id: 'k1', key: randomBytes(32) }]);
    const b = createRecoveryCodeHasher([
      { id: 'k2', key: randomBytes(32) },
      { id: 'k1', key: randomBytes(32) },
    ]);
    const hash = a.hash('7KQ4MZ2P9X')!;
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.equal(hash, a.hash('7KQ4MZ2P9X')!)).toBe(true);
    expect(a.equal(hash, a.hash('7KQ4MZ2P9Y')!)).toBe(false);
    expect(b.hash('7KQ4MZ2P9X')).not.toBe(hash);
    // After a key rotation the old key id still checks the old hashes.
    const rotated = createRecoveryCodeHasher([
      { id: 'k9', key: randomBytes(32) },
      ...[{ id: 'k1', key: Buffer.alloc(32, 1) }],
    ]);
    const before = createRecoveryCodeHasher([{ id: 'k1', key: Buffer.alloc(32, 1) }]);
    expect(rotated.hash('7KQ4MZ2P9X', 'k1')).toBe(before.hash('7KQ4MZ2P9X'));
    expect(rotated.hash('7KQ4MZ2P9X', 'missing')).toBeNull();
  });
});
