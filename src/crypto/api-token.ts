import { crc32 } from 'node:zlib';
import { sha256Hex, type RandomBytes } from './random.js';

/**
 * API token secrets: `tfk_` + 40 base62 characters of randomness (≈238 bits) + 6 base62 characters
 * of the randomness' CRC-32. The prefix lets secret scanners find a leaked token; the checksum lets
 * them — and us — tell a token from a typo without a database read (GitHub's token format does the
 * same). Only the SHA-256 is stored: 238 random bits need no slow hash (RFC 6819 §5.1.4.1.3).
 */
const PREFIX = 'tfk_';
const BODY_LENGTH = 40;
const CHECK_LENGTH = 6;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SHAPE = new RegExp(`^${PREFIX}[0-9A-Za-z]{${BODY_LENGTH + CHECK_LENGTH}}$`);

function base62(value: number, width: number): string {
  let text = '';
  let rest = value;
  for (let i = 0; i < width; i += 1) {
    text = ALPHABET[rest % 62]! + text;
    rest = Math.floor(rest / 62);
  }
  return text;
}

function checksum(body: string): string {
  return base62(crc32(body) >>> 0, CHECK_LENGTH);
}

/** A new token secret; randomness is drawn without modulo bias (bytes ≥ 248 are drawn again). */
export function newApiTokenSecret(random: RandomBytes): string {
  let body = '';
  while (body.length < BODY_LENGTH) {
    for (const byte of random(BODY_LENGTH)) {
      if (byte < 248 && body.length < BODY_LENGTH) body += ALPHABET[byte % 62];
    }
  }
  return `${PREFIX}${body}${checksum(body)}`;
}

/** True for a string that could be one of our tokens: prefix, length, alphabet and checksum. */
export function isWellFormedApiToken(text: string): boolean {
  if (!SHAPE.test(text)) return false;
  const body = text.slice(PREFIX.length, PREFIX.length + BODY_LENGTH);
  return checksum(body) === text.slice(PREFIX.length + BODY_LENGTH);
}

/** Looks like an API token (the prefix): the auth layer sends it down the token path, never the session one. */
export function isApiTokenShaped(text: string): boolean {
  return text.startsWith(PREFIX);
}

export function apiTokenHash(secret: string): string {
  return sha256Hex(secret);
}
