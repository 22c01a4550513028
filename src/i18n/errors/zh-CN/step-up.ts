import type { stepUpErrors } from '../en/step-up.js';

/** API error messages of stepUp in Simplified Chinese: the type of the English source, key for key. */
export const stepUpErrorsZh: typeof stepUpErrors = {};
