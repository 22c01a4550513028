/** API error messages of apiTokens (English, the source). Keys name the situation; values are shown to people. */
export const apiTokensErrors = {};
