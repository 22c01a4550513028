import type { mfaErrors } from '../en/mfa.js';

/** API error messages of mfa in Simplified Chinese: the type of the English source, key for key. */
export const mfaErrorsZh: typeof mfaErrors = {};
