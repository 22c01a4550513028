import type { factorsErrors } from '../en/factors.js';

/** API error messages of factors in Simplified Chinese: the type of the English source, key for key. */
export const factorsErrorsZh: typeof factorsErrors = {};
