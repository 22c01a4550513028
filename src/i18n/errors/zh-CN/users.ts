import type { usersErrors } from '../en/users.js';

/** API error messages of users in Simplified Chinese: the type of the English source, key for key. */
export const usersErrorsZh: typeof usersErrors = {};
