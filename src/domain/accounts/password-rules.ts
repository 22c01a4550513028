import { readFileSync } from 'node:fs';
import { AppError } from '../../errors/app-error.js';

/**
 * What a new password must be (NIST SP 800-63B §5.1.1.2): 8 to 256 characters (the schemas check
 * the length), not only spaces, and not one of the passwords attackers try first — a blocklist of
 * 17,950 common ones shipped in `data/` (no network at run time). Compared case-insensitively;
 * nothing else is demanded (no composition rules, §5.1.1.2 advises against them).
 */
// Read when the module loads, so a missing list stops the start instead of failing a sign-up.
const common = new Set(
  readFileSync(new URL('./data/common-passwords.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean),
);

export function checkNewPassword(password: string, field = '/password'): void {
  if (password.trim() === '')
    throw new AppError('validation.failed', (m) => m.accounts.passwordOnlySpaces, {
      details: { fields: [{ path: field, message: 'is only whitespace' }] },
    });
  if (common.has(password.toLowerCase()))
    throw new AppError('validation.failed', (m) => m.accounts.passwordTooCommon, {
      details: { fields: [{ path: field, message: 'is a commonly used password' }] },
    });
}
