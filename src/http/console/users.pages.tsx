import { ActivationForm, Alert, Csrf, Layout, type PageFrame } from './layout.js';
import { groupKey } from './pages.js';

type Message = { kind: 'error' | 'success' | 'info'; text: string } | null;

export interface SubUserView {
  id: string;
  username: string;
  displayName: string;
  email?: string | undefined;
  phone?: string | undefined;
  roles: string[];
  mfaRequired: boolean;
  disabled: boolean;
  createdAt: string;
  mfa: { bound: boolean; device?: { id: string; boundAt: string } | undefined };
}

function Notice(props: { message: Message }) {
  return props.message ? <Alert kind={props.message.kind}>{props.message.text}</Alert> : null;
}

function MfaBadge(props: { bound: boolean }) {
  return props.bound ? <span class="badge badge-ok">Bound</span> : <span class="badge badge-off">Not bound</span>;
}

export function UsersPage(props: {
  frame: PageFrame;
  message: Message;
  users: SubUserView[];
  alias: string;
  filter: 'unbound' | null;
}) {
  return (
    <Layout {...props.frame} active="users">
      <div class="page-head">
        <h1>User Management</h1>
        <a class="button primary-link" href="/users/new">
          Create user
        </a>
      </div>
      <Notice message={props.message} />
      <p class="muted">
        Sub-users log in as <code>username@{props.alias}</code> on the same login page. Their password, virtual MFA
        device and sessions are their own.
      </p>
      <p class="filters">
        <a class={props.filter === null ? 'chip chip-active' : 'chip'} href="/users">
          All
        </a>
        <a
          class={props.filter === 'unbound' ? 'chip chip-active' : 'chip'}
          href="/users?mfa=unbound"
          data-testid="filter-unbound"
        >
          MFA not bound
        </a>
      </p>
      <section class="card">
        {props.users.length === 0 ? (
          <p class="muted">
            {props.filter === 'unbound' ? 'Every user has bound a virtual MFA device.' : 'No sub-users yet.'}
          </p>
        ) : (
          <table data-testid="users">
            <thead>
              <tr>
                <th>Username</th>
                <th>Display name</th>
                <th>Virtual MFA</th>
                <th>MFA required</th>
                <th>Role</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {props.users.map((u) => (
                <tr key={u.id}>
                  <td>
                    <a href={`/users/${u.id}`}>{u.username}</a>
                  </td>
                  <td>{u.displayName}</td>
                  <td>
                    <MfaBadge bound={u.mfa.bound} />
                  </td>
                  <td>{u.mfaRequired ? 'Yes' : 'No'}</td>
                  <td>{u.roles.includes('user-admin') ? 'User admin' : ''}</td>
                  <td>{u.disabled ? <span class="badge badge-off">Disabled</span> : 'Active'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}

export function NewUserPage(props: { frame: PageFrame; message: Message; values: Record<string, string> }) {
  return (
    <Layout {...props.frame} active="users">
      <section class="card narrow">
        <h1>Create user</h1>
        <Notice message={props.message} />
        <form method="post" action="/users/new">
          <Csrf value={props.frame.csrf} />
          <label>
            Username <span class="muted">(letters, digits, . _ -)</span>
            <input
              name="username"
              type="text"
              required
              maxLength={64}
              pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}"
              value={props.values.username ?? ''}
            />
          </label>
          <label>
            Display name <span class="muted">(optional)</span>
            <input name="displayName" type="text" maxLength={100} value={props.values.displayName ?? ''} />
          </label>
          <label>
            Email <span class="muted">(optional, for security notices)</span>
            <input name="email" type="email" maxLength={254} value={props.values.email ?? ''} />
          </label>
          <label>
            Initial password <span class="muted">(at least 8 characters)</span>
            <input name="password" type="password" autoComplete="new-password" required minLength={8} maxLength={256} />
          </label>
          <label class="check">
            <input name="mfaRequired" type="checkbox" value="1" checked={props.values.mfaRequired === '1'} /> Require
            virtual MFA: the user must bind a device at the next login
          </label>
          <button type="submit" class="primary">
            Create user
          </button>
        </form>
        <p class="muted small">
          <a href="/users">Back to User Management</a>
        </p>
      </section>
    </Layout>
  );
}

export function UserDetailsPage(props: {
  frame: PageFrame;
  message: Message;
  user: SubUserView;
  loginName: string;
  manageable: boolean;
  isPrimary: boolean;
}) {
  const u = props.user;
  return (
    <Layout {...props.frame} active="users">
      <p class="muted small">
        <a href="/users">User Management</a> › User Details
      </p>
      <h1>
        {u.displayName} <span class="muted">({u.username})</span>
      </h1>
      <Notice message={props.message} />
      <div class="grid">
        <section class="card">
          <h2>Details</h2>
          <p>
            Login: <code>{props.loginName}</code>
          </p>
          <p>Email: {u.email ?? <span class="muted">none</span>}</p>
          <p>Created: {u.createdAt.slice(0, 10)}</p>
          {props.manageable ? (
            <form method="post" action={`/users/${u.id}/edit`}>
              <Csrf value={props.frame.csrf} />
              <label>
                Display name
                <input name="displayName" type="text" required maxLength={100} value={u.displayName} />
              </label>
              <label>
                Email
                <input name="email" type="email" maxLength={254} value={u.email ?? ''} />
              </label>
              <label class="check">
                <input name="mfaRequired" type="checkbox" value="1" checked={u.mfaRequired} /> Require virtual MFA
              </label>
              <label class="check">
                <input name="disabled" type="checkbox" value="1" checked={u.disabled} /> Disabled (cannot log in;
                sessions end)
              </label>
              {props.isPrimary ? (
                <label class="check">
                  <input name="userAdmin" type="checkbox" value="1" checked={u.roles.includes('user-admin')} /> User
                  administrator (manages plain sub-users)
                </label>
              ) : null}
              <button type="submit">Save changes</button>
            </form>
          ) : (
            <p class="muted small">Only the primary account manages user administrators.</p>
          )}
        </section>
        <section class="card">
          <h2>Security Credential</h2>
          <div class="setting">
            <div>
              <h3>Virtual MFA</h3>
              <p class="muted">
                {u.mfa.bound ? `Bound since ${u.mfa.device!.boundAt.slice(0, 10)}.` : 'No device bound.'}
              </p>
            </div>
            <div class="setting-state">
              <span data-testid="user-mfa-status">
                <MfaBadge bound={u.mfa.bound} />
              </span>
            </div>
          </div>
          {props.manageable && !u.mfa.bound ? (
            <form method="post" action={`/users/${u.id}/mfa/bind`}>
              <Csrf value={props.frame.csrf} />
              <p class="muted small">
                Bind a device for this user: scan the QR code with the authenticator app on the user's phone. The device
                belongs to the user.
              </p>
              <button type="submit" class="primary">
                Bind virtual MFA for this user
              </button>
            </form>
          ) : null}
          {props.manageable && u.mfa.bound ? (
            <form method="post" action={`/users/${u.id}/mfa/reset`}>
              <Csrf value={props.frame.csrf} />
              <p class="muted small">
                Lost phone? Reset removes the device and ends the user's sessions
                {u.mfaRequired ? '; the user binds a new one at the next login' : ''}.
              </p>
              <label>
                Reason
                <input name="reason" type="text" maxLength={500} placeholder="e.g. phone lost, ticket 4711" />
              </label>
              <button type="submit" class="danger">
                Reset virtual MFA
              </button>
            </form>
          ) : null}
        </section>
      </div>
      {props.manageable ? (
        <section class="card">
          <form method="post" action={`/users/${u.id}/delete`} class="inline-row">
            <Csrf value={props.frame.csrf} />
            <span class="muted">Deleting removes the user, its device and its sessions. Audit events stay.</span>
            <button type="submit" class="danger">
              Delete user
            </button>
          </form>
        </section>
      ) : null}
    </Layout>
  );
}

export function UserBindPage(props: {
  frame: PageFrame;
  message: Message;
  user: { id: string; username: string };
  loginName: string;
  issuer: string;
  enrollment: { id: string; secret: string; qrSvg: string; expiresAt: number };
  codesRequired: 1 | 2;
}) {
  return (
    <Layout {...props.frame} active="users">
      <section class="card">
        <h1>Bind virtual MFA for {props.user.username}</h1>
        <Notice message={props.message} />
        <div class="bind">
          <div>
            <h3>1. Scan with the user's authenticator app</h3>
            <div class="qr" data-testid="qr" dangerouslySetInnerHTML={{ __html: props.enrollment.qrSvg }} />
          </div>
          <div>
            <h3>Or type the key</h3>
            <p class="muted small">
              Account{' '}
              <strong>
                {props.issuer}: {props.loginName}
              </strong>
              , time-based.
            </p>
            <p class="key" data-testid="secret-key">
              {groupKey(props.enrollment.secret)}
            </p>
            <h3>2. Enter {props.codesRequired === 2 ? 'two consecutive codes' : 'the code'} from that app</h3>
            <ActivationForm
              action={`/users/${props.user.id}/mfa/bind/activate`}
              csrf={props.frame.csrf}
              enrollmentId={props.enrollment.id}
              codesRequired={props.codesRequired}
            />
            <p class="muted small">
              <a href={`/users/${props.user.id}`}>Cancel</a>
            </p>
          </div>
        </div>
      </section>
    </Layout>
  );
}

export function OutboxPage(props: {
  frame: PageFrame;
  messages: {
    id: string;
    to: string;
    subject: string;
    text: string;
    at: string;
    status: string;
    lastError: string | null;
  }[];
}) {
  return (
    <Layout {...props.frame} active="outbox">
      <h1>
        Outbox <span class="muted small">(dev mode)</span>
      </h1>
      <p class="muted">
        Messages twofold sent. Without <code>TWOFOLD_SMTP_URL</code> they stay here instead of going out by email.
      </p>
      {props.messages.length === 0 ? (
        <section class="card">
          <p class="muted">No messages yet.</p>
        </section>
      ) : null}
      {props.messages.map((m) => (
        <section class="card message" key={m.id} data-testid="message">
          <p class="muted small">
            {m.at.replace('T', ' ').slice(0, 19)} UTC · to <strong>{m.to}</strong> · {m.status}
            {m.lastError ? ` · last error: ${m.lastError}` : ''}
          </p>
          <h3>{m.subject}</h3>
          <pre>{m.text}</pre>
        </section>
      ))}
    </Layout>
  );
}
