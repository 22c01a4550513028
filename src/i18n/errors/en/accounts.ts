/** API error messages of accounts (English, the source). Keys name the situation; values are shown to people. */
export const accountsErrors = {};
