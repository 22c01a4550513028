/** API error messages of http (English, the source). Keys name the situation; values are shown to people. */
export const httpErrors = {};
