import { hash, verify } from '@node-rs/argon2';

/**
 * Argon2id with OWASP's minimum (m = 19 MiB, t = 2, p = 1). @node-rs/argon2 runs hashing on the
 * libuv thread pool, so the event loop keeps serving while a login hashes.
 */
const ARGON2ID = 2; // Algorithm.Argon2id; the enum is `const` in the .d.ts, so it cannot be imported here.
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  /**
   * Spend the same time as a real verify for a login that does not exist, so timing does not
   * tell "no such user" from "wrong password" (docs/design.md §2.4).
   */
  verifyDecoy(password: string): Promise<false>;
}

export async function createPasswordHasher(): Promise<PasswordHasher> {
  const decoyHash = await hash('twofold decoy password, never valid', OPTIONS);
  return {
    hash: (password) => hash(password, OPTIONS),
    verify: async (passwordHash, password) => {
      try {
        return await verify(passwordHash, password);
      } catch {
        return false; // a malformed stored hash never logs anyone in
      }
    },
    verifyDecoy: async (password) => {
      await verify(decoyHash, password).catch(() => false);
      return false;
    },
  };
}

/** NIST SP 800-63B §5.1.1.2: at least 8 characters, allow at least 64; we cap at 256 to bound hashing cost. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;
