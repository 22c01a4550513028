/** API error messages of mfa (English, the source). Keys name the situation; values are shown to people. */
export const mfaErrors = {};
