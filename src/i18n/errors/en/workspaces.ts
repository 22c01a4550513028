/** API error messages of workspaces (English, the source). Keys name the situation; values are shown to people. */
export const workspacesErrors = {
  notFoundOrNotMember: 'No such workspace, or you are not a member.',
  managersOnly: 'Only workspace owners and admins may do this.',
  ownerOnly: 'Only the owner of the workspace may do this.',
  notAMember: 'That user is not a member of this workspace.',
  ownerUnchangeable: 'The owner of a workspace cannot be removed or given another role.',
  passkeyRequired:
    'This workspace requires phishing-resistant MFA: verify with a passkey (or add one under Security Settings › MFA devices) to enter it.',
  verifyToEnter:
    'This workspace requires MFA: verify with a code from your authenticator app (POST /me/step-up) to enter it.',
  bindToEnter:
    'This workspace requires MFA: bind a virtual MFA device (Account Management › Security Settings) to enter it.',
  bindBeforeRequiring:
    'Bind your own virtual MFA device and verify it in this session before requiring MFA from the members.',
  phishingResistantNeedsMfa: 'Phishing-resistant MFA is a kind of mandatory MFA: require MFA too.',
  passkeyBeforeRequiring:
    'Add a passkey and verify with it in this session before requiring phishing-resistant MFA from the members.',
  alreadyMember: 'This user is already a member.',
  ownerRemovesAdmins: 'Only the owner of the workspace may remove an admin.',
  remindedRecently: 'The members without MFA were reminded less than an hour ago. Try again later.',
};
