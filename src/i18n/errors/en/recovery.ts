/** API error messages of recovery (English, the source). Keys name the situation; values are shown to people. */
export const recoveryErrors = {};
