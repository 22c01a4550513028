import type { Repositories } from '../../db/repositories/index.js';

/**
 * "Remove every factor" in one place, inside the caller's transaction, for every path that takes a
 * lost device away from its owner (an administrator's reset of a sub-user, `twofold account
 * reset-mfa`, a lost-device ticket taking effect; each writes its own audit event): every device
 * (authenticator apps and passkeys), pending enrollments and recovery codes go, every session ends,
 * and the user must bind a new device at the next login — the "Require MFA" flag is set (also when
 * no device was bound: a reset means "bind at next login"), so a password alone never gets back in.
 * The OpenID Connect grants, tokens and provider sessions of the user go too, and its API tokens.
 */
export async function removeAllFactors(
  repos: Repositories,
  userId: string,
  now: number,
): Promise<{ deviceId: string | null; devices: { id: string; name: string; type: string }[] }> {
  const devices = await repos.mfaDevices.removeAll(userId, now);
  await repos.mfaDevices.deletePending(userId);
  await repos.recoveryCodes.revokeAll(userId, now);
  // A pending login would otherwise still take the removed devices' last codes; ended before the
  // sessions, so a code step finishing meanwhile has its session ended too (see password-changed.ts).
  await repos.sessions.endChallengesForUser(userId);
  await repos.sessions.endAllForUser(userId, now, 'mfa_changed');
  await repos.users.updateUser(userId, { mfa_required: 1 });
  // …and every application it signed in to loses its grants and tokens (decision 029): a lost
  // phone's applications must not stay signed in on a refresh token.
  await repos.oidc.revokeUser(userId);
  // …and its API tokens (decision 031): whoever lost the phone may have lost the scripts' owner too.
  await repos.apiTokens.revokeAllForUser(userId, now);
  return { deviceId: devices[0]?.id ?? null, devices };
}
