import type { webhooksErrors } from '../en/webhooks.js';

/** API error messages of webhooks in Simplified Chinese: the type of the English source, key for key. */
export const webhooksErrorsZh: typeof webhooksErrors = {};
