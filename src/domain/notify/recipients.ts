import type { Repositories } from '../../db/repositories/index.js';
import type { UsersTable } from '../../db/schema.js';
import type { Notifier, Recipient } from './notifications.js';

/** Whom a notification goes to, in the language the person chose (null: English). */
export function recipientOf(
  user: Pick<UsersTable, 'id' | 'account_id' | 'email' | 'display_name' | 'locale'>,
): Recipient {
  return {
    userId: user.id,
    accountId: user.account_id,
    email: user.email,
    displayName: user.display_name,
    // A row read without the column (a narrow select cast to UsersTable) reads English, never undefined.
    locale: user.locale ?? null,
  };
}

/**
 * RFC 4226 §7.2: at the lockout threshold "inform the user". The user is told, and for a sub-user
 * its primary account too (docs/design.md §2.2: users and admins are told), each in their own language.
 */
export async function notifyLockout(
  repos: Repositories,
  notify: Notifier,
  user: Pick<UsersTable, 'id' | 'account_id' | 'email' | 'display_name' | 'locale' | 'kind' | 'username'>,
  lockedUntil: number,
  meta: { ip: string | null },
  now: number,
) {
  await notify(repos, recipientOf(user), { kind: 'mfa.locked', until: lockedUntil, subject: null }, meta, now);
  if (user.kind === 'sub') {
    const root = await repos.users.findRootOfAccount(user.account_id);
    if (root)
      await notify(
        repos,
        recipientOf(root),
        {
          kind: 'mfa.locked',
          until: lockedUntil,
          subject: { displayName: user.display_name, username: user.username },
        },
        meta,
        now,
      );
  }
}
