import type { recoveryErrors } from '../en/recovery.js';

/** API error messages of recovery in Simplified Chinese: the type of the English source, key for key. */
export const recoveryErrorsZh: typeof recoveryErrors = {};
