import { ActivationForm, Alert, CodeInput, Csrf, Layout, type PageFrame } from './layout.js';

type Message = { kind: 'error' | 'success' | 'info'; text: string } | null;

function Notice(props: { message: Message }) {
  return props.message ? <Alert kind={props.message.kind}>{props.message.text}</Alert> : null;
}

export function SignupPage(props: { frame: PageFrame; message: Message; email?: string; displayName?: string }) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow">
        <h1>Create your account</h1>
        <p class="muted">A primary account owns its sub-users and workspaces.</p>
        <Notice message={props.message} />
        <form method="post" action="/signup">
          <Csrf value={props.frame.csrf} />
          <label>
            Email
            <input name="email" type="email" autoComplete="email" required maxLength={254} value={props.email ?? ''} />
          </label>
          <label>
            Display name <span class="muted">(optional)</span>
            <input name="displayName" type="text" maxLength={100} value={props.displayName ?? ''} />
          </label>
          <label>
            Password <span class="muted">(at least 8 characters)</span>
            <input name="password" type="password" autoComplete="new-password" required minLength={8} maxLength={256} />
          </label>
          <button type="submit" class="primary">
            Create account
          </button>
        </form>
        <p class="muted">
          Already have an account? <a href="/login">Log in</a>
        </p>
      </section>
    </Layout>
  );
}

export function LoginPage(props: { frame: PageFrame; message: Message; login?: string }) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow">
        <h1>Log in</h1>
        <Notice message={props.message} />
        <form method="post" action="/login">
          <Csrf value={props.frame.csrf} />
          <label>
            Email, or username@alias for a sub-user
            <input
              name="login"
              type="text"
              autoComplete="username"
              required
              maxLength={320}
              value={props.login ?? ''}
            />
          </label>
          <label>
            Password
            <input name="password" type="password" autoComplete="current-password" required maxLength={256} />
          </label>
          <button type="submit" class="primary">
            Log in
          </button>
        </form>
        <p class="muted">
          No account yet? <a href="/signup">Sign up</a>
        </p>
        <p class="muted small">
          Lost the phone with your authenticator app? A sub-user asks its primary account to reset the device.
        </p>
      </section>
    </Layout>
  );
}

export function ClockHint() {
  return (
    <div class="hint">
      <strong>Codes keep failing?</strong> The phone's clock may be off. On the phone, turn on automatic date and time
      ("Set automatically" / "Use network-provided time"), then enter the newest code.
    </div>
  );
}

export function MfaCodePage(props: { frame: PageFrame; message: Message; showClockHint: boolean }) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow">
        <h1>Dynamic code</h1>
        <p>Open your authenticator app and enter the 6-digit code shown for this account.</p>
        <Notice message={props.message} />
        {props.showClockHint ? <ClockHint /> : null}
        <form method="post" action="/login/mfa">
          <Csrf value={props.frame.csrf} />
          <CodeInput name="code" label="Code" autofocus />
          <button type="submit" class="primary">
            Verify
          </button>
        </form>
        <p class="muted small">
          <a href="/login">Start over</a>
        </p>
      </section>
    </Layout>
  );
}

export function MfaStatusCard(props: { bound: boolean; boundAt?: string | undefined; csrf: string }) {
  return (
    <div class="setting">
      <div>
        <h3>Virtual MFA</h3>
        <p class="muted">
          A 6-digit dynamic code from an authenticator app (Google Authenticator, Microsoft Authenticator, …), asked at
          every login.
        </p>
      </div>
      <div class="setting-state">
        {props.bound ? (
          <span class="badge badge-ok" data-testid="mfa-status">
            Bound
          </span>
        ) : (
          <span class="badge badge-off" data-testid="mfa-status">
            Not bound
          </span>
        )}
        {props.bound && props.boundAt ? <span class="muted small">since {props.boundAt.slice(0, 10)}</span> : null}
        {props.bound ? (
          <a class="button" href="/account/security/mfa/unbind">
            Unbind
          </a>
        ) : (
          <form method="post" action="/account/security/mfa/bind" class="inline">
            <Csrf value={props.csrf} />
            <button type="submit" class="primary">
              Bind
            </button>
          </form>
        )}
      </div>
    </div>
  );
}

export function OverviewPage(props: {
  frame: PageFrame;
  message: Message;
  displayName: string;
  alias: string;
  mfa: { bound: boolean; boundAt?: string | undefined };
  mfaDeadline: number | null;
}) {
  return (
    <Layout {...props.frame} active="overview">
      <h1>Welcome, {props.displayName}</h1>
      <Notice message={props.message} />
      {props.mfaDeadline !== null ? (
        <div class="banner" role="status" data-testid="mfa-banner">
          <strong>A workspace you belong to requires MFA.</strong> Bind a virtual MFA device before{' '}
          {new Date(props.mfaDeadline).toISOString().replace('T', ' ').slice(0, 16)} UTC; after that, you will have to
          bind one at login. <a href="/account/security/mfa/bind">Bind now</a>
        </div>
      ) : null}
      <div class="grid">
        <section class="card">
          <h2>Account</h2>
          <p>
            Account alias: <code>{props.alias}</code>
          </p>
          <p class="muted small">
            Sub-users log in as <code>username@{props.alias}</code>.
          </p>
        </section>
        <section class="card">
          <h2>Security</h2>
          <MfaStatusCard bound={props.mfa.bound} boundAt={props.mfa.boundAt} csrf={props.frame.csrf} />
          {props.mfa.bound ? null : (
            <p class="muted small">
              We strongly recommend binding a virtual MFA device: a leaked password alone then opens nothing.
            </p>
          )}
        </section>
      </div>
    </Layout>
  );
}

const methodLabels: Record<string, string> = {
  totp: 'Code from the authenticator app (TOTP)',
  email: 'Code by email',
  sms: 'Code by SMS',
  password: 'Password',
};

export function SecurityPage(props: {
  frame: PageFrame;
  message: Message;
  email: string | undefined;
  mfa: { bound: boolean; boundAt?: string | undefined };
  protection: { sensitiveOperations: { method: string | null; choices: string[] } };
}) {
  return (
    <Layout {...props.frame} active="security">
      <h1>Account Management</h1>
      <h2 class="sub">Security Settings</h2>
      <Notice message={props.message} />
      <section class="card">
        <div class="setting">
          <div>
            <h3>Login password</h3>
            <p class="muted">Used with {props.email ?? 'your login'}.</p>
          </div>
          <div class="setting-state">
            <span class="badge badge-ok">Set</span>
          </div>
        </div>
        <MfaStatusCard bound={props.mfa.bound} boundAt={props.mfa.boundAt} csrf={props.frame.csrf} />
      </section>
      <h2 class="sub">Account protection</h2>
      <section class="card">
        <div class="setting">
          <div>
            <h3>Login</h3>
            <p class="muted">
              {props.mfa.bound
                ? 'Password, then the dynamic code from your virtual MFA device.'
                : 'Password only. Bind a virtual MFA device to require a dynamic code too.'}
            </p>
          </div>
        </div>
        <div class="setting">
          <div>
            <h3>Sensitive operations</h3>
            <p class="muted">
              Unbinding, changing your password, email or phone, managing users' sign-in, workspace MFA policies.
            </p>
          </div>
          <div class="setting-state">
            {props.mfa.bound ? (
              <span class="badge badge-ok">{methodLabels.totp}</span>
            ) : (
              <form method="post" action="/account/security/protection" class="inline-row">
                <Csrf value={props.frame.csrf} />
                <select name="sensitiveOperations" data-testid="protection-method">
                  {props.protection.sensitiveOperations.choices.map((c) => (
                    <option key={c} value={c} selected={props.protection.sensitiveOperations.method === c}>
                      {methodLabels[c] ?? c}
                    </option>
                  ))}
                </select>
                <button type="submit">Save</button>
              </form>
            )}
          </div>
        </div>
      </section>
    </Layout>
  );
}

export interface StepUpOptions {
  /** The device is bound: only TOTP counts. */
  totp: boolean;
  /** Email/SMS destinations that can get a code (masked). */
  channels: { channel: 'email' | 'sms'; destination: string }[];
  /** A code was just sent: ask for it. */
  pending?: { verificationId: string; channel: 'email' | 'sms'; destination: string } | undefined;
}

/** The form a sensitive operation was started from, carried through the verification. */
export interface ResumeForm {
  action: string;
  fields: Record<string, string>;
}

function ResumeInputs(props: { resume: ResumeForm | undefined }) {
  if (!props.resume) return null;
  return (
    <>
      <input type="hidden" name="_resumeAction" value={props.resume.action} />
      <input type="hidden" name="_resumeFields" value={JSON.stringify(props.resume.fields)} />
    </>
  );
}

/** After the verification: one click re-sends the operation the user started (works without JavaScript). */
export function ContinuePage(props: { frame: PageFrame; resume: ResumeForm; purpose: string }) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow">
        <h1>Verified</h1>
        <Alert kind="success">Thanks, that was you. Continue with: {props.purpose.toLowerCase()}.</Alert>
        <form method="post" action={props.resume.action}>
          <Csrf value={props.frame.csrf} />
          {Object.entries(props.resume.fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <button type="submit" class="primary" data-testid="continue">
            Continue
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function StepUpPage(props: {
  frame: PageFrame;
  message: Message;
  options: StepUpOptions;
  next: string;
  purpose: string;
  resume?: ResumeForm | undefined;
}) {
  const { options } = props;
  return (
    <Layout {...props.frame} active="security">
      <section class="card narrow">
        <h1>Verify it's you</h1>
        <p>{props.purpose} is a sensitive operation.</p>
        <Notice message={props.message} />
        {options.totp ? (
          <form method="post" action="/account/security/step-up">
            <Csrf value={props.frame.csrf} />
            <input type="hidden" name="method" value="totp" />
            <input type="hidden" name="next" value={props.next} />
            <ResumeInputs resume={props.resume} />
            <p class="muted">Enter a code from your authenticator app.</p>
            <CodeInput name="code" label="Code" autofocus />
            <button type="submit" class="primary">
              Verify
            </button>
          </form>
        ) : (
          <>
            {options.pending ? (
              <form method="post" action="/account/security/step-up">
                <Csrf value={props.frame.csrf} />
                <input type="hidden" name="method" value={options.pending.channel} />
                <input type="hidden" name="verificationId" value={options.pending.verificationId} />
                <input type="hidden" name="next" value={props.next} />
                <ResumeInputs resume={props.resume} />
                <p class="muted">
                  We sent a 6-digit code to <strong>{options.pending.destination}</strong>. It is valid for 10 minutes.
                </p>
                <CodeInput name="code" label="Verification code" autofocus />
                <button type="submit" class="primary">
                  Verify
                </button>
              </form>
            ) : null}
            {options.channels.map((c) => (
              <form method="post" action="/account/security/step-up/send" key={c.channel}>
                <Csrf value={props.frame.csrf} />
                <input type="hidden" name="channel" value={c.channel} />
                <input type="hidden" name="next" value={props.next} />
                <ResumeInputs resume={props.resume} />
                <button type="submit" class={options.pending ? '' : 'primary'} data-testid={`send-${c.channel}`}>
                  {options.pending?.channel === c.channel
                    ? 'Send a new code'
                    : c.channel === 'email'
                      ? `Email a code to ${c.destination}`
                      : `Text a code to ${c.destination}`}
                </button>
              </form>
            ))}
            <details class="alt" open={options.channels.length === 0}>
              <summary>Use your password instead</summary>
              <form method="post" action="/account/security/step-up">
                <Csrf value={props.frame.csrf} />
                <input type="hidden" name="method" value="password" />
                <input type="hidden" name="next" value={props.next} />
                <ResumeInputs resume={props.resume} />
                <label>
                  Password
                  <input name="password" type="password" autoComplete="current-password" required maxLength={256} />
                </label>
                <button type="submit">Verify with password</button>
              </form>
            </details>
          </>
        )}
      </section>
    </Layout>
  );
}

export function BindStartPage(props: { frame: PageFrame; message: Message }) {
  return (
    <Layout {...props.frame} active="security">
      <section class="card narrow">
        <h1>Bind a virtual MFA device</h1>
        <Notice message={props.message} />
        <ol>
          <li>
            Install an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, or any TOTP app).
          </li>
          <li>We show a QR code and a key; add the account in the app by scanning or typing it.</li>
          <li>Confirm with two consecutive codes from the app.</li>
        </ol>
        <form method="post" action="/account/security/mfa/bind">
          <Csrf value={props.frame.csrf} />
          <button type="submit" class="primary">
            Show the QR code
          </button>
        </form>
      </section>
    </Layout>
  );
}

/** The key in groups of four, as people copy it into an app by hand. */
export function groupKey(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

export function BindPage(props: {
  frame: PageFrame;
  message: Message;
  showClockHint: boolean;
  enrollment: { id: string; secret: string; qrSvg: string; expiresAt: number };
  issuer: string;
  accountName: string;
  codesRequired: 1 | 2;
}) {
  return (
    <Layout {...props.frame} active="security">
      <section class="card">
        <h1>Bind a virtual MFA device</h1>
        <Notice message={props.message} />
        {props.showClockHint ? <ClockHint /> : null}
        <div class="bind">
          <div>
            <h3>1. Scan the QR code</h3>
            <div class="qr" data-testid="qr" dangerouslySetInnerHTML={{ __html: props.enrollment.qrSvg }} />
          </div>
          <div>
            <h3>Or type the key</h3>
            <p class="muted small">
              In the app choose "Enter a setup key", account{' '}
              <strong>
                {props.issuer}: {props.accountName}
              </strong>
              , time-based.
            </p>
            <p class="key" data-testid="secret-key">
              {groupKey(props.enrollment.secret)}
            </p>
            <h3>2. Enter {props.codesRequired === 2 ? 'two consecutive codes' : 'the code'}</h3>
            <p class="muted small">
              {props.codesRequired === 2
                ? 'Enter the code the app shows now, wait until it changes (every 30 seconds), then enter the next one.'
                : 'Enter the code the app shows now.'}
            </p>
            <ActivationForm
              action="/account/security/mfa/bind/activate"
              csrf={props.frame.csrf}
              enrollmentId={props.enrollment.id}
              codesRequired={props.codesRequired}
            />
            <p class="muted small">
              This page expires at {new Date(props.enrollment.expiresAt).toISOString().slice(11, 16)} UTC.{' '}
              <a href="/account/security">Cancel</a>
            </p>
          </div>
        </div>
      </section>
    </Layout>
  );
}

export function UnbindPage(props: { frame: PageFrame; message: Message; showClockHint: boolean }) {
  return (
    <Layout {...props.frame} active="security">
      <section class="card narrow">
        <h1>Unbind the virtual MFA device</h1>
        <p>
          After unbinding, codes from this device stop working and logins ask only for the password. To replace the
          device, unbind it, then bind the new one.
        </p>
        <Notice message={props.message} />
        {props.showClockHint ? <ClockHint /> : null}
        <form method="post" action="/account/security/mfa/unbind">
          <Csrf value={props.frame.csrf} />
          <CodeInput name="code" label="Current code from the app" autofocus />
          <button type="submit" class="danger">
            Unbind
          </button>
        </form>
        <p class="muted small">
          <a href="/account/security">Cancel</a>
        </p>
      </section>
    </Layout>
  );
}

const eventLabels: Record<string, string> = {
  'account.created': 'Account created',
  'login.succeeded': 'Logged in',
  'login.failed': 'Login failed',
  'login.password_verified': 'Password accepted, code asked',
  'session.ended': 'Signed out',
  'mfa.verify_failed': 'Wrong dynamic code',
  'mfa.locked': 'Second factor locked',
  'mfa.enrollment_started': 'MFA binding started',
  'mfa.bound': 'Virtual MFA bound',
  'mfa.unbound': 'Virtual MFA unbound',
  'mfa.resynced': 'MFA clock re-synced',
  'stepup.succeeded': 'Verified for a sensitive operation',
  'stepup.failed': 'Verification failed',
  'mfa.reset_by_admin': 'Virtual MFA reset by an administrator',
  'user.created': 'User created',
  'user.updated': 'User changed',
  'user.deleted': 'User deleted',
  'login.locked': 'Login locked',
  'throttle.unlocked': 'Unlocked by an operator',
};

export function AuditPage(props: {
  frame: PageFrame;
  events: {
    id: string;
    type: string;
    at: string;
    ip: string | null;
    userId: string | null;
    actorId: string | null;
    details: Record<string, unknown>;
  }[];
  types: string[];
  people: { id: string; label: string }[];
  selected: { type?: string | undefined; userId?: string | undefined };
}) {
  const names = new Map(props.people.map((p) => [p.id, p.label]));
  return (
    <Layout {...props.frame} active="audit">
      <h1>Audit log</h1>
      <form method="get" action="/audit" class="filter-form">
        {props.people.length > 0 ? (
          <label>
            User
            <select name="userId">
              <option value="">Everyone</option>
              {props.people.map((p) => (
                <option key={p.id} value={p.id} selected={props.selected.userId === p.id}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          Event
          <select name="type">
            <option value="">All events</option>
            {props.types.map((t) => (
              <option key={t} value={t} selected={props.selected.type === t}>
                {eventLabels[t] ?? t}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      <section class="card">
        <table>
          <thead>
            <tr>
              <th>When (UTC)</th>
              <th>Event</th>
              {props.people.length > 0 ? <th>User</th> : null}
              <th>From</th>
            </tr>
          </thead>
          <tbody>
            {props.events.map((e) => (
              <tr key={e.id}>
                <td>{e.at.replace('T', ' ').slice(0, 19)}</td>
                <td>
                  {eventLabels[e.type] ?? e.type} <code class="muted small">{e.type}</code>
                  {e.actorId && e.actorId !== e.userId ? (
                    <span class="muted small"> · by {names.get(e.actorId) ?? 'an administrator'}</span>
                  ) : null}
                  {typeof e.details.reason === 'string' ? <span class="muted small"> · {e.details.reason}</span> : null}
                </td>
                {props.people.length > 0 ? <td>{e.userId ? (names.get(e.userId) ?? e.userId) : ''}</td> : null}
                <td>{e.ip ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {props.events.length === 0 ? <p class="muted">No events match.</p> : null}
      </section>
    </Layout>
  );
}

export function ErrorPage(props: { frame: PageFrame; title: string; text: string }) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow">
        <h1>{props.title}</h1>
        <Alert kind="error">{props.text}</Alert>
        <p>
          <a href="/">Back</a>
        </p>
      </section>
    </Layout>
  );
}
