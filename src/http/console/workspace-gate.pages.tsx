import { Alert, Layout, type PageFrame } from './layout.js';
import { t } from './messages.js';

/**
 * Entering a workspace whose policy this session does not meet (403 workspace.mfa_required or
 * workspace.phishing_resistant_required): why, and the way in. Managing a workspace is
 * workspaces.pages.tsx.
 */

const w = t.workspaces;

/** A workspace that requires MFA, reached from a session that proved no device: bind one, or verify. */
export function WorkspaceMfaRequiredPage(props: {
  frame: PageFrame;
  name: string;
  bound: boolean;
  workspaceId: string;
}) {
  return (
    <Layout {...props.frame} active="workspaces">
      <section class="card narrow">
        <h1>{w.requiresMfa(props.name)}</h1>
        <Alert kind="info">{w.requiresText}</Alert>
        <p>
          {props.bound ? (
            <a class="button primary-link" href={`/workspaces/${props.workspaceId}/verify`}>
              {w.verify}
            </a>
          ) : (
            <a class="button primary-link" href="/account/security/mfa/bind">
              {w.bind}
            </a>
          )}
        </p>
      </section>
    </Layout>
  );
}

/**
 * A workspace that requires phishing-resistant MFA, reached from a session that proved only a code
 * (403 workspace.phishing_resistant_required): why, and the way in — a passkey.
 */
export function WorkspacePasskeyRequiredPage(props: {
  frame: PageFrame;
  name: string;
  hasPasskey: boolean;
  workspaceId: string;
}) {
  return (
    <Layout {...props.frame} active="workspaces">
      <section class="card narrow" data-testid="workspace-passkey-required">
        <h1>{w.requiresPasskey(props.name)}</h1>
        <Alert kind="info">{props.hasPasskey ? w.requiresPasskeyText : w.requiresPasskeyAdd}</Alert>
        <p>
          {props.hasPasskey ? (
            <a
              class="button primary-link"
              href={`/workspaces/${props.workspaceId}/verify?with=passkey`}
              data-testid="verify-passkey"
            >
              {w.verifyPasskey}
            </a>
          ) : (
            <a class="button primary-link" href="/account/security/devices#add-passkey">
              {w.addPasskey}
            </a>
          )}
        </p>
      </section>
    </Layout>
  );
}
