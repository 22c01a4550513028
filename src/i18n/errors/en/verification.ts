/** API error messages of verification (English, the source). Keys name the situation; values are shown to people. */
export const verificationErrors = {};
