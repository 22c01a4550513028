import type { ComponentChildren } from 'preact';
import { t } from './messages.js';

export type Message = { kind: 'error' | 'success' | 'info'; text: string } | null;

export interface PageFrame {
  title: string;
  csrf: string;
  /** Signed-in user's login as people type it, or null on public pages. */
  signedInAs: string | null;
  active?:
    | 'overview'
    | 'security'
    | 'profile'
    | 'sessions'
    | 'audit'
    | 'users'
    | 'outbox'
    | 'workspaces'
    | 'support'
    | 'applications'
    | 'api-tokens'
    | 'webhooks';
  dev?: boolean;
  canManageUsers?: boolean;
  /** The primary account sees its applications (/applications, issue 23). */
  isPrimary?: boolean;
  /** Support operators see the /support desk. */
  isOperator?: boolean;
  /** A restricted session sees no navigation: it may only bind a device or sign out. */
  restricted?: boolean;
  /** A step of an application's sign-in (consent): no navigation to wander off into. */
  focused?: boolean;
}

/** What a page with a passkey ceremony loads besides the console script (issue 22). */
export interface LayoutScripts {
  /** @simplewebauthn/browser and our passkey script, from our own origin. */
  webauthn?: boolean | undefined;
  /**
   * Go on to this address at once (a meta refresh): the way back to an application after a form,
   * which the CSP's `form-action 'self'` would block as a redirect (decision 029).
   */
  refreshTo?: string | undefined;
}

function NavLinks(props: PageFrame) {
  const link = (key: NonNullable<PageFrame['active']>, href: string, label: string) => (
    <a class={props.active === key ? 'active' : ''} href={href}>
      {label}
    </a>
  );
  return (
    <>
      {link('overview', '/overview', t.nav.overview)}
      {props.canManageUsers ? link('users', '/users', t.nav.users) : null}
      {link('workspaces', '/workspaces', t.nav.workspaces)}
      {props.isPrimary ? link('applications', '/applications', t.applications.nav) : null}
      {props.canManageUsers ? link('api-tokens', '/api-tokens', t.apiTokens.nav) : null}
      {props.isPrimary ? link('webhooks', '/webhooks', t.webhooks.nav) : null}
      {link('security', '/account/security', t.nav.account)}
      {link('profile', '/account/profile', t.nav.profile)}
      {link('sessions', '/account/sessions', t.nav.sessions)}
      {link('audit', '/audit', t.nav.audit)}
      {props.isOperator ? link('support', '/support', t.nav.support) : null}
      {props.dev ? link('outbox', '/dev/outbox', t.nav.outbox) : null}
    </>
  );
}

/**
 * The page frame. On a narrow screen the links fold into a "Menu" disclosure (a <details>, so it
 * works without JavaScript) and Sign out stays in reach; on a wide one they sit in the bar.
 */
export function Layout(props: PageFrame & LayoutScripts & { children: ComponentChildren }) {
  return (
    <html lang={t.lang}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        {props.refreshTo ? <meta http-equiv="refresh" content={`0;url=${props.refreshTo}`} /> : null}
        <title>{`${props.title} · ${t.brand}`}</title>
        <link rel="stylesheet" href="/assets/console.css" />
        <script src="/assets/console.js" defer />
        {props.webauthn ? (
          <>
            <script src="/assets/webauthn.js" defer />
            <script src="/assets/passkeys.js" defer />
          </>
        ) : null}
      </head>
      <body>
        <header class="topbar">
          <a class="brand" href={props.signedInAs ? '/overview' : '/login'}>
            <span class="brand-mark" aria-hidden="true">
              2
            </span>{' '}
            {t.brand}
          </a>
          {props.signedInAs ? (
            <nav>
              {props.restricted || props.focused ? null : (
                <>
                  <div class="nav-links">
                    <NavLinks {...props} />
                  </div>
                  <details class="menu">
                    <summary data-testid="menu">{t.nav.menu}</summary>
                    <div class="menu-links">
                      <NavLinks {...props} />
                    </div>
                  </details>
                </>
              )}
              <span class="who">{props.signedInAs}</span>
              <form method="post" action="/logout" class="inline">
                <input type="hidden" name="_csrf" value={props.csrf} />
                <button type="submit" class="link" data-testid="sign-out">
                  {t.nav.signOut}
                </button>
              </form>
            </nav>
          ) : null}
        </header>
        <main>{props.children}</main>
        <footer>
          {t.footer}
          {props.dev ? t.footerDev : ''}
          <LanguageSwitch csrf={props.csrf} signedIn={props.signedInAs !== null} />
        </footer>
      </body>
    </html>
  );
}

/**
 * The footer's language switch: each language named in itself. Signed in, it saves the person's
 * setting (a form, with its CSRF token); before sign-in it is a link that remembers the choice in
 * this browser (`twofold_lang`).
 */
function LanguageSwitch(props: { csrf: string; signedIn: boolean }) {
  const other = t.lang === 'en' ? ('zh-CN' as const) : ('en' as const);
  const name = other === 'en' ? 'English' : '中文';
  return (
    <span class="language" lang={other}>
      {' · '}
      {props.signedIn && props.csrf ? (
        <form method="post" action="/account/language" class="inline">
          <input type="hidden" name="_csrf" value={props.csrf} />
          <input type="hidden" name="locale" value={other} />
          <button type="submit" class="link" data-testid="language">
            {name}
          </button>
        </form>
      ) : (
        <a href={`/lang/${other}`} data-testid="language" hrefLang={other}>
          {name}
        </a>
      )}
    </span>
  );
}

export function Alert(props: { kind: 'error' | 'success' | 'info'; children: ComponentChildren }) {
  return (
    <div class={`alert alert-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

export function Notice(props: { message: Message }) {
  return props.message ? <Alert kind={props.message.kind}>{props.message.text}</Alert> : null;
}

export function Csrf(props: { value: string }) {
  return <input type="hidden" name="_csrf" value={props.value} />;
}

/**
 * A field for a new password: the browser offers to generate one and checks the length the server
 * enforces (NIST SP 800-63B §5.1.1.2: 8 to 256 characters, long passphrases allowed).
 */
export function NewPasswordInput() {
  return <input name="password" type="password" autoComplete="new-password" required minLength={8} maxLength={256} />;
}

/** A time as people read it, with the zone named, and the exact instant for machines. */
export function Time(props: { at: number | string; dateOnly?: boolean }) {
  const iso = new Date(props.at).toISOString();
  return <time dateTime={iso}>{props.dateOnly ? t.format.date(props.at) : t.format.dateTime(props.at)}</time>;
}

/**
 * A code field that takes what authenticator apps show and people paste ("218 604", "218-604"):
 * the server strips spaces and dashes, so the field allows them; the phone offers its digit pad.
 */
export function CodeInput(props: { name: string; label: string; autofocus?: boolean }) {
  return (
    <label>
      {props.label}
      <input
        name={props.name}
        type="text"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9][0-9 \-]{4,8}[0-9]"
        maxLength={9}
        required
        autoFocus={props.autofocus}
        class="code"
      />
    </label>
  );
}

/** A recovery code field: free text (case, spaces and dashes do not matter), never autofilled. */
export function RecoveryCodeInput() {
  return (
    <label>
      {t.recoveryCodes.codeLabel}
      <input
        name="recoveryCode"
        type="text"
        autoComplete="off"
        required
        maxLength={24}
        placeholder={t.recoveryCodes.codePlaceholder}
      />
    </label>
  );
}

/** The consecutive-codes form that confirms a binding (own device, or one bound for a sub-user). */
export function ActivationForm(props: { action: string; csrf: string; enrollmentId: string; codesRequired: 1 | 2 }) {
  return (
    <form method="post" action={props.action}>
      <Csrf value={props.csrf} />
      <input type="hidden" name="enrollmentId" value={props.enrollmentId} />
      <CodeInput name="code1" label={props.codesRequired === 2 ? t.bind.firstCode : t.common.code} autofocus />
      {props.codesRequired === 2 ? <CodeInput name="code2" label={t.bind.nextCode} /> : null}
      <button type="submit" class="primary">
        {t.bind.confirm}
      </button>
    </form>
  );
}

/** A table that scrolls inside its card on a narrow screen instead of widening the page. */
export function TableScroll(props: { children: ComponentChildren }) {
  return <div class="table-scroll">{props.children}</div>;
}

export function ErrorPage(props: { frame: PageFrame; title: string; text: string }) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow">
        <h1>{props.title}</h1>
        <Alert kind="error">{props.text}</Alert>
        <p>
          <a href="/">{t.common.back}</a>
        </p>
      </section>
    </Layout>
  );
}

/**
 * "Are you sure?" for a destructive action: states the consequence, and posts the same form to the
 * same action with `confirmed=1` (plus a required reason where the action needs one).
 */
export function ConfirmPage(props: {
  frame: PageFrame;
  heading: string;
  consequence: string;
  action: string;
  button: string;
  cancel: string;
  fields: Record<string, string>;
  reason?: { label: string; placeholder: string } | undefined;
  message?: Message;
}) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow" data-testid="confirm">
        <h1>{props.heading}</h1>
        <Notice message={props.message ?? null} />
        <Alert kind="info">{props.consequence}</Alert>
        <form method="post" action={props.action}>
          <Csrf value={props.frame.csrf} />
          {Object.entries(props.fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <input type="hidden" name="confirmed" value="1" />
          {props.reason ? (
            <label>
              {props.reason.label}
              <input
                name="reason"
                type="text"
                required
                minLength={3}
                maxLength={500}
                placeholder={props.reason.placeholder}
              />
            </label>
          ) : null}
          <button type="submit" class="danger">
            {props.button}
          </button>
        </form>
        <p class="muted small">
          <a href={props.cancel}>{t.common.cancel}</a>
        </p>
      </section>
    </Layout>
  );
}

/**
 * A form that a passkey completes (issue 22). Without JavaScript it stays hidden and a note says
 * passkeys need it (so nothing dead-ends); with it, /assets/passkeys.js shows it, runs the WebAuthn
 * ceremony on submit with the options it carries (`options`) or fetches (`optionsUrl`), puts the
 * JSON answer into the `credential` field and posts the form like any other (CSRF token included).
 */
// A function: read at render time, in the page's language.
const noScriptTexts = () =>
  ({
    app: [t.passkeys.needsScript, t.passkeys.unsupported],
    only: [t.passkeys.needsScriptOnly, t.passkeys.unsupportedOnly],
    recovery: [t.passkeys.needsScriptOrRecovery, t.passkeys.unsupportedOrRecovery],
    'sign-in': [t.passkeys.needsScriptSignIn, t.passkeys.unsupportedSignIn],
  }) as const;

/** What a person without JavaScript (or passkey support) can do instead; the passkey script hides it. */
export function NoScriptNote(props: { kind: true | 'only' | 'recovery' | 'sign-in'; text?: [string, string] }) {
  const [text, unsupported] = props.text ?? noScriptTexts()[props.kind === true ? 'app' : props.kind];
  return (
    <p class="muted small" data-webauthn-note data-unsupported={unsupported} data-testid="webauthn-note">
      {text}
    </p>
  );
}

export function PasskeyForm(props: {
  action: string;
  csrf: string;
  mode: 'register' | 'authenticate';
  /** The ceremony's options (PublicKeyCredentialCreation/RequestOptionsJSON), or … */
  options?: unknown;
  /**
   * … a same-origin address that answers `{ options }` (a passwordless sign-in's with its
   * `challengeId`) to a CSRF-checked POST, asked afresh at each press.
   */
  optionsUrl?: string;
  /** Conditional UI: offer the passkey in the login field's autofill as the page loads. */
  autofill?: boolean;
  fields?: Record<string, string>;
  button: string;
  primary?: boolean;
  testid?: string;
  /**
   * Show the "needs JavaScript" note where the form would be: true where an app's code also works,
   * 'only' where nothing else is accepted, 'recovery' where a recovery code is the other way, 'sign-in'
   * for a login's second step with a passkey alone.
   */
  noScriptNote?: boolean | 'only' | 'recovery' | 'sign-in';
  children?: ComponentChildren;
}) {
  return (
    <>
      <div class="passkey" data-webauthn-section hidden>
        <form
          method="post"
          action={props.action}
          data-webauthn={props.mode}
          data-options={props.options === undefined ? undefined : JSON.stringify(props.options)}
          data-options-url={props.optionsUrl}
          data-autofill={props.autofill ? '1' : undefined}
          data-cancelled={t.passkeys.cancelled}
          data-exists={t.passkeys.exists}
          data-failed={
            typeof props.noScriptNote === 'string' || props.mode === 'register'
              ? t.passkeys.failedNoCode
              : t.passkeys.failed
          }
        >
          <Csrf value={props.csrf} />
          {Object.entries(props.fields ?? {}).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          {props.optionsUrl ? <input type="hidden" name="challengeId" value="" /> : null}
          <input type="hidden" name="credential" value="" />
          {props.children}
          <button type="submit" class={props.primary ? 'primary' : ''} data-testid={props.testid}>
            {props.button}
          </button>
          <p class="field-error" role="alert" hidden data-webauthn-error />
        </form>
      </div>
      {props.noScriptNote ? <NoScriptNote kind={props.noScriptNote} /> : null}
    </>
  );
}
