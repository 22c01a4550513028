import { render } from 'preact-render-to-string';
import type { VNode } from 'preact';
import { Alert, Csrf, Layout, type PageFrame } from './layout.js';
import { t } from './messages.js';

/** A page the provider itself answers with (an error, the sign-out question): a whole document. */
export function documentOf(page: VNode): string {
  return `<!doctype html>${render(page)}`;
}

/**
 * The way back to the application: a meta refresh and a link. A redirect straight after a form
 * would be blocked by the console's CSP (`form-action 'self'` also covers a form's redirects).
 */
export function ContinueToAppPage(props: { frame: PageFrame; app: string; to: string }) {
  return (
    <Layout {...props.frame} refreshTo={props.to}>
      <section class="card narrow" data-testid="oidc-continue">
        <h1>{t.oidc.continueTitle}</h1>
        <p>{t.oidc.continueText(props.app)}</p>
        <p>
          <a class="button" href={props.to} data-testid="oidc-continue-link">
            {t.oidc.continueLink}
          </a>
        </p>
      </section>
    </Layout>
  );
}

export function ConsentPage(props: { frame: PageFrame; app: string; login: string; scopes: string[]; action: string }) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow" data-testid="oidc-consent">
        <h1>{t.oidc.consentHeading(props.app)}</h1>
        <p>{t.oidc.consentIntro(props.login)}</p>
        <ul>
          {props.scopes.map((scope) => (
            <li key={scope}>{t.oidc.scopes[scope] ?? scope}</li>
          ))}
        </ul>
        <p class="muted">{t.oidc.consentNote}</p>
        <div class="actions">
          <form method="post" action={props.action} class="inline">
            <Csrf value={props.frame.csrf} />
            <input type="hidden" name="decision" value="allow" />
            <button type="submit" class="primary" data-testid="oidc-allow">
              {t.oidc.allow}
            </button>
          </form>{' '}
          <form method="post" action={props.action} class="inline">
            <Csrf value={props.frame.csrf} />
            <input type="hidden" name="decision" value="deny" />
            <button type="submit" class="secondary" data-testid="oidc-deny">
              {t.oidc.deny}
            </button>
          </form>
        </div>
      </section>
    </Layout>
  );
}

/** A sign-in the console will not complete, saying why, with the ways on. */
export function OidcRefusedPage(props: {
  frame: PageFrame;
  title: string;
  text: string;
  links: { href: string; label: string; testid?: string }[];
  /** "Back to the application": the sign-in ends with `access_denied` (its address is registered). */
  abort?: { app: string; action: string } | null;
}) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow" data-testid="oidc-refused">
        <h1>{props.title}</h1>
        <Alert kind="error">{props.text}</Alert>
        {props.abort ? (
          <form method="post" action={props.abort.action}>
            <Csrf value={props.frame.csrf} />
            <button type="submit" class="primary" data-testid="oidc-abort">
              {t.oidc.backTo(props.abort.app)}
            </button>
          </form>
        ) : null}
        {props.links.map((link) => (
          <p key={link.href}>
            <a href={link.href} data-testid={link.testid}>
              {link.label}
            </a>
          </p>
        ))}
      </section>
    </Layout>
  );
}

/** RP-initiated logout's question (OpenID Connect RP-Initiated Logout 1.0 §2), in the console's look. */
export function OidcLogoutPage(props: { frame: PageFrame; action: string; xsrf: string; text: string }) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow" data-testid="oidc-logout">
        <h1>{t.oidc.logoutTitle}</h1>
        <p>{props.text}</p>
        <form method="post" action={props.action}>
          <input type="hidden" name="xsrf" value={props.xsrf} />
          <div class="actions">
            <button type="submit" name="logout" value="yes" class="primary" data-testid="oidc-logout-yes">
              {t.oidc.logoutYes}
            </button>{' '}
            <button type="submit" class="secondary" data-testid="oidc-logout-no">
              {t.oidc.logoutNo}
            </button>
          </div>
        </form>
      </section>
    </Layout>
  );
}

export function OidcMessagePage(props: {
  frame: PageFrame;
  title: string;
  text: string;
  error?: boolean;
  /** The application's own address, when known: the way back to it. */
  back?: { app: string; home: string } | null;
}) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow" data-testid="oidc-message">
        <h1>{props.title}</h1>
        {props.error ? <Alert kind="error">{props.text}</Alert> : <p>{props.text}</p>}
        <p>
          {props.back ? (
            <a class="button primary" href={props.back.home} data-testid="oidc-back-to-app">
              {t.oidc.backTo(props.back.app)}
            </a>
          ) : (
            <a href="/login">{t.oidc.signInToTwofold}</a>
          )}
        </p>
      </section>
    </Layout>
  );
}
