import { randomBytes as nodeRandomBytes, createHash, timingSafeEqual } from 'node:crypto';

/** Injected randomness (DESIGN.md §3): production passes `node:crypto.randomBytes`. */
export type RandomBytes = (size: number) => Buffer;
/** Injected time, milliseconds since the epoch. */
export type Clock = () => number;

export const systemRandom: RandomBytes = (size) => nodeRandomBytes(size);
export const systemClock: Clock = () => Date.now();

/** An opaque id: 128 random bits, base64url (22 characters). */
export function newId(random: RandomBytes): string {
  return random(16).toString('base64url');
}

/** A bearer secret: 256 random bits, base64url (43 characters). ASVS 5.0 7.2.3 asks ≥128. */
export function newSecret(random: RandomBytes): string {
  return random(32).toString('base64url');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Constant-time string equality; the length is not secret, so unequal lengths return early. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
