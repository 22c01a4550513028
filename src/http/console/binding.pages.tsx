import {
  ActivationForm,
  CodeInput,
  Csrf,
  Layout,
  Notice,
  type Message,
  type PageFrame,
  RecoveryCodeInput,
} from './layout.js';
import { t } from './messages.js';

export function ClockHint() {
  return (
    <div class="hint">
      <strong>{t.clockHint.title}</strong> {t.clockHint.text}
    </div>
  );
}

/** The key in groups of four, as people copy it into an app by hand. */
export function groupKey(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

export function BindStartPage(props: { frame: PageFrame; message: Message; passkeyInstead?: boolean }) {
  return (
    <Layout {...props.frame} active="security">
      <section class="card narrow">
        <h1>{t.bind.heading}</h1>
        <Notice message={props.message} />
        <ol>
          {t.bind.steps.map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ol>
        <form method="post" action="/account/security/mfa/bind">
          <Csrf value={props.frame.csrf} />
          <button type="submit" class="primary">
            {t.bind.showQr}
          </button>
        </form>
        {props.passkeyInstead ? (
          <p class="muted small">
            <a href="/account/security/passkey-required" data-testid="passkey-instead">
              {t.passkeys.instead}
            </a>
          </p>
        ) : null}
      </section>
    </Layout>
  );
}

/** The QR code, the key and the activation form; `action` and `cancel` differ for a sub-user. */
export function BindPage(props: {
  frame: PageFrame;
  active: 'security' | 'users';
  heading: string;
  message: Message;
  showClockHint: boolean;
  enrollment: { id: string; secret: string; qrSvg: string; expiresAt: number; otpauthUri?: string };
  issuer: string;
  accountName: string;
  codesRequired: 1 | 2;
  action: string;
  cancel: string;
}) {
  return (
    <Layout {...props.frame} active={props.active}>
      <section class="card">
        <h1>{props.heading}</h1>
        <Notice message={props.message} />
        {props.showClockHint ? <ClockHint /> : null}
        <div class="bind">
          <div>
            <h3>{t.bind.scan}</h3>
            <div class="qr" data-testid="qr" dangerouslySetInnerHTML={{ __html: props.enrollment.qrSvg }} />
            {props.enrollment.otpauthUri ? (
              <p class="phone-only">
                <a class="button" href={props.enrollment.otpauthUri} data-testid="open-in-app">
                  {t.bind.openInApp}
                </a>
              </p>
            ) : null}
          </div>
          <div>
            <h3>{t.bind.typeKey}</h3>
            <p class="muted small">
              {t.bind.keyHint}{' '}
              <strong>
                {props.issuer}: {props.accountName}
              </strong>
              {t.bind.timeBased}
            </p>
            <p class="key" data-testid="secret-key" id="secret-key">
              {groupKey(props.enrollment.secret)}
            </p>
            <button type="button" hidden data-copy="secret-key" data-copied={t.bind.copied} data-testid="copy-key">
              {t.bind.copyKey}
            </button>
            <h3>{t.bind.enterCodes(props.codesRequired === 2)}</h3>
            <p class="muted small">{t.bind.codesHint(props.codesRequired === 2)}</p>
            <ActivationForm
              action={props.action}
              csrf={props.frame.csrf}
              enrollmentId={props.enrollment.id}
              codesRequired={props.codesRequired}
            />
            <p class="muted small">
              {t.bind.expires(t.format.dateTime(props.enrollment.expiresAt))}{' '}
              <a href={props.cancel}>{t.common.cancel}</a>
            </p>
          </div>
        </div>
      </section>
    </Layout>
  );
}

export function UnbindPage(props: {
  frame: PageFrame;
  message: Message;
  showClockHint: boolean;
  /** Workspaces that require MFA, which the user would lose access to. */
  workspaces: string[];
  /** The step-up is stale: the one code serves as the verification too. */
  codeIsVerification: boolean;
  /** The only device is a passkey: no code to type; it is removed on the devices page. */
  passkeyOnly?: boolean;
}) {
  if (props.passkeyOnly)
    return (
      <Layout {...props.frame} active="security">
        <section class="card narrow" data-testid="unbind-passkey-only">
          <h1>{t.unbind.heading}</h1>
          <Notice message={props.message} />
          <p>{t.unbind.passkeyOnly}</p>
          <p>
            <a class="button primary" href="/account/security/devices" data-testid="to-devices">
              {t.unbind.toDevices}
            </a>
          </p>
          <p class="muted small">
            <a href="/account/security">{t.common.cancel}</a>
          </p>
        </section>
      </Layout>
    );
  return (
    <Layout {...props.frame} active="security">
      <section class="card narrow">
        <h1>{t.unbind.heading}</h1>
        <p>{t.unbind.consequence}</p>
        {props.workspaces.length > 0 ? (
          <div class="hint" data-testid="workspace-warning">
            {t.unbind.workspaces(props.workspaces.join(', '))}
          </div>
        ) : null}
        <Notice message={props.message} />
        {props.showClockHint ? <ClockHint /> : null}
        <form method="post" action="/account/security/mfa/unbind">
          <Csrf value={props.frame.csrf} />
          {props.codeIsVerification ? <p class="muted small">{t.unbind.oneCode}</p> : null}
          <CodeInput name="code" label={t.unbind.codeLabel} autofocus />
          <button type="submit" class="danger">
            {t.unbind.submit}
          </button>
        </form>
        <details class="alt">
          <summary>{t.recoveryCodes.unbindWithOne}</summary>
          <form method="post" action="/account/security/mfa/unbind">
            <Csrf value={props.frame.csrf} />
            <RecoveryCodeInput />
            <button type="submit" class="danger">
              {t.recoveryCodes.unbindButton}
            </button>
          </form>
        </details>
        <p class="muted small">
          <a href="/account/security">{t.common.cancel}</a>
        </p>
      </section>
    </Layout>
  );
}

/** The recovery codes, shown once: download them, or tick that they are saved, to go on. */
export function RecoveryCodesPage(props: { frame: PageFrame; codes: string[]; file: string; next: string }) {
  return (
    <Layout {...props.frame} active="security">
      <section class="card narrow" data-testid="recovery-codes-page">
        <h1>{t.recoveryCodes.heading}</h1>
        <p>{t.recoveryCodes.intro}</p>
        <ol class="codes" data-testid="recovery-codes">
          {props.codes.map((code) => (
            <li key={code}>
              <code>{code}</code>
            </li>
          ))}
        </ol>
        <p>
          <a
            class="button"
            download="twofold-recovery-codes.txt"
            href={`data:text/plain;charset=utf-8,${encodeURIComponent(props.file)}`}
            data-testid="download-codes"
          >
            {t.recoveryCodes.download}
          </a>
        </p>
        <p class="muted small">{t.recoveryCodes.print}</p>
        <form method="get" action={props.next.split('?')[0]}>
          {props.next.includes('?notice=') ? (
            <input type="hidden" name="notice" value={props.next.split('?notice=')[1]} />
          ) : null}
          <label class="check">
            <input type="checkbox" name="saved" value="1" required data-testid="codes-saved" /> {t.recoveryCodes.saved}
          </label>
          <button type="submit" class="primary" data-testid="codes-continue">
            {t.recoveryCodes.continue}
          </button>
        </form>
      </section>
    </Layout>
  );
}
