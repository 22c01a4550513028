import type { ComponentChildren } from 'preact';

export interface PageFrame {
  title: string;
  csrf: string;
  /** Signed-in user's display label, or null on public pages. */
  signedInAs: string | null;
  active?: 'overview' | 'security' | 'audit' | 'users' | 'outbox' | 'workspaces';
  dev?: boolean;
  canManageUsers?: boolean;
  /** A restricted session sees no navigation: it may only bind a device or sign out. */
  restricted?: boolean;
}

export function Layout(props: PageFrame & { children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{`${props.title} · twofold`}</title>
        <link rel="stylesheet" href="/assets/console.css" />
      </head>
      <body>
        <header class="topbar">
          <a class="brand" href={props.signedInAs ? '/overview' : '/login'}>
            <span class="brand-mark" aria-hidden="true">
              2
            </span>{' '}
            twofold
          </a>
          {props.signedInAs ? (
            <nav>
              {props.restricted ? null : (
                <>
                  <a class={props.active === 'overview' ? 'active' : ''} href="/overview">
                    Overview
                  </a>
                  {props.canManageUsers ? (
                    <a class={props.active === 'users' ? 'active' : ''} href="/users">
                      User Management
                    </a>
                  ) : null}
                  <a class={props.active === 'workspaces' ? 'active' : ''} href="/workspaces">
                    Workspaces
                  </a>
                  <a class={props.active === 'security' ? 'active' : ''} href="/account/security">
                    Account Management
                  </a>
                  <a class={props.active === 'audit' ? 'active' : ''} href="/audit">
                    Audit log
                  </a>
                  {props.dev ? (
                    <a class={props.active === 'outbox' ? 'active' : ''} href="/dev/outbox">
                      Outbox
                    </a>
                  ) : null}
                </>
              )}
              <span class="who">{props.signedInAs}</span>
              <form method="post" action="/logout" class="inline">
                <input type="hidden" name="_csrf" value={props.csrf} />
                <button type="submit" class="link">
                  Sign out
                </button>
              </form>
            </nav>
          ) : null}
        </header>
        <main>{props.children}</main>
        <footer>twofold · account security{props.dev ? ' · dev mode' : ''}</footer>
      </body>
    </html>
  );
}

export function Alert(props: { kind: 'error' | 'success' | 'info'; children: ComponentChildren }) {
  return (
    <div class={`alert alert-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

export function Csrf(props: { value: string }) {
  return <input type="hidden" name="_csrf" value={props.value} />;
}

export function CodeInput(props: { name: string; label: string; autofocus?: boolean }) {
  return (
    <label>
      {props.label}
      <input
        name={props.name}
        type="text"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9]{6}"
        maxLength={6}
        minLength={6}
        required
        autoFocus={props.autofocus}
        class="code"
      />
    </label>
  );
}

/** The two-consecutive-codes form that confirms a binding (own device, or one bound for a sub-user). */
export function ActivationForm(props: { action: string; csrf: string; enrollmentId: string; codesRequired: 1 | 2 }) {
  return (
    <form method="post" action={props.action}>
      <Csrf value={props.csrf} />
      <input type="hidden" name="enrollmentId" value={props.enrollmentId} />
      <CodeInput name="code1" label={props.codesRequired === 2 ? 'First code' : 'Code'} autofocus />
      {props.codesRequired === 2 ? <CodeInput name="code2" label="Next code" /> : null}
      <button type="submit" class="primary">
        Confirm
      </button>
    </form>
  );
}
