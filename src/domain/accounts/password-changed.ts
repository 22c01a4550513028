import type { Repositories } from '../../db/repositories/index.js';

/**
 * What a new password ends, whoever set it (a reset link, the user, an administrator), inside the
 * transaction that stores it: every other outstanding reset link (OWASP Forgot Password Cheat
 * Sheet: a link must not outlive the password it was sent to replace), and every pending login —
 * a login started with the old password must not finish with a second factor after the change —
 * and every application's grant and token (OpenID Connect), and every API token.
 * Which sessions end depends on who changed it, so that stays with the caller — who ends them
 * after this: on PostgreSQL (READ COMMITTED) deleting a pending login waits for a code step that
 * holds it, so ending sessions afterwards also sees the session that step just created.
 */
export async function retireOldPassword(repos: Repositories, userId: string, now: number) {
  await repos.users.voidPasswordResets(userId, now);
  await repos.sessions.endChallengesForUser(userId);
  // Applications signed in with the old password lose their grants and refresh tokens (decision
  // 029): a new password is how a taken-over account is taken back.
  await repos.oidc.revokeUser(userId);
  // A new password is how a taken-over account is taken back: its API tokens end too (decision 031).
  await repos.apiTokens.revokeAllForUser(userId, now);
}
