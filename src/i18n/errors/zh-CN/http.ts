import type { httpErrors } from '../en/http.js';

/** API error messages of http in Simplified Chinese: the type of the English source, key for key. */
export const httpErrorsZh: typeof httpErrors = {};
