import type { ThrottlePolicy } from '../../db/repositories/throttles.repository.js';

/**
 * Throttling policies (docs/design.md §2.2). Password and second-factor failures are counted apart,
 * so an attacker without the password cannot burn the user's second-factor budget and the
 * second factor's strict limit cannot be used to lock people out (Keycloak #46164).
 */
export const throttlePolicies = {
  /**
   * Second factor per user, across login, step-up, unbind, activation and resync. After 10
   * consecutive failures each further one locks for longer (1 min doubling to 1 h); at 100 the
   * key stays locked until an operator unlocks it: NIST SP 800-63B §5.2.2 "no more than 100".
   */
  secondFactor: { threshold: 10, baseDelayMs: 60_000, maxDelayMs: 3_600_000, hardLimit: 100, windowMs: null },
  /**
   * Password per login name (known or not, so the lock itself does not reveal which logins exist).
   * Growing delay to 15 min, no hard lock: a hard password lock would let anyone lock anyone out.
   */
  password: { threshold: 10, baseDelayMs: 30_000, maxDelayMs: 900_000, hardLimit: null, windowMs: null },
  /** Per client address on login: 50 failures in 15 minutes locks the address for 15 minutes. */
  loginIp: { threshold: 50, baseDelayMs: 900_000, maxDelayMs: 900_000, hardLimit: null, windowMs: 900_000 },
  /** "Forgot password?" requests per client address, whatever the logins: 10 an hour. */
  resetRequestsPerAddress: {
    threshold: 10,
    baseDelayMs: 3_600_000,
    maxDelayMs: 3_600_000,
    hardLimit: null,
    windowMs: 3_600_000,
  },
  /**
   * Password-reset completions per client address: each try with a live link costs an Argon2id
   * hash, and made-up links must not buy a stream of them. 10 in 15 minutes; a success is given back.
   */
  resetCompletionsPerAddress: {
    threshold: 10,
    baseDelayMs: 900_000,
    maxDelayMs: 900_000,
    hardLimit: null,
    windowMs: 900_000,
  },
  /** Code sending (anti-flooding, CS-FP): one a minute to a destination … */
  codeToDestination: { threshold: 1, baseDelayMs: 60_000, maxDelayMs: 60_000, hardLimit: null, windowMs: 60_000 },
  /** … and ten a day to a user. */
  codesPerUserDay: {
    threshold: 10,
    baseDelayMs: 86_400_000,
    maxDelayMs: 86_400_000,
    hardLimit: null,
    windowMs: 86_400_000,
  },
  /**
   * Passwordless sign-in challenges per client address: each is a row for 5 minutes, asked for
   * without any credential, so 60 in 10 minutes (a person needs one a sign-in).
   */
  passkeyOptionsPerAddress: {
    threshold: 60,
    baseDelayMs: 600_000,
    maxDelayMs: 600_000,
    hardLimit: null,
    windowMs: 600_000,
  },
} as const satisfies Record<string, ThrottlePolicy>;

/** Pending login tries (per challenge), RFC 4226 §7.3 asks the delay scheme to span sessions too. */
export const CHALLENGE_MAX_ATTEMPTS = 5;

export const throttleKeys = {
  secondFactor: (userId: string) => `mfa:${userId}`,
  password: (login: string) => `password:${login}`,
  loginIp: (ip: string) => `ip:${ip}`,
  resetRequestsPerAddress: (ip: string) => `reset-ip:${ip}`,
  resetCompletionsPerAddress: (ip: string) => `reset-complete-ip:${ip}`,
  signupsPerAddress: (ip: string) => `signup-ip:${ip}`,
  codeToDestination: (channel: string, destination: string) => `send:${channel}:${destination}`,
  codesPerUserDay: (userId: string) => `send-day:${userId}`,
  codesPerAddress: (ip: string) => `send-ip:${ip}`,
  codesGlobal: (channel: string) => `send-all:${channel}`,
  passkeyOptionsPerAddress: (ip: string) => `passkey-options-ip:${ip}`,
};

/** Sign-ups per client address: TWOFOLD_SIGNUPS_PER_ADDRESS_HOUR an hour (each costs a password hash). */
export function signupsPerAddressPolicy(perHour: number): ThrottlePolicy {
  return { threshold: perHour, baseDelayMs: 3_600_000, maxDelayMs: 3_600_000, hardLimit: null, windowMs: 3_600_000 };
}

export function retryAfterSeconds(lockedUntil: number, now: number): number {
  return Math.max(1, Math.ceil((lockedUntil - now) / 1000));
}
