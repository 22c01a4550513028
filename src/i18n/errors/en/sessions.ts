/** API error messages of sessions (English, the source). Keys name the situation; values are shown to people. */
export const sessionsErrors = {};
