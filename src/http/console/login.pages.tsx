import {
  CodeInput,
  Csrf,
  NewPasswordInput,
  Layout,
  Notice,
  PasskeyForm,
  type Message,
  type PageFrame,
  RecoveryCodeInput,
} from './layout.js';
import { ClockHint } from './binding.pages.js';
import { t } from './messages.js';

export function SignupPage(props: { frame: PageFrame; message: Message; email?: string; displayName?: string }) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow">
        <h1>{t.signup.heading}</h1>
        <p class="muted">{t.signup.intro}</p>
        <Notice message={props.message} />
        <form method="post" action="/signup">
          <Csrf value={props.frame.csrf} />
          <label>
            {t.common.email}
            <input name="email" type="email" autoComplete="email" required maxLength={254} value={props.email ?? ''} />
          </label>
          <label>
            {t.common.displayName} <span class="muted">{t.common.optional}</span>
            <input name="displayName" type="text" maxLength={100} value={props.displayName ?? ''} />
          </label>
          <label>
            {t.signup.passwordLabel} <span class="muted">{t.signup.passwordHint}</span>
            <NewPasswordInput />
          </label>
          <button type="submit" class="primary">
            {t.signup.submit}
          </button>
        </form>
        <p class="muted">
          {t.signup.haveAccount} <a href="/login">{t.signup.logIn}</a>
        </p>
      </section>
    </Layout>
  );
}

export function LoginPage(props: {
  frame: PageFrame;
  message: Message;
  login?: string;
  /** Passwordless sign-in is offered (issue 22). */
  passkeys?: boolean;
  /** Offer "No account yet? Sign up" (not on the way to an application). */
  signUp?: boolean;
}) {
  return (
    <Layout {...props.frame} webauthn={props.passkeys}>
      <section class="card narrow">
        <h1>{t.login.heading}</h1>
        <Notice message={props.message} />
        <form method="post" action="/login">
          <Csrf value={props.frame.csrf} />
          <label>
            {t.login.loginLabel}
            <input
              name="login"
              type="text"
              autoComplete={props.passkeys ? 'username webauthn' : 'username'}
              required
              maxLength={320}
              value={props.login ?? ''}
            />
          </label>
          <label>
            {t.common.password}
            <input name="password" type="password" autoComplete="current-password" required maxLength={256} />
          </label>
          <button type="submit" class="primary">
            {t.login.submit}
          </button>
        </form>
        {props.passkeys ? (
          <PasskeyForm
            action="/login/passkey"
            csrf={props.frame.csrf}
            mode="authenticate"
            optionsUrl="/login/passkey/options"
            autofill
            button={t.login.passkey}
            testid="passkey-sign-in"
          >
            <p class="divider">
              <span>{t.login.or}</span>
            </p>
          </PasskeyForm>
        ) : null}
        <p class="muted">
          <a href="/password-reset" data-testid="forgot-password">
            {t.reset.forgot}
          </a>
        </p>
        {props.signUp === false ? null : (
          <p class="muted">
            {t.login.noAccount} <a href="/signup">{t.login.signUp}</a>
          </p>
        )}
        <p class="muted small">
          {t.login.lostPhone}{' '}
          <a href="/recovery" data-testid="unbind-mfa">
            {t.login.unbindMfa}
          </a>
        </p>
      </section>
    </Layout>
  );
}

/** The dynamic-code step: names the account being signed in and how many tries this login has left. */
export function MfaCodePage(props: {
  frame: PageFrame;
  message: Message;
  showClockHint: boolean;
  login: string | null;
  triesLeft: number | null;
  /** The refusal was of a recovery code: its section stays open and carries the message. */
  recoveryFailed?: boolean;
  /** A lost-device ticket is open for the account: entering the code cancels it. */
  recoveryPending?: boolean;
  /** What this login may finish with (totp, webauthn, recovery_code); null: not known, as before. */
  methods?: string[] | null;
}) {
  const recovery = props.recoveryFailed === true;
  const methods = props.methods ?? ['totp', 'recovery_code'];
  const totp = methods.includes('totp');
  const passkey = methods.includes('webauthn');
  const intro = passkey ? (totp ? t.codeStep.introPasskey : t.codeStep.introPasskeyOnly) : t.codeStep.intro;
  return (
    <Layout {...props.frame} webauthn={passkey}>
      <section class="card narrow">
        <h1>{passkey && !totp ? t.codeStep.headingPasskey : t.codeStep.heading}</h1>
        {props.login ? (
          <p data-testid="signing-in-as">
            <strong>{t.codeStep.signingInAs(props.login)}</strong>
          </p>
        ) : null}
        <p>{intro}</p>
        {props.recoveryPending ? (
          <div class="alert alert-info" role="status" data-testid="recovery-pending">
            {t.codeStep.recoveryPending}
          </div>
        ) : null}
        {recovery ? null : <Notice message={props.message} />}
        {props.showClockHint && !recovery ? <ClockHint /> : null}
        {props.triesLeft !== null && props.message ? (
          <p class="muted small" data-testid="tries-left">
            {t.codeStep.triesLeft(props.triesLeft)}
          </p>
        ) : null}
        {passkey ? (
          <PasskeyForm
            action="/login/mfa"
            csrf={props.frame.csrf}
            mode="authenticate"
            optionsUrl="/login/mfa/options"
            fields={{ method: 'webauthn' }}
            button={t.passkeys.use}
            primary
            testid="use-passkey"
            noScriptNote={totp ? false : 'sign-in'}
          />
        ) : null}
        {totp ? (
          <form method="post" action="/login/mfa">
            <Csrf value={props.frame.csrf} />
            <CodeInput name="code" label={t.common.code} autofocus={!passkey} />
            <button type="submit" class={passkey ? '' : 'primary'}>
              {t.codeStep.submit}
            </button>
          </form>
        ) : null}
        <details class="alt" open={recovery} data-testid="recovery-section">
          <summary data-testid="use-recovery-code">{t.recoveryCodes.useOne}</summary>
          {recovery ? <Notice message={props.message} /> : null}
          <form method="post" action="/login/mfa">
            <Csrf value={props.frame.csrf} />
            <RecoveryCodeInput />
            <button type="submit">{t.recoveryCodes.signIn}</button>
          </form>
        </details>
        <p class="muted small">
          <a href="/recovery" data-testid="unbind-mfa">
            {t.login.unbindMfa}
          </a>{' '}
          · <a href="/login">{t.codeStep.startOver}</a>
        </p>
      </section>
    </Layout>
  );
}

export function ResetRequestPage(props: { frame: PageFrame; message: Message; sent: boolean }) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow">
        <h1>{props.sent ? t.reset.sentHeading : t.reset.heading}</h1>
        <Notice message={props.message} />
        {props.sent ? (
          <p data-testid="reset-sent">{t.reset.sent}</p>
        ) : (
          <>
            <p class="muted">{t.reset.intro}</p>
            <form method="post" action="/password-reset">
              <Csrf value={props.frame.csrf} />
              <label>
                {t.login.loginLabel}
                <input name="login" type="text" autoComplete="username" required maxLength={320} />
              </label>
              <button type="submit" class="primary">
                {t.reset.send}
              </button>
            </form>
            <p class="muted small">{t.reset.subUsers}</p>
          </>
        )}
        <p class="muted small">
          <a href="/login">{t.login.title}</a>
        </p>
      </section>
    </Layout>
  );
}

export function ResetPasswordPage(props: { frame: PageFrame; message: Message }) {
  return (
    <Layout {...props.frame}>
      <section class="card narrow">
        <h1>{t.reset.newHeading}</h1>
        <p class="muted">{t.reset.newIntro}</p>
        <Notice message={props.message} />
        <form method="post" action="/password-reset/new">
          <Csrf value={props.frame.csrf} />
          <label>
            {t.reset.newPassword}
            <NewPasswordInput />
          </label>
          <button type="submit" class="primary">
            {t.reset.save}
          </button>
        </form>
      </section>
    </Layout>
  );
}
