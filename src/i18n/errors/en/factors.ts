/** API error messages of factors (English, the source). Keys name the situation; values are shown to people. */
export const factorsErrors = {};
