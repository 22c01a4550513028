import type { verificationErrors } from '../en/verification.js';

/** API error messages of verification in Simplified Chinese: the type of the English source, key for key. */
export const verificationErrorsZh: typeof verificationErrors = {};
