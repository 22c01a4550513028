import { randomBytes as nodeRandomBytes, hash, timingSafeEqual } from 'node:crypto';

/** Injected randomness (docs/design.md §3): production passes `systemRandom` (node:crypto's CSPRNG). */
export type RandomBytes = (size: number) => Buffer;
/** Injected time, milliseconds since the epoch. */
export type Clock = () => number;

/**
 * node:crypto randomness drawn 4 KiB at a time: each `randomBytes` call costs a few µs of OpenSSL
 * set-up, and a login draws four small values. The same CSPRNG output, handed out once each; a
 * served slice is wiped from the pool (Node's own `randomUUID` keeps a cache the same way).
 */
export function createPooledRandom(poolSize = 4096): RandomBytes {
  let pool = Buffer.alloc(0);
  let offset = 0;
  return (size) => {
    if (size > poolSize / 4) return nodeRandomBytes(size);
    if (offset + size > pool.length) {
      pool = nodeRandomBytes(poolSize);
      offset = 0;
    }
    const slice = Buffer.from(pool.subarray(offset, offset + size));
    pool.fill(0, offset, offset + size);
    offset += size;
    return slice;
  };
}

export const systemRandom: RandomBytes = createPooledRandom();
export const systemClock: Clock = () => Date.now();

/** An opaque id: 128 random bits, base64url (22 characters). */
export function newId(random: RandomBytes): string {
  return random(16).toString('base64url');
}

/** A bearer secret: 256 random bits, base64url (43 characters). ASVS 5.0 7.2.3 asks ≥128. */
export function newSecret(random: RandomBytes): string {
  return random(32).toString('base64url');
}

/** One-shot `crypto.hash` (Node ≥ 20.12): a third of the cost of a Hash object per call, and a verify makes four. */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** Constant-time string equality; the length is not secret, so unequal lengths return early. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
