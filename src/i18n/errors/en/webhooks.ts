/** API error messages of webhooks (English, the source). Keys name the situation; values are shown to people. */
export const webhooksErrors = {};
