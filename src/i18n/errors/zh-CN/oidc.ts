import type { oidcErrors } from '../en/oidc.js';

/** API error messages of oidc in Simplified Chinese: the type of the English source, key for key. */
export const oidcErrorsZh: typeof oidcErrors = {};
