import type { workspacesTexts } from '../workspaces.js';
import type { Notice } from '../common.js';

/** Workspaces and their mandatory-MFA policy (docs/design.md F9). */
export const workspacesTextsZh: typeof workspacesTexts = {
  workspaces: {
    title: 'Workspaces',
    none: 'You are not in any workspace yet.',
    columns: {
      name: 'Workspace',
      role: 'Your role',
      mfa: 'Mandatory MFA',
      member: 'Member',
      memberRole: 'Role',
      memberMfa: 'MFA devices',
    },
    on: 'On',
    onPasskeys: 'On, passkeys',
    off: 'Off',
    createHeading: 'Create a workspace',
    name: 'Name',
    create: 'Create workspace',
    nameRule: 'A workspace name is 1 to 100 characters.',
    graceRule: 'The grace period is a whole number of days from 0 to 90.',
    requiresMfa: (name: string) => `${name} requires MFA`,
    requiresText:
      'All members of this workspace must bind a virtual MFA device and verify it; otherwise they cannot access the workspace.',
    verify: 'Verify with a code from your app',
    bind: 'Bind a virtual MFA device',
    mandatory: 'Mandatory MFA',
    mandatoryText:
      'When on, every member must bind and verify a virtual MFA device to access this workspace. After the grace period, members without a device are taken through binding when they log in.',
    requireAll: 'Require MFA for all members',
    requirePasskeys: 'Require phishing-resistant MFA (passkeys)',
    requirePasskeysHint:
      'Members must prove a passkey; a code from an app is not enough (a look-alike site can relay a code, not a passkey). This turns on mandatory MFA too, and you must have verified with a passkey yourself.',
    noPasskey: 'No passkey',
    somePasskeyless: (without: number, all: number) =>
      `${without} of ${all} members ${without === 1 ? 'has' : 'have'} no passkey yet.`,
    requiresPasskey: (name: string) => `${name} requires a passkey`,
    requiresPasskeyText:
      'This workspace requires phishing-resistant MFA. This session proved a code from an app, which a look-alike site could have relayed; a passkey cannot be relayed. Verify with your passkey to enter.',
    requiresPasskeyAdd:
      'This workspace requires phishing-resistant MFA, and you have no passkey yet. Add one under Security Settings › MFA devices, then verify with it to enter.',
    verifyPasskey: 'Verify with your passkey',
    addPasskey: 'Add a passkey',
    grace: 'Grace period (days)',
    savePolicy: 'Save policy',
    deadline: 'Deadline for members:',
    addMember: 'Add a member',
    everyoneMember: 'Every user of the account is a member already.',
    user: 'User',
    role: 'Role',
    member: 'Member',
    admin: 'Admin',
    add: 'Add member',
    compliance: 'Compliance',
    allBound: 'Every member has bound a virtual MFA device.',
    someUnbound: (unbound: number, all: number) =>
      `${unbound} of ${all} members ${unbound === 1 ? 'has' : 'have'} not bound a virtual MFA device.`,
    remind: (unbound: number) =>
      unbound === 1
        ? 'E-mail a reminder to the member without MFA'
        : `E-mail a reminder to the ${unbound} members without MFA`,
    columns2: { actions: 'Manage' },
    setRole: 'Set role',
    remove: 'Remove',
    settings: 'Workspace settings',
    rename: 'Rename',
    deleteHeading: 'Delete this workspace',
    deleteText: 'Deleting removes the workspace and every membership; its audit events stay.',
    deleteButton: 'Delete workspace…',
    ownerRow: 'owner',
    welcome: (name: string) => `Welcome to ${name}.`,
    notFound: 'No such workspace.',
    thisWorkspace: 'This workspace',
    notices: {
      created: { kind: 'success', text: 'Workspace created. Add members and decide whether MFA is mandatory.' },
      policy: { kind: 'success', text: 'Policy saved.' },
      'policy-told': {
        kind: 'success',
        text: 'Policy saved. Members without the device it asks for were notified (by email where they have an address).',
      },
      member: { kind: 'success', text: 'Member added.' },
      role: { kind: 'success', text: 'Role changed.' },
      removed: { kind: 'success', text: 'Member removed from the workspace.' },
      renamed: { kind: 'success', text: 'Workspace renamed.' },
      deleted: { kind: 'success', text: 'Workspace deleted.' },
      reminded: { kind: 'success', text: 'Reminders sent to every member without MFA.' },
    } satisfies Record<string, Notice>,
    memberAdded: (name: string) => `${name} was added to the workspace.`,
    removeMember: (name: string, workspace: string) => `Remove ${name} from ${workspace}?`,
    removeMemberText: 'The user keeps its account, device and sessions, but no longer reaches this workspace.',
    deleteWorkspace: (name: string) => `Delete the workspace ${name}?`,
    deleteWorkspaceText: (policy: boolean) =>
      `Every membership goes with it${policy ? ', and so does its mandatory-MFA policy' : ''}. Its audit events stay. This cannot be undone.`,
  },
};
