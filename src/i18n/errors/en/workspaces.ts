/** API error messages of workspaces (English, the source). Keys name the situation; values are shown to people. */
export const workspacesErrors = {};
