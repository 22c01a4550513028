/** API error messages of stepUp (English, the source). Keys name the situation; values are shown to people. */
export const stepUpErrors = {};
