import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  base32ToSecret,
  hotp,
  matchStep,
  otpauthUri,
  parseOtpauthUri,
  secretToBase32,
  timeStep,
  totp,
} from '../src/crypto/totp.js';
import { referenceHotp, referenceTotp } from './helpers/rfc6238.js';

interface Vector {
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: number;
  secret_base32: string;
  secret_base32_unpadded: string;
  secret_bytes: number;
  time: number | null;
  counter: number;
  expected: string;
  expected_last6_derived?: string;
}

// RFC 4226 Appendix D and RFC 6238 Appendix B, transcribed to JSON (its `_about` names the source).
const vectorFile = path.resolve(import.meta.dirname, 'fixtures/totp-vectors.json');
const vectors = JSON.parse(readFileSync(vectorFile, 'utf8')) as { totp: Vector[]; hotp: Vector[] };

describe('RFC 4226 Appendix D (HOTP)', () => {
  it.each(vectors.hotp.map((v) => [v.counter, v.expected, v] as const))(
    'counter %i gives %s',
    (_counter, expected, v) => {
      const secret = base32ToSecret(v.secret_base32);
      expect(secret.length).toBe(v.secret_bytes);
      expect(hotp(secret, v.counter, v.digits, v.algorithm)).toBe(expected);
      expect(referenceHotp(secret, v.counter, v.digits)).toBe(expected);
      // The verify path's own HMAC (matchStep) finds the vector's code at its counter, and only there.
      expect(matchStep(secret, expected, v.counter, 0)).toBe(v.counter);
      expect(matchStep(secret, expected, v.counter + 5, 0)).toBeNull();
    },
  );
  it('has all 10 vectors', () => expect(vectors.hotp).toHaveLength(10));
});

describe('RFC 6238 Appendix B (TOTP)', () => {
  it.each(vectors.totp.map((v) => [v.algorithm, v.time, v.expected, v] as const))(
    '%s at t=%i gives %s',
    (algorithm, time, expected, v) => {
      const secret = base32ToSecret(v.secret_base32);
      expect(timeStep(time! * 1000)).toBe(v.counter);
      expect(hotp(secret, timeStep(time! * 1000), 8, algorithm)).toBe(expected);
      if (algorithm === 'SHA1') {
        // The product's 6-digit code is the last 6 digits (code = DBC mod 10^digits).
        expect(totp(secret, time! * 1000)).toBe(v.expected_last6_derived);
        expect(referenceTotp(secret, time! * 1000)).toBe(v.expected_last6_derived);
        expect(matchStep(secret, v.expected_last6_derived!, v.counter, 1)).toBe(v.counter);
      }
    },
  );
  it('has all 18 vectors', () => expect(vectors.totp).toHaveLength(18));
});

describe('verification window', () => {
  const secret = base32ToSecret('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  const now = 1_234_567_890_000;
  const step = timeStep(now);
  it('accepts the current step and ±1 (RFC 6238 §5.2), and names the step that matched', () => {
    expect(matchStep(secret, referenceTotp(secret, now), step, 1)).toBe(step);
    expect(matchStep(secret, referenceTotp(secret, now, -1), step, 1)).toBe(step - 1);
    expect(matchStep(secret, referenceTotp(secret, now, 1), step, 1)).toBe(step + 1);
  });
  it('refuses ±2 steps, never trusting a library default window (notp #19)', () => {
    expect(matchStep(secret, referenceTotp(secret, now, -2), step, 1)).toBeNull();
    expect(matchStep(secret, referenceTotp(secret, now, 2), step, 1)).toBeNull();
  });
  it('refuses codes of another length and random wrong codes', () => {
    expect(matchStep(secret, referenceTotp(secret, now).slice(1), step, 1)).toBeNull();
    expect(matchStep(secret, `${referenceTotp(secret, now)}0`, step, 1)).toBeNull();
    let accepted = 0;
    for (let i = 0; i < 2000; i++)
      if (matchStep(secret, String((i * 499) % 1_000_000).padStart(6, '0'), step, 1) !== null) accepted++;
    expect(accepted).toBeLessThanOrEqual(1);
  });
});

describe('secrets and the Key Uri Format', () => {
  it('round-trips base32 and accepts only A-Z and 2-7', () => {
    const secret = new Uint8Array(Array.from({ length: 20 }, (_, i) => i * 13));
    expect(base32ToSecret(secretToBase32(secret))).toEqual(secret);
    expect(base32ToSecret('gezd gnbv gy3t qojq')).toEqual(base32ToSecret('GEZDGNBVGY3TQOJQ'));
    expect(() => base32ToSecret('GEZDGNBV1Y3TQOJQ')).toThrow(/base32/);
    expect(() => base32ToSecret('GEZDGNBV8Y3TQOJQ')).toThrow(/base32/);
  });
  it('builds otpauth URIs with a percent-encoded issuer and label, unpadded secret, SHA1/6/30', () => {
    const secret = base32ToSecret('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    const uri = otpauthUri({ issuer: 'ACME Co', accountName: 'john.doe+mfa@example.com', secret });
    expect(uri).toBe(
      'otpauth://totp/ACME%20Co:john.doe%2Bmfa%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30',
    );
    const parsed = parseOtpauthUri(uri);
    expect(parsed.secret).toEqual(secret);
    expect(parsed.label).toBe('ACME Co:john.doe+mfa@example.com');
  });
  it('20-byte secrets give an unpadded 32-character key (decoded length checked, CVE-2024-8796)', () => {
    const secret = new Uint8Array(20).fill(7);
    const text = secretToBase32(secret);
    expect(text).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32ToSecret(text)).toHaveLength(20);
  });
});

const hasOathtool = existsSync('/usr/bin/oathtool');
describe.skipIf(!hasOathtool)('agreement with oathtool, an independent client', () => {
  it('gives the same code as oathtool at several times', () => {
    const text = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    for (const seconds of [0, 59, 1_111_111_109, 1_234_567_890, 2_000_000_000, Math.floor(Date.now() / 1000)]) {
      const at = new Date(seconds * 1000)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
      const expected = execFileSync('oathtool', ['--totp', '-b', '--now', at, text], { encoding: 'utf8' }).trim();
      expect(totp(base32ToSecret(text), seconds * 1000)).toBe(expected);
    }
  });
});
