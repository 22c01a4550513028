import { Alert, Csrf, Layout, type PageFrame } from './layout.js';

type Message = { kind: 'error' | 'success' | 'info'; text: string } | null;

export interface WorkspaceView {
  id: string;
  name: string;
  mfaRequired: boolean;
  graceDays: number;
  mfaDeadline: string | null;
  role?: string | undefined;
}

function Notice(props: { message: Message }) {
  return props.message ? <Alert kind={props.message.kind}>{props.message.text}</Alert> : null;
}

export function WorkspacesPage(props: { frame: PageFrame; message: Message; workspaces: WorkspaceView[] }) {
  return (
    <Layout {...props.frame} active="workspaces">
      <h1>Workspaces</h1>
      <Notice message={props.message} />
      <section class="card">
        {props.workspaces.length === 0 ? (
          <p class="muted">You are not in any workspace yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Workspace</th>
                <th>Your role</th>
                <th>Mandatory MFA</th>
              </tr>
            </thead>
            <tbody>
              {props.workspaces.map((w) => (
                <tr key={w.id}>
                  <td>
                    <a href={`/workspaces/${w.id}`}>{w.name}</a>
                  </td>
                  <td>{w.role}</td>
                  <td>{w.mfaRequired ? <span class="badge badge-ok">On</span> : <span class="muted">Off</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="card narrow-left">
        <h2>Create a workspace</h2>
        <form method="post" action="/workspaces">
          <Csrf value={props.frame.csrf} />
          <label>
            Name
            <input name="name" type="text" required maxLength={100} />
          </label>
          <button type="submit" class="primary">
            Create workspace
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function WorkspaceMfaRequiredPage(props: {
  frame: PageFrame;
  name: string;
  bound: boolean;
  workspaceId: string;
}) {
  return (
    <Layout {...props.frame} active="workspaces">
      <section class="card narrow">
        <h1>{props.name} requires MFA</h1>
        <Alert kind="info">
          All members of this workspace must bind a virtual MFA device and verify it; otherwise they cannot access the
          workspace.
        </Alert>
        {props.bound ? (
          <p>
            <a class="button primary-link" href={`/workspaces/${props.workspaceId}/verify`}>
              Verify with a code from your app
            </a>
          </p>
        ) : (
          <p>
            <a class="button primary-link" href="/account/security/mfa/bind">
              Bind a virtual MFA device
            </a>
          </p>
        )}
      </section>
    </Layout>
  );
}

export function WorkspacePage(props: {
  frame: PageFrame;
  message: Message;
  workspace: WorkspaceView;
  canManage: boolean;
  members: {
    userId: string;
    role: string;
    name?: string | undefined;
    displayName?: string | undefined;
    mfa: { bound: boolean };
  }[];
  candidates: { id: string; label: string }[];
}) {
  const w = props.workspace;
  const unbound = props.members.filter((m) => !m.mfa.bound).length;
  return (
    <Layout {...props.frame} active="workspaces">
      <p class="muted small">
        <a href="/workspaces">Workspaces</a> › {w.name}
      </p>
      <h1>{w.name}</h1>
      <Notice message={props.message} />
      {props.canManage ? (
        <div class="grid">
          <section class="card">
            <h2>Mandatory MFA</h2>
            <p class="muted">
              When on, every member must bind and verify a virtual MFA device to access this workspace. After the grace
              period, members without a device are taken through binding when they log in.
            </p>
            <form method="post" action={`/workspaces/${w.id}/policy`}>
              <Csrf value={props.frame.csrf} />
              <label class="check">
                <input
                  name="mfaRequired"
                  type="checkbox"
                  value="1"
                  checked={w.mfaRequired}
                  data-testid="mfa-required"
                />{' '}
                Require MFA for all members
              </label>
              <label>
                Grace period (days)
                <input name="graceDays" type="number" min={0} max={90} value={String(w.graceDays)} />
              </label>
              <button type="submit" class="primary">
                Save policy
              </button>
            </form>
            {w.mfaDeadline ? (
              <p class="muted small">Deadline for members: {w.mfaDeadline.replace('T', ' ').slice(0, 16)} UTC</p>
            ) : null}
          </section>
          <section class="card">
            <h2>Add a member</h2>
            {props.candidates.length === 0 ? (
              <p class="muted">Every user of the account is a member already.</p>
            ) : (
              <form method="post" action={`/workspaces/${w.id}/members`}>
                <Csrf value={props.frame.csrf} />
                <label>
                  User
                  <select name="userId">
                    {props.candidates.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.label}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  Role
                  <select name="role">
                    <option value="member">Member</option>
                    <option value="admin">Admin</option>
                  </select>
                </label>
                <button type="submit">Add member</button>
              </form>
            )}
          </section>
        </div>
      ) : null}
      {props.canManage ? (
        <section class="card">
          <h2>Compliance</h2>
          <p class="muted">
            {unbound === 0
              ? 'Every member has bound a virtual MFA device.'
              : `${unbound} of ${props.members.length} members have not bound a virtual MFA device.`}
          </p>
          <table data-testid="compliance">
            <thead>
              <tr>
                <th>Member</th>
                <th>Role</th>
                <th>Virtual MFA</th>
              </tr>
            </thead>
            <tbody>
              {props.members.map((m) => (
                <tr key={m.userId}>
                  <td>
                    {m.displayName} <span class="muted small">{m.name}</span>
                  </td>
                  <td>{m.role}</td>
                  <td>
                    {m.mfa.bound ? (
                      <span class="badge badge-ok">Bound</span>
                    ) : (
                      <span class="badge badge-off">Not bound</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : (
        <section class="card">
          <p>Welcome to {w.name}.</p>
        </section>
      )}
    </Layout>
  );
}
