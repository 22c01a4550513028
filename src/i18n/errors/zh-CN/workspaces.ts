import type { workspacesErrors } from '../en/workspaces.js';

/** API error messages of workspaces in Simplified Chinese: the type of the English source, key for key. */
export const workspacesErrorsZh: typeof workspacesErrors = {};
