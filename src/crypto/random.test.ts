import { describe, expect, it } from 'vitest';
import { createPooledRandom } from './random.js';

describe('pooled randomness', () => {
  it('hands out each byte once: many draws across several pool refills never repeat a 16-byte value', () => {
    const random = createPooledRandom(256);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const value = random(16);
      expect(value.length).toBe(16);
      seen.add(value.toString('hex'));
    }
    expect(seen.size).toBe(2000);
  });

  it('returns a copy the caller owns, sizes that straddle the pool end, and large sizes straight from the CSPRNG', () => {
    const random = createPooledRandom(64);
    const first = random(12);
    const copy = Buffer.from(first);
    random(12);
    expect(first.equals(copy)).toBe(true);
    expect(random(40).length).toBe(40); // 24 + 40 > 64: a fresh pool
    expect(random(1000).length).toBe(1000);
    // Not all zero: wiping the served slice must not wipe what was served.
    expect(random(32).some((byte) => byte !== 0)).toBe(true);
  });
});
