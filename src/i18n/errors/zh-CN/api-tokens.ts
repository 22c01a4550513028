import type { apiTokensErrors } from '../en/api-tokens.js';

/** API error messages of apiTokens in Simplified Chinese: the type of the English source, key for key. */
export const apiTokensErrorsZh: typeof apiTokensErrors = {};
