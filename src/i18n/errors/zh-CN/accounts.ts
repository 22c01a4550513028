import type { accountsErrors } from '../en/accounts.js';

/** API error messages of accounts in Simplified Chinese: the type of the English source, key for key. */
export const accountsErrorsZh: typeof accountsErrors = {};
