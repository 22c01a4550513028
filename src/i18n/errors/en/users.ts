/** API error messages of users (English, the source). Keys name the situation; values are shown to people. */
export const usersErrors = {};
