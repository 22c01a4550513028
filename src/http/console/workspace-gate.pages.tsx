import { Alert, Layout, type PageFrame } from './layout.js';
import { t } from './messages.js';

/**
 * Entering a workspace whose policy this session does not meet (403 workspace.mfa_required or
 * workspace.phishing_resistant_required): why, and the way in. Managing a workspace is
 * workspaces.pages.tsx.
 */

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
        <h1>{t.workspaces.requiresMfa(props.name)}</h1>
        <Alert kind="info">{t.workspaces.requiresText}</Alert>
        <p>
          {props.bound ? (
            <a class="button primary-link" href={`/workspaces/${props.workspaceId}/verify`}>
              {t.workspaces.verify}
            </a>
          ) : (
            <a class="button primary-link" href="/account/security/mfa/bind">
              {t.workspaces.bind}
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
        <h1>{t.workspaces.requiresPasskey(props.name)}</h1>
        <Alert kind="info">
          {props.hasPasskey ? t.workspaces.requiresPasskeyText : t.workspaces.requiresPasskeyAdd}
        </Alert>
        <p>
          {props.hasPasskey ? (
            <a
              class="button primary-link"
              href={`/workspaces/${props.workspaceId}/verify?with=passkey`}
              data-testid="verify-passkey"
            >
              {t.workspaces.verifyPasskey}
            </a>
          ) : (
            <a class="button primary-link" href="/account/security/devices#add-passkey">
              {t.workspaces.addPasskey}
            </a>
          )}
        </p>
      </section>
    </Layout>
  );
}
