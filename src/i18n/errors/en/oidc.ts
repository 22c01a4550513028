/** API error messages of oidc (English, the source). Keys name the situation; values are shown to people. */
export const oidcErrors = {};
