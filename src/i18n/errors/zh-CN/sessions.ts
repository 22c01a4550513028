import type { sessionsErrors } from '../en/sessions.js';

/** API error messages of sessions in Simplified Chinese: the type of the English source, key for key. */
export const sessionsErrorsZh: typeof sessionsErrors = {};
